FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY recovery recovery
COPY org org
COPY cases cases
COPY compensation compensation
COPY escalation escalation
COPY notifications notifications
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0
RUN useradd --system --home /app recovery && chown -R recovery /app
USER recovery
EXPOSE 8000
CMD ["gunicorn", "recovery.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4"]
