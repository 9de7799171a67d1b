"""A per-process cache of the small configuration tables read on every intake (thresholds,
lexicon, SLA windows, checklist templates, the stores by code, a signing source's account). A
change saved in this process clears it at once; other processes see it within
CONFIG_CACHE_SECONDS."""

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

_entries: dict[str, tuple[float, object]] = {}


def config_cached(key: str, loader: Callable[[], T]) -> T:
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = loader()
    _entries[key] = (now + settings.CONFIG_CACHE_SECONDS, value)
    return value


def config_cache_clear(**_signal) -> None:
    _entries.clear()


def config_cache_watch(*models) -> None:
    """Clear the cache whenever a row of these models (or their many-to-many links) changes."""
    for model in models:
        uid = f"config-cache:{model._meta.label}"
        post_save.connect(config_cache_clear, sender=model, dispatch_uid=uid)
        post_delete.connect(config_cache_clear, sender=model, dispatch_uid=uid)
        for field in model._meta.many_to_many:
            m2m_changed.connect(config_cache_clear, sender=field.remote_field.through,
                                dispatch_uid=f"{uid}:{field.name}")
