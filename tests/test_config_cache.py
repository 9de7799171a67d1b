"""The configuration rows intake reads on every response are cached per process: a change saved
through the app applies at once, a change made elsewhere within CONFIG_CACHE_SECONDS."""

import time
from types import SimpleNamespace

import pytest

from cases.models import IntakePolicy, LexiconEntry
from cases.triage import triage
from escalation.deadlines import _policies
from escalation.models import DeadlineKind, SlaPolicy
from recovery import config_cache

pytestmark = pytest.mark.django_db


def _opens(score):
    return triage(score=score, comment="", flags=set(), record=None, vip=False).opens_case


def test_a_saved_threshold_applies_to_the_next_response():
    assert not _opens(7)
    policy = IntakePolicy.current()
    policy.score_threshold = 7
    policy.save()
    assert _opens(7)


def _reads(comment):
    return triage(score=9, comment=comment, flags=set(), record=None, vip=False)


def test_a_phrase_added_to_the_lexicon_applies_at_once():
    assert not _reads("这个配件的颜色有点怪").opens_case
    LexiconEntry.objects.create(phrase="颜色有点怪", language="zh-hans", kind="failure",
                                value="service_quality")
    result = _reads("这个配件的颜色有点怪")
    assert result.opens_case and result.failure_type == "service_quality"


def test_a_change_made_by_another_process_waits_out_the_cache(settings, monkeypatch):
    settings.CONFIG_CACHE_SECONDS = 30
    window = _policies([DeadlineKind.CONTACT])[DeadlineKind.CONTACT].window
    SlaPolicy.objects.filter(kind=DeadlineKind.CONTACT).update(window=window * 2)  # no signal
    assert _policies([DeadlineKind.CONTACT])[DeadlineKind.CONTACT].window == window
    later = time.monotonic() + 31
    monkeypatch.setattr(config_cache, "time", SimpleNamespace(monotonic=lambda: later))
    assert _policies([DeadlineKind.CONTACT])[DeadlineKind.CONTACT].window == window * 2
