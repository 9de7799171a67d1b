"""Queries compiled once per process (`recovery.compiled`): the case list's page reads its rows
through one, so what it returns must be what the ORM's `.values()` returns, on either database,
run after run with other keys."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from cases.models import Case
from cases.selectors import with_progress
from recovery.compiled import AmongKey, CompiledValues
from tests.factories import open_case

FIELDS = ("id", "number", "flags", "triggered_at", "store__code", "owner__username",
          "checklist_total", "checklist_done")


def _values(qs):
    return with_progress(qs).values(*FIELDS)


def test_rows_are_what_values_gives_for_each_run_keys(org):
    first = open_case(store=org.S01, score=2)
    second = open_case(store=org.S02, score=4)
    Case.objects.filter(pk=first.pk).update(flags=["vip", "repeat_repair"], owner=org.manager1,
                                            triggered_at=timezone.now() - timedelta(days=3))
    compiled = CompiledValues(lambda: _values(Case.objects.filter(AmongKey(F("pk"), "ids"))))

    for ids in ([first.pk, second.pk], [second.pk], [first.pk]):
        rows = sorted(compiled.rows(ids=ids), key=lambda r: r["id"])
        expected = list(_values(Case.objects.filter(pk__in=ids)).order_by("id"))
        assert rows == expected
    row = compiled.rows(ids=[first.pk])[0]
    assert row["flags"] == ["vip", "repeat_repair"] and row["owner__username"] == "manager1"
    assert row["triggered_at"].tzinfo is not None and row["checklist_total"] > 0


def test_no_ids_read_no_rows(org):
    open_case(store=org.S01, score=2)
    compiled = CompiledValues(lambda: _values(Case.objects.filter(AmongKey(F("pk"), "ids"))))
    assert compiled.rows(ids=[]) == []
