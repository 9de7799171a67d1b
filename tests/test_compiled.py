"""Queries compiled once per process (`recovery.compiled`): the case list's page and the worker's
deliveries are read through them, so what they return must be what the ORM returns, on either
database, run after run with other keys."""

from datetime import timedelta

from django.db.models import DateTimeField, F
from django.utils import timezone

from cases.models import Case
from cases.selectors import with_progress
from recovery.compiled import AmongKey, CompiledModels, CompiledValues, Param
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


def test_models_are_what_the_orm_builds_with_their_related_rows_and_run_time_values(org):
    older = open_case(store=org.S01, score=2)
    newer = open_case(store=org.S02, score=4)
    Case.objects.filter(pk=older.pk).update(triggered_at=timezone.now() - timedelta(days=3))
    compiled = CompiledModels(lambda: Case.objects.select_related("store", "customer").filter(
        AmongKey(F("pk"), "ids"), triggered_at__gte=Param("since", DateTimeField())))
    ids = [older.pk, newer.pk]

    for since in (timezone.now() - timedelta(days=7), timezone.now() - timedelta(days=1)):
        cases = sorted(compiled.objects(ids=ids, since=since), key=lambda c: c.pk)
        expected = list(Case.objects.select_related("store", "customer").filter(
            pk__in=ids, triggered_at__gte=since).order_by("pk"))
        assert [(c.pk, c.number, c.triggered_at, c.store.code, c.customer.name) for c in cases] \
            == [(c.pk, c.number, c.triggered_at, c.store.code, c.customer.name) for c in expected]
    assert [c.pk for c in compiled.objects(ids=ids, since=timezone.now() - timedelta(days=1))] \
        == [newer.pk]
