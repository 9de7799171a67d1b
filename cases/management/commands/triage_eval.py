"""Measure triage against a labelled file (shared/triage/GUIDE.md), the way
shared/triage/score.py measures it through the HTTP API:

    manage.py triage_eval dev.jsonl [--misses 40]

Reads each line with the lexicon in the database, writes nothing."""

import json

from django.core.management.base import BaseCommand, CommandError

from cases.triage import TRIGGER_FLAGS, Triage, level_for, triage

TEXT_FLAGS = TRIGGER_FLAGS | {"repeat_repair", "multiple_repair"}
TARGETS = {"opens_case_accuracy": 0.97, "flag_precision": 0.95, "flag_recall": 0.90,
           "level_accuracy": 0.95, "failure_type_accuracy": 0.85, "emotion_accuracy": 0.75}


def figures(rows: list[dict], classify) -> tuple[dict, list[dict]]:
    """The figures of score.py for `classify(score, comment) -> Triage`, and the misses."""
    tp = fp = fn = 0
    n_open = n_level = n_level_ok = n_ft = n_ft_ok = n_em = n_em_ok = false_l4 = 0
    misses = []
    for number, row in enumerate(rows, start=1):
        result: Triage = classify(row["score"], row["comment"])
        opened = result.opens_case
        got_flags = set(result.flags) & TEXT_FLAGS if opened else set()
        want_flags = set(row["flags"])
        got_ft = result.failure_type if opened else None
        got_em = (result.emotion or None) if opened else None
        miss = {}
        n_open += opened == row["opens_case"]
        if opened != row["opens_case"]:
            miss["opens_case"] = opened
        tp += len(got_flags & want_flags)
        fp += len(got_flags - want_flags)
        fn += len(want_flags - got_flags)
        if got_flags != want_flags:
            miss["flags"] = sorted(got_flags)
        want_level = level_for(score=row["score"], flags=want_flags)
        if row["opens_case"]:
            n_level += 1
            got_level = result.level if opened else None
            n_level_ok += got_level == want_level
            if got_level != want_level:
                miss["level"] = f"{got_level} (want {want_level})"
        if opened and result.level == "L4" and want_level != "L4":
            false_l4 += 1
        if row["failure_type"]:
            n_ft += 1
            n_ft_ok += got_ft == row["failure_type"]
            if got_ft != row["failure_type"]:
                miss["failure_type"] = got_ft
        if row["emotion"]:
            n_em += 1
            n_em_ok += got_em == row["emotion"]
            if got_em != row["emotion"]:
                miss["emotion"] = got_em
        if miss:
            misses.append({"line": number, "comment": row["comment"][:80], "got": miss,
                           "want": {k: row[k] for k in ("opens_case", "flags", "failure_type",
                                                        "emotion")}})
    total = len(rows) or 1
    return {
        "responses": len(rows),
        "opens_case_accuracy": n_open / total,
        "flag_precision": tp / (tp + fp) if tp + fp else 1.0,
        "flag_recall": tp / (tp + fn) if tp + fn else 1.0,
        "level_accuracy": n_level_ok / n_level if n_level else 1.0,
        "false_L4": false_l4,
        "failure_type_accuracy": n_ft_ok / n_ft if n_ft else 1.0,
        "emotion_accuracy": n_em_ok / n_em if n_em else 1.0,
    }, misses


def report(fig: dict) -> list[str]:
    lines = []
    for key, value in fig.items():
        target = TARGETS.get(key)
        if key == "false_L4":
            mark = "  ok" if value == 0 else "  BELOW 0"
        else:
            mark = "" if target is None else ("  ok" if value >= target else f"  BELOW {target}")
        lines.append(f"{key:24} {value:.3f}{mark}" if isinstance(value, float)
                     else f"{key:24} {value}{mark}")
    return lines


def passed(fig: dict) -> bool:
    return all(fig[k] >= t for k, t in TARGETS.items()) and fig["false_L4"] == 0


class Command(BaseCommand):
    help = "Measure triage against a labelled JSONL file (opens case, flags, level, type, emotion)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--misses", type=int, default=40, help="how many misses to print")

    def handle(self, *args, file, misses, **options):
        try:
            with open(file, encoding="utf-8") as f:
                rows = [json.loads(line) for line in f if line.strip()]
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        fig, missed = figures(rows, lambda score, comment: triage(
            score=score, comment=comment, flags=set(), record=None, vip=False))
        for line in report(fig):
            self.stdout.write(line)
        for miss in missed[:misses]:
            self.stdout.write(json.dumps(miss, ensure_ascii=False))
        if not passed(fig):
            raise CommandError("Below target.", returncode=1)
