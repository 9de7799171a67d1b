"""Queries compiled once per process (`recovery.compiled`): the case list's page and the worker's
deliveries are read through them, so what they return must be what the ORM returns, on either
database, run after run with other keys."""

from datetime import timedelta

import pytest
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


def test_raw_models_are_what_raw_builds_whatever_the_order_of_the_columns(org):
    from cases.models import Customer
    from recovery.compiled import RawModels

    case = open_case(store=org.S01, score=2)
    Customer.objects.filter(pk=case.customer_id).update(vip=True, language="en")
    # Columns out of the model's order, a boolean and a date-time among them (SQLite returns
    # those as an integer and a string: the converters must run), and some left out.
    sql = ("SELECT language, created_at, vip, name, id FROM cases_customer WHERE id = %s")
    customers = RawModels(Customer)

    for _run in range(2):
        [raw] = customers.objects(sql, [case.customer_id])
        [expected] = Customer.objects.raw(sql, [case.customer_id])
        assert ((raw.pk, raw.name, raw.vip, raw.language, raw.created_at)
                == (expected.pk, expected.name, True, "en", expected.created_at))
        assert raw.created_at.tzinfo is not None
        assert raw.get_deferred_fields() == expected.get_deferred_fields() != set()
        assert raw.phone == Customer.objects.get(pk=case.customer_id).phone  # read on demand


@pytest.mark.django_db(transaction=True)
def test_a_prepared_statement_answers_as_written_after_a_rollback_and_on_a_new_connection(org):
    from django.db import connection, transaction

    from cases.models import Customer
    from recovery.compiled import Prepared

    case = open_case(store=org.S01, score=2)
    name = Customer.objects.get(pk=case.customer_id).name
    statement = Prepared("test_customer_name",
                         "SELECT name FROM cases_customer WHERE id = %(id)s AND name <> '%%'")

    def run():
        with connection.cursor() as cursor:
            statement.execute(cursor, {"id": case.customer_id})
            return cursor.fetchall()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        assert run() == [(name,)]  # prepared inside a transaction that is rolled back
        raise Undo
    assert run() == [(name,)]
    connection.close()  # a new session has nothing prepared: it is prepared again
    assert run() == [(name,)]
