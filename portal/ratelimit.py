"""A fixed one-minute window counted in Django's cache (shared by every process when the cache
is Redis; per process with the default local-memory cache)."""

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.utils import timezone

from . import conf

WINDOW = 60


def _over(key: str, limit: int) -> bool:
    bucket = f"portal-rate:{key}:{int(timezone.now().timestamp() // WINDOW)}"
    cache.add(bucket, 0, WINDOW * 2)
    try:
        count = cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, WINDOW * 2)
        count = 1
    return count > limit


def rate_limited(request, *, token_key: str) -> bool:
    """Counts the request for its address and its link; True when either is over its limit.
    Unknown tokens count too, so guessing links from one address is stopped early."""
    address = get_client_ip_address(request) or "unknown"
    by_address = _over(f"ip:{address}", conf.RATE_PER_IP)
    by_token = _over(f"token:{token_key}", conf.RATE_PER_TOKEN)
    return by_address or by_token
