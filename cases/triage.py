"""Intake rules (SPEC §2–§3): what opens a case, which flags it carries, its level and severity."""

from dataclasses import dataclass, field

from recovery.config_cache import config_cached

from .models import (
    COMPUTED_FLAGS,
    LEVEL_SEVERITY,
    Flag,
    IntakePolicy,
    Level,
    NegativeKeyword,
    ServiceRecord,
)

# On-site complaint and refund request are the SPEC §2 triggers; a caller that reports media,
# lawsuit, safety or a public complaint is reporting a failure too.
TRIGGER_FLAGS = set(Flag.values) - COMPUTED_FLAGS

L4_FLAGS = {Flag.MEDIA_EXPOSURE, Flag.LAWSUIT, Flag.SAFETY}
L3_FLAGS = {Flag.MULTIPLE_REPAIR, Flag.REQUESTS_SENIOR, Flag.PUBLIC_COMPLAINT}
L2_FLAGS = {Flag.REPEAT_REPAIR, Flag.ONSITE_COMPLAINT}


@dataclass
class Triage:
    triggers: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    level: str = Level.L1
    severity: str = LEVEL_SEVERITY[Level.L1]

    @property
    def opens_case(self) -> bool:
        return bool(self.triggers)


def _lexicon() -> list[tuple[str, str]]:
    return config_cached("negative-lexicon", lambda: [
        (word.lower(), flag)
        for word, flag in NegativeKeyword.objects.filter(active=True).values_list("word", "flag")
    ])


def keyword_flags(comment: str) -> tuple[bool, set[str]]:
    """Whether the comment hits the negative lexicon, and the flags its hits set."""
    text = (comment or "").lower()
    if not text:
        return False, set()
    hit, flags = False, set()
    for word, flag in _lexicon():
        if word in text:
            hit = True
            if flag:
                flags.add(flag)
    return hit, flags


def earlier_visits(*, record: ServiceRecord | None) -> int:
    """Earlier visits of the same customer for the same problem (service type)."""
    if not record or not record.service_type:
        return 0
    earlier = ServiceRecord.objects.filter(
        customer_id=record.customer_id, service_type=record.service_type
    ).exclude(pk=record.pk)
    if record.visit_at:
        earlier = earlier.filter(visit_at__lt=record.visit_at)
    return earlier.count()


def history_flags(*, record: ServiceRecord | None, vip: bool) -> set[str]:
    flags = set()
    visits = earlier_visits(record=record)
    if visits >= 1:
        flags.add(Flag.REPEAT_REPAIR)
    if visits >= 2:
        flags.add(Flag.MULTIPLE_REPAIR)
    if vip:
        flags.add(Flag.VIP)
    return flags


def level_for(*, score: int | None, flags: set[str]) -> str:
    """The highest matching row of the SPEC §3 table wins."""
    if score == 0 or flags & L4_FLAGS:
        return Level.L4
    if (score is not None and score <= 3) or flags & L3_FLAGS:
        return Level.L3
    if (score is not None and score <= 5) or flags & L2_FLAGS:
        return Level.L2
    return Level.L1


def triage(*, score: int | None, comment: str, flags: set[str], record: ServiceRecord | None,
           vip: bool, manual: bool = False) -> Triage:
    threshold = config_cached("intake-threshold",
                              lambda: IntakePolicy.current().score_threshold)
    negative, from_words = keyword_flags(comment)
    all_flags = set(flags) | from_words | history_flags(record=record, vip=vip)
    triggers = []
    if manual:
        triggers.append("incident")
    if score is not None and score <= threshold:
        triggers.append("score")
    if negative:
        triggers.append("keyword")
    triggers += sorted(f"flag:{f}" for f in set(flags) & TRIGGER_FLAGS)
    level = level_for(score=score, flags=all_flags)
    return Triage(triggers=triggers, flags=sorted(all_flags), level=level,
                  severity=LEVEL_SEVERITY[Level(level)])
