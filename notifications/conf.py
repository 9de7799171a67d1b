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
# Deliveries per task of the pick-up: a backlog spread over the worker's threads, in few tasks.
PICKUP_CHUNK = env.int("NOTIFY_PICKUP_CHUNK", default=20)
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
# Aliyun SMS (SMS_PROVIDER=aliyun): the SendSms HTTP API, signed with the access key. China's
# carriers take only approved templates: the template's one variable ${content} gets the text.
SMS_ALIYUN_ENDPOINT = env.str("SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_ACCESS_KEY_ID = env.str("SMS_ALIYUN_ACCESS_KEY_ID", default="")
SMS_ALIYUN_ACCESS_KEY_SECRET = env.str("SMS_ALIYUN_ACCESS_KEY_SECRET", default="")
SMS_ALIYUN_TEMPLATE_CODE = env.str("SMS_ALIYUN_TEMPLATE_CODE", default="")
# Tencent Cloud SMS (SMS_PROVIDER=tencent): the SDK; the template's one variable {1} gets the text.
# The endpoint may be a URL (http://127.0.0.1:8000 for a test server) or a host name.
SMS_TENCENT_ENDPOINT = env.str("SMS_TENCENT_ENDPOINT", default="sms.tencentcloudapi.com")
SMS_TENCENT_SECRET_ID = env.str("SMS_TENCENT_SECRET_ID", default="")
SMS_TENCENT_SECRET_KEY = env.str("SMS_TENCENT_SECRET_KEY", default="")
SMS_TENCENT_SDK_APP_ID = env.str("SMS_TENCENT_SDK_APP_ID", default="")
SMS_TENCENT_TEMPLATE_ID = env.str("SMS_TENCENT_TEMPLATE_ID", default="")
SMS_TENCENT_REGION = env.str("SMS_TENCENT_REGION", default="ap-guangzhou")
if SMS_PROVIDER not in {"", "logging", "http", "aliyun", "tencent"}:
    raise ImproperlyConfigured(
        "SMS_PROVIDER must be '', 'logging', 'http', 'aliyun' or 'tencent'.")
if SMS_PROVIDER == "http" and not SMS_HTTP_URL:
    raise ImproperlyConfigured("SMS_PROVIDER=http needs SMS_HTTP_URL.")
if SMS_PROVIDER == "aliyun" and not (SMS_ALIYUN_ACCESS_KEY_ID and SMS_ALIYUN_ACCESS_KEY_SECRET
                                     and SMS_ALIYUN_TEMPLATE_CODE and SMS_SIGN_NAME):
    raise ImproperlyConfigured(
        "SMS_PROVIDER=aliyun needs SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET, "
        "SMS_ALIYUN_TEMPLATE_CODE and SMS_SIGN_NAME.")
if SMS_PROVIDER == "tencent" and not (SMS_TENCENT_SECRET_ID and SMS_TENCENT_SECRET_KEY
                                      and SMS_TENCENT_SDK_APP_ID and SMS_TENCENT_TEMPLATE_ID
                                      and SMS_SIGN_NAME):
    raise ImproperlyConfigured(
        "SMS_PROVIDER=tencent needs SMS_TENCENT_SECRET_ID, SMS_TENCENT_SECRET_KEY, "
        "SMS_TENCENT_SDK_APP_ID, SMS_TENCENT_TEMPLATE_ID and SMS_SIGN_NAME.")

# WeChat messages to customers go through WeCom (企业微信) customer contact: "logging" (demo),
# "wecom" (the API below), "" (off).
WECHAT_PROVIDER = env.str("WECHAT_PROVIDER", default="logging")
WECOM_API_BASE = env.str("WECOM_API_BASE", default="https://qyapi.weixin.qq.com/cgi-bin/")
WECOM_CORP_ID = env.str("WECOM_CORP_ID", default="")
WECOM_SECRET = env.str("WECOM_SECRET", default="")
if WECHAT_PROVIDER not in {"", "logging", "wecom"}:
    raise ImproperlyConfigured("WECHAT_PROVIDER must be '', 'logging' or 'wecom'.")
if WECHAT_PROVIDER == "wecom" and not (WECOM_CORP_ID and WECOM_SECRET):
    raise ImproperlyConfigured("WECHAT_PROVIDER=wecom needs WECOM_CORP_ID and WECOM_SECRET.")
