"""Triage's own cost per survey response: reading the comment (segmentation, lexicon, context
rules) and deciding flags, level, severity, failure type and emotion — no database.

    .venv/bin/python bench/triage_bench.py [/work/shared/triage/dev.jsonl] [--rounds 20]

Prints the one-off start (jieba's dictionary, the compiled lexicon) and µs per response over the
file's comments, and over the same comments cut or padded to 10 000 characters (the worst case).
The lexicon is the default one (cases/lexicon_defaults.py), as the data migration loads it."""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(
        Path(__file__).resolve().parent.parent.parent / "shared" / "triage" / "dev.jsonl"))
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args()

    import django

    django.setup()
    from cases import lexicon_defaults, triage
    from cases.reading import Entry, Lexicon

    rows = [json.loads(line) for line in open(a.file, encoding="utf-8") if line.strip()]
    started = time.perf_counter()
    lexicon = Lexicon([Entry(phrase=p, language=lang, kind=k, value=v, weight=float(w))
                       for p, lang, k, v, w in lexicon_defaults.entries()])
    triage.lexicon = lambda: lexicon  # the database's rows, without the database
    triage.config_cached = lambda key, loader: 6
    triage.triage(score=5, comment="开始", flags=set(), record=None, vip=False)
    start_ms = (time.perf_counter() - started) * 1000

    def per_response(comments) -> list[float]:
        runs = []
        for _ in range(a.rounds):
            t0 = time.perf_counter()
            for score, comment in comments:
                triage.triage(score=score, comment=comment, flags=set(), record=None, vip=False)
            runs.append((time.perf_counter() - t0) / len(comments) * 1e6)
        return runs

    comments = [(r["score"], r["comment"]) for r in rows]
    normal = per_response(comments)
    long = per_response([(s, ((c or "等了很久") * 10_000)[:10_000]) for s, c in comments[:20]])
    print(f"responses: {len(comments)} (mean {statistics.mean(len(c) for _, c in comments):.0f} "
          f"characters), rounds: {a.rounds}")
    print(f"start (jieba dictionary + {len(lexicon.entries)} phrases): {start_ms:.0f} ms once "
          f"per process")
    print(f"per response: median {statistics.median(normal):.0f} µs, "
          f"best {min(normal):.0f} µs")
    print(f"per 10 000-character comment: median {statistics.median(long):.0f} µs")


if __name__ == "__main__":
    main()
