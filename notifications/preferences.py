"""Per-user channel choices and quiet hours."""

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.utils import timezone

from org.models import User
from recovery.config_cache import config_cached

from . import conf
from .models import NotificationPreference, SendMode


def preferences_for(*, users: Iterable[User]) -> dict[int, NotificationPreference]:
    """Each user's preference; an unsaved default for users who never set one. Read for every
    notification written and sent, and changed rarely: cached with the configuration."""
    ids = sorted({u.pk for u in users})
    return config_cached(f"preferences:{','.join(map(str, ids))}",
                         lambda: _preferences_read(ids=ids))


def _preferences_read(*, ids: list[int]) -> dict[int, NotificationPreference]:
    found = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}
    return {pk: found.get(pk) or NotificationPreference(user_id=pk) for pk in ids}


def mode_allows(*, mode: str, urgent: bool) -> bool:
    return mode == SendMode.ALL or (mode == SendMode.URGENT and urgent)


def quiet_hours(*, preference: NotificationPreference) -> tuple[time, time] | None:
    if preference.quiet_start is not None and preference.quiet_end is not None:
        return preference.quiet_start, preference.quiet_end
    return conf.DEFAULT_QUIET_HOURS


def quiet_until(*, preference: NotificationPreference, now: datetime) -> datetime | None:
    """When the user's quiet hours end, if `now` falls inside them (local time); else None."""
    hours = quiet_hours(preference=preference)
    if hours is None or hours[0] == hours[1]:
        return None
    start, end = hours
    local = timezone.localtime(now)
    at = local.time()
    end_today = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if start < end:
        return end_today if start <= at < end else None
    # Overnight window, e.g. 22:00–08:00.
    if at >= start:
        return end_today + timedelta(days=1)
    return end_today if at < end else None
