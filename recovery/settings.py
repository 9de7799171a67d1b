"""Settings come from the environment (12-factor); with nothing set, the product runs on SQLite and
an embedded filesystem broker so a new laptop needs nothing else."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-only-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "org",
    "cases",
    "escalation",
    "compensation",
    "notifications",
    "messenger",
    "toolkit",
    "metrics",
    "audit",
    "attachments",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "recovery.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "org.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "recovery.urls"
WSGI_APPLICATION = "recovery.wsgi.application"
ASGI_APPLICATION = "recovery.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections stay open for the life of the process (checked before each reuse, below). A limit
# makes every thread that started together reconnect together: under load, a burst of new
# PostgreSQL backends with cold caches stalled requests by a few hundred ms at each expiry.
# CONN_MAX_AGE=<seconds> sets one anyway.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=None)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout lets the web process and the embedded worker share one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Writers take the lock when their transaction begins, so a sweep and a delivery thread
    # wait for each other instead of failing with "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The covering indexes' extra columns are a PostgreSQL speed-up; SQLite ignores them.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: a username is locked for an hour after five failures from one address.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
# No version banner from every process, and the lockout's own fields only in its log lines.
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments (docs/attachments.md): the filesystem under var/media by default, never served
# by URL (every read goes through a view that checks the case scope); S3-compatible object
# storage when ATTACHMENTS_S3_BUCKET is set (pip install ".[s3]").
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
ATTACHMENTS_S3_BUCKET = env.str("ATTACHMENTS_S3_BUCKET", default="")
DEFAULT_STORAGE = ({"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
    "bucket_name": ATTACHMENTS_S3_BUCKET,
    "endpoint_url": env.str("ATTACHMENTS_S3_ENDPOINT_URL", default="") or None,
    "region_name": env.str("ATTACHMENTS_S3_REGION", default="") or None,
    "access_key": env.str("ATTACHMENTS_S3_ACCESS_KEY", default="") or None,
    "secret_key": env.str("ATTACHMENTS_S3_SECRET_KEY", default="") or None,
    "default_acl": "private", "querystring_auth": True, "file_overwrite": False,
}} if ATTACHMENTS_S3_BUCKET else {"BACKEND": "django.core.files.storage.FileSystemStorage"})
# The largest upload to an ".../attachments/" URL (a video); other bodies keep the 1 MB limit.
ATTACHMENT_UPLOAD_MAX_BYTES = env.int("ATTACHMENT_UPLOAD_MAX_BYTES", default=110 * 1024 * 1024)
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "org.authentication.TokenWithNodeAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "recovery.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "recovery.api.AutoSchema",
    "EXCEPTION_HANDLER": "recovery.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Service Recovery API",
    "DESCRIPTION": "Cases, SLA escalation, compensation and approvals for service recovery.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "cases.models.Level",
        "DeadlineKindEnum": "escalation.models.DeadlineKind",
        "CaseEventKindEnum": "cases.models.CaseEventKind",
        # metrics' KPI status shares the field name "status".
        "KpiStatusEnum": "metrics.models.KpiStatus",
    },
    # `<id:…>` in the URLs (recovery.converters): an integer that fits a bigint.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0,
                                        "maximum": 999_999_999_999_999_999}},
    "SWAGGER_UI_DIST": "SIDECAR",
    # No badge fetched from validator.swagger.io: the docs load nothing from another site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# One cache for every process when CACHE_URL is set (e.g. redis://host:6379/1): the customer
# page's rate limits then count across the web workers and the providers' access tokens are
# fetched once. Unset: each process has its own, enough for a laptop.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport (embedded run).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    if REDIS_URL.startswith(("redis://", "rediss://")):
        # A worker that survives a Redis outage while it holds a task (recovery/celery.py).
        CELERY_BROKER_TRANSPORT = "recovery.celery:RedisTransport"
    # A message a dead worker had taken comes back after this long (the pick-up has sent its
    # delivery by then; the re-run finds it sent). Longer than any task may run.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
else:
    BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://localhost/"  # a host named, or kombu warns on each use
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connections around every task unless this is set;
# recovery/celery.py recycles them as Django does after a request (CONN_MAX_AGE) instead.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Sweeps get their own queue so a backlog of deliveries never holds the SLA clock back.
CELERY_TASK_ROUTES = {
    "escalation.sweep": {"queue": "sweeps"},
    "compensation.approvals_sweep": {"queue": "sweeps"},
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="recovery@localhost")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A send never outlives the delivery's claim (NOTIFY_STALE_CLAIM_SECONDS).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Seconds another process may keep using a configuration row after it changed.
CONFIG_CACHE_SECONDS = env.int("CONFIG_CACHE_SECONDS", default=30)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production turns these on through the environment (README "Deploying"); HTTPS ends at the proxy.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# The largest body any form or endpoint takes (a 5 000-character comment is ~20 kB); larger
# requests get 413 before they are read (recovery.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Content Security Policy: everything comes from this site (htmx and charts are vendored).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
