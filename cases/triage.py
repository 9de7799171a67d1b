"""Intake rules (SPEC §2–§3, shared/triage/GUIDE.md): what opens a case, its flags, level,
severity, failure type and emotion, and why."""

from dataclasses import dataclass, field

from recovery.config_cache import config_cached

from .models import (
    COMPUTED_FLAGS,
    Flag,
    IntakePolicy,
    Level,
    LexiconEntry,
    ServiceRecord,
    Severity,
)
from .reading import Entry, Hit, Lexicon, Reading, read

# On-site complaint and refund request are the SPEC §2 triggers; a caller that reports media,
# lawsuit, safety or a public complaint is reporting a failure too.
TRIGGER_FLAGS = set(Flag.values) - COMPUTED_FLAGS

L4_FLAGS = {Flag.MEDIA_EXPOSURE, Flag.LAWSUIT, Flag.SAFETY}
L3_FLAGS = {Flag.MULTIPLE_REPAIR, Flag.REQUESTS_SENIOR, Flag.PUBLIC_COMPLAINT}
L2_FLAGS = {Flag.REPEAT_REPAIR, Flag.ONSITE_COMPLAINT}

# Severity is the incident's (seed 001 工具2 and 2.3), not the level's: 危机 touches safety or
# public opinion, 严重 is repeated failure or a complaint taken outside or up, 中等 is a clear
# failure the customer pushed back on; a score alone is at most 中等.
CRISIS_FLAGS = {Flag.SAFETY, Flag.MEDIA_EXPOSURE, Flag.LAWSUIT}
SEVERE_FLAGS = {Flag.MULTIPLE_REPAIR, Flag.PUBLIC_COMPLAINT, Flag.REQUESTS_SENIOR}
MODERATE_FLAGS = {Flag.REPEAT_REPAIR, Flag.ONSITE_COMPLAINT, Flag.REFUND_REQUEST}
MODERATE_SCORE = 3


@dataclass
class Triage:
    triggers: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    level: str = Level.L1
    severity: str = Severity.MINOR
    failure_type: str | None = None
    emotion: str = ""
    why: dict = field(default_factory=dict)

    @property
    def opens_case(self) -> bool:
        return bool(self.triggers)


def lexicon() -> Lexicon:
    return config_cached("triage-lexicon", _lexicon_load)


# The rows the lexicon in use was compiled from, and it. Compiling takes 50–100 ms (1 700
# phrases): the rows are read again each time the configuration cache expires, compiled again
# only when they changed.
_compiled: tuple[list, Lexicon] | None = None


def _lexicon_load() -> Lexicon:
    global _compiled
    rows = list(LexiconEntry.objects.filter(active=True).values_list(
        "phrase", "language", "kind", "value", "weight"))
    compiled = _compiled
    if compiled is None or compiled[0] != rows:
        compiled = _compiled = (rows, Lexicon([
            Entry(phrase=phrase, language=language, kind=kind, value=value,
                  weight=float(weight))
            for phrase, language, kind, value, weight in rows]))
    return compiled[1]


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


def history_flags(*, record: ServiceRecord | None, vip: bool) -> dict[str, dict]:
    """The flags the customer's history sets, each with why."""
    flags = {}
    visits = earlier_visits(record=record)
    if visits >= 2:
        flags[Flag.MULTIPLE_REPAIR] = {"rule": "history", "earlier_visits": visits}
    elif visits == 1:
        flags[Flag.REPEAT_REPAIR] = {"rule": "history", "earlier_visits": visits}
    if vip:
        flags[Flag.VIP] = {"rule": "customer"}
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


def severity_for(*, score: int | None, flags: set[str], emotion: str = "") -> str:
    if flags & CRISIS_FLAGS:
        return Severity.CRISIS
    if flags & SEVERE_FLAGS:
        return Severity.SEVERE
    if (flags & MODERATE_FLAGS or emotion == "angry"
            or (score is not None and score <= MODERATE_SCORE)):
        return Severity.MODERATE
    return Severity.MINOR


def _why(hit: Hit, text: str) -> dict:
    return {"phrase": hit.entry.phrase, "said": text[hit.start:hit.end], "rule": "phrase",
            "language": hit.entry.language}


def explain(reading: Reading, text: str) -> dict:
    """What fired each text flag, the failure type and the emotion, and what was set aside."""
    why = {"flags": {f: _why(h, text) for f, h in reading.flags.items()}}
    if reading.failure_type:
        hit = reading.failure_hit
        why["failure_type"] = {"code": reading.failure_type, **_why(hit, text)}
        if reading.failure_type == "safety" and hit.entry.kind == "flag":
            why["failure_type"]["rule"] = "safety flag"
    if reading.emotion:
        hit = reading.emotion_hit
        why["emotion"] = ({"code": reading.emotion, **_why(hit, text)} if hit else
                          {"code": reading.emotion, "rule": "tone"})
    why["set_aside"] = [
        {"phrase": h.entry.phrase, "said": text[h.start:h.end], "kind": h.entry.kind,
         "value": h.entry.value, "rule": h.dropped}
        for h in reading.hits if h.dropped and h.entry.kind in {"flag", "visits", "failure"}
    ][:20]
    return why


def triage(*, score: int | None, comment: str, flags: set[str], record: ServiceRecord | None,
           vip: bool, manual: bool = False) -> Triage:
    threshold = config_cached("intake-threshold",
                              lambda: IntakePolicy.current().score_threshold)
    reading = read(comment, lexicon())
    why = explain(reading, reading.text)
    for flag in flags:
        why["flags"][flag] = {"rule": "sent"}
    for flag, reason in history_flags(record=record, vip=vip).items():
        why["flags"].setdefault(flag, reason)
    all_flags = set(why["flags"])
    if Flag.MULTIPLE_REPAIR in all_flags and Flag.REPEAT_REPAIR in all_flags:
        # GUIDE: three or more visits is multiple_repair *instead of* repeat_repair.
        all_flags.discard(Flag.REPEAT_REPAIR)
        why["flags"].pop(Flag.REPEAT_REPAIR)
    triggers = []
    if manual:
        triggers.append("incident")
    if score is not None and score <= threshold:
        triggers.append("score")
    if reading.negative:
        triggers.append("text")
    triggers += sorted(f"flag:{f}" for f in set(flags) & TRIGGER_FLAGS)
    emotion = reading.emotion or ""
    severity = severity_for(score=score, flags=all_flags, emotion=emotion)
    why["severity"] = {"code": severity, "rule": "incident"}
    why["opened_by"] = triggers
    return Triage(triggers=triggers, flags=sorted(all_flags),
                  level=level_for(score=score, flags=all_flags), severity=severity,
                  failure_type=reading.failure_type, emotion=emotion, why=why)

