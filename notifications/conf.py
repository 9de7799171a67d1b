"""Delivery settings read from the environment. Per-user preferences and webhook endpoints live in
the database (admin); these are the process-wide knobs."""

from datetime import time, timedelta

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def _quiet_hours(value: str) -> tuple[time, time] | None:
    """"22:00-08:00" → (22:00, 08:00); "" → no default quiet hours."""
    if not value:
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"NOTIFY_QUIET_HOURS must look like 22:00-08:00: {exc}") from exc
    return start, end


# Attempts per delivery before it is marked failed; back-off doubles from the base up to the cap.
MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=6)
BACKOFF_BASE = timedelta(seconds=env.int("NOTIFY_BACKOFF_SECONDS", default=30))
BACKOFF_CAP = timedelta(seconds=env.int("NOTIFY_BACKOFF_CAP_SECONDS", default=3600))
# The periodic pick-up leaves fresh rows to their on_commit task for this long.
PICKUP_GRACE = timedelta(seconds=env.int("NOTIFY_PICKUP_GRACE_SECONDS", default=15))
PICKUP_BATCH = env.int("NOTIFY_PICKUP_BATCH", default=500)
# A row claimed longer ago than this belongs to a worker that died mid-send.
# The deliver task's hard time limit is this too, so a slow send is killed before its row is
# given to another worker; it must exceed EMAIL_TIMEOUT and NOTIFY_HTTP_TIMEOUT.
STALE_CLAIM = timedelta(seconds=env.int("NOTIFY_STALE_CLAIM_SECONDS", default=120))
# After a failed enqueue, a process leaves new deliveries to the pick-up for this long.
BROKER_PAUSE = timedelta(seconds=env.int("NOTIFY_BROKER_PAUSE_SECONDS", default=30))
HTTP_TIMEOUT = env.float("NOTIFY_HTTP_TIMEOUT", default=10.0)
DEFAULT_QUIET_HOURS = _quiet_hours(env.str("NOTIFY_QUIET_HOURS", default="22:00-08:00"))

# SMS: "logging" (demo: writes a masked line to the log), "http" (the provider below), "" (off).
SMS_PROVIDER = env.str("SMS_PROVIDER", default="logging")
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
if SMS_PROVIDER not in {"", "logging", "http"}:
    raise ImproperlyConfigured("SMS_PROVIDER must be '', 'logging' or 'http'.")
if SMS_PROVIDER == "http" and not SMS_HTTP_URL:
    raise ImproperlyConfigured("SMS_PROVIDER=http needs SMS_HTTP_URL.")
