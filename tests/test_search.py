"""The search box and the case list's pages (issue 21): one query over case number, customer
name, phone, plate, VIN and repair order, inside the user's scope; keyset pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Case
from tests.conftest import api_as, client_for
from tests.factories import open_case

URL = "/api/v1/cases/"


def found(user, q):
    r = api_as(user).get(URL, {"q": q})
    assert r.status_code == 200, r.content
    return {c["id"] for c in r.json()["results"]}


@pytest.fixture
def searchable(org):
    """A case at S01 and one at S02, each with a visit naming a car."""
    s01 = open_case(store=org.S01, score=2, service_record={
        "order_number": "RO2026-0815", "plate": "沪A12345", "vin": "LSVAU2180N2183901",
        "vehicle_model": "朗逸", "mileage": 42000})
    s01.customer.name = "张伟国"
    s01.customer.phone = "13912345678"
    s01.customer.save()
    s02 = open_case(store=org.S02, score=2, service_record={
        "order_number": "RO2026-0999", "plate": "粤B77777", "vin": "LFV2A21K6N3000123"})
    return {"S01": s01, "S02": s02}


@pytest.mark.parametrize("q", [
    "张伟国",  # full name
    "张伟",  # the start of a name (two characters)
    "伟国",  # a part of a name
    "2345678",  # part of the phone
    "沪A12345", "a1234",  # plate, partial and in another case
    "lsvau2180n2183901", "2183901",  # VIN, whole and its tail
    "RO2026-0815", "0815",  # repair order
])
def test_search_finds_the_case_by_each_key(org, searchable, q):
    assert found(org.hq1, q) == {searchable["S01"].pk}


def test_search_by_case_number(org, searchable):
    number = searchable["S02"].number
    assert found(org.hq1, number) == {searchable["S02"].pk}
    assert found(org.hq1, number[-6:]) == {searchable["S02"].pk}


def test_search_stays_inside_the_users_scope(org, searchable):
    assert found(org.manager2, "沪A12345") == set()
    assert found(org.manager1, "沪A12345") == {searchable["S01"].pk}
    assert found(org.manager1, "RO2026") == {searchable["S01"].pk}
    assert found(org.hq1, "RO2026") == {searchable["S01"].pk, searchable["S02"].pk}


def test_search_for_nothing_known_finds_nothing_and_wildcards_are_text(org, searchable):
    assert found(org.hq1, "不存在的客户") == set()
    assert found(org.hq1, "%%%") == set()
    assert found(org.hq1, "___") == set()


def test_dashboard_search_box_keeps_the_query_and_finds_by_plate(org, searchable):
    page = client_for(org.manager1).get("/", {"q": "沪A12345"}).content.decode()
    assert searchable["S01"].number in page
    assert 'value="沪A12345"' in page
    page = client_for(org.manager1).get("/", {"q": "粤B77777"}).content.decode()
    assert searchable["S02"].number not in page


def _cases_at_one_time(org, n):
    at = timezone.now() - timedelta(hours=1)
    cases = [open_case(store=org.S01, score=2) for _ in range(n)]
    # Same trigger time for all: the order must fall back to the id, never repeat or skip.
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(triggered_at=at)
    return cases


def test_api_pages_by_cursor_without_repeats_or_gaps(org, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 4}
    cases = _cases_at_one_time(org, 6) + [open_case(store=org.S01, score=2) for _ in range(4)]
    seen, url, pages = [], URL, 0
    while url:
        body = api_as(org.hq1).get(url).json()
        seen += [c["id"] for c in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3
    expected = sorted(cases, key=lambda c: (Case.objects.get(pk=c.pk).triggered_at, c.pk),
                      reverse=True)
    assert seen == [c.pk for c in expected]


def test_api_cursor_keeps_the_filters_and_a_forged_cursor_is_400(org, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 2}
    for _ in range(3):
        open_case(store=org.S01, score=2)
    open_case(store=org.S02, score=2)
    first = api_as(org.hq1).get(URL, {"store": "S01"}).json()
    assert "store=S01" in first["next"]
    second = api_as(org.hq1).get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    r = api_as(org.hq1).get(URL, {"cursor": "not-a-cursor"})
    assert r.status_code == 400 and "cursor" in r.json()


def test_dashboard_pages_keep_filters_in_the_url(org, monkeypatch):
    monkeypatch.setattr("cases.views.DASHBOARD_PAGE", 2)
    cases = [open_case(store=org.S01, score=2) for _ in range(3)]
    client = client_for(org.manager1)
    first = client.get("/", {"level": "L3"})
    assert first.context["form"]["level"].value() == "L3"
    next_page = first.context["next_page"]
    assert "level=L3" in next_page and "cursor=" in next_page
    second = client.get("/?" + next_page).content.decode()
    assert cases[0].number in second and cases[2].number not in second


def test_visit_and_customer_vehicle_from_the_intake_show_on_the_case(org):
    r = api_as(org.integration).post("/api/v1/survey-responses/", {
        "source": "dms", "external_id": "veh-1", "store": "S01", "score": 2,
        "customer": {"external_id": "c-veh-1", "name": "赵女士", "phone": "13700000001",
                     "vehicle_model": "途观L"},
        "service_record": {"order_number": "RO-77", "plate": "沪C88888",
                           "vin": "LSVAU2180N2183999", "mileage": 35500},
    }, format="json")
    assert r.status_code == 201, r.content
    case_id = r.json()["case"]["id"]
    detail = api_as(org.manager1).get(f"{URL}{case_id}/").json()
    assert detail["service_record"]["plate"] == "沪C88888"
    assert detail["service_record"]["mileage"] == 35500
    assert detail["customer"]["plate"] == "沪C88888"
    assert detail["customer"]["vehicle_model"] == "途观L"
    page = client_for(org.manager1).get(f"/cases/{case_id}/").content.decode()
    assert "沪C88888" in page and "35500 km" in page and "LSVAU2180N2183999" in page


def test_intake_refuses_a_bad_mileage_and_stores_nothing(org):
    r = api_as(org.integration).post("/api/v1/survey-responses/", {
        "source": "dms", "external_id": "veh-2", "store": "S01", "score": 2,
        "customer": {"external_id": "c-veh-2", "name": "钱先生"},
        "service_record": {"order_number": "RO-78", "mileage": -5},
    }, format="json")
    assert r.status_code == 400 and "mileage" in r.json()["service_record"]
    assert not Case.objects.exists()


@pytest.mark.postgres_only
def test_search_uses_the_trigram_indexes(org, searchable):
    from cases.models import Customer, ServiceRecord
    from cases.search import CUSTOMER_FIELDS, RECORD_FIELDS, SearchText

    def plan(qs):
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            lines = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
        return lines

    for model, fields, index in ((Case, ("number",), "case_search_trgm"),
                                 (Customer, CUSTOMER_FIELDS, "customer_search_trgm"),
                                 (ServiceRecord, RECORD_FIELDS, "servicerecord_search_trgm")):
        qs = model.objects.alias(s=SearchText(*fields)).filter(s__contains="A12345")
        assert index in plan(qs)


def test_a_one_character_search_is_refused_with_a_reason(org, searchable):
    r = api_as(org.hq1).get(URL, {"q": "张"})
    assert r.status_code == 400 and "q" in r.json()


def test_a_search_matching_many_finds_the_same_cases(org, searchable, monkeypatch):
    monkeypatch.setattr("cases.search.BROAD", 1)  # every match counts as "many"
    assert found(org.hq1, "沪A12345") == {searchable["S01"].pk}
    assert found(org.hq1, "张伟") == {searchable["S01"].pk}
    assert found(org.manager1, "RO2026") == {searchable["S01"].pk}
    assert found(org.hq1, "RO2026") == {searchable["S01"].pk, searchable["S02"].pk}


@pytest.mark.parametrize("q", ["ro2026-0815", "RO2026-0815", "ro2026-08", "2026-0815"])
def test_a_repair_order_whole_head_or_tail_in_any_case_finds_its_case(org, searchable, q):
    assert found(org.hq1, q) == {searchable["S01"].pk}


def test_a_piece_inside_a_repair_order_is_still_found(org, searchable):
    # No order begins or ends with it: looked for inside them, as before.
    assert found(org.hq1, "O2026-08") == {searchable["S01"].pk}


def test_a_case_number_tail_finds_the_case_and_customers_whose_phone_holds_it(org, searchable):
    number = searchable["S02"].number
    tail = number[-6:]
    other = open_case(store=org.S01, score=2)
    other.customer.phone = f"13{tail}000"
    other.customer.save()
    assert found(org.hq1, tail) == {searchable["S02"].pk, other.pk}
    assert found(org.hq1, number[-9:].lower()) == {searchable["S02"].pk}
    assert found(org.hq1, number.lower()) == {searchable["S02"].pk}


@pytest.mark.postgres_only
def test_repair_orders_and_case_numbers_are_looked_up_by_head_and_tail_in_a_btree(
        org, searchable):
    from django.db.models import Q

    from cases.models import ServiceRecord
    from cases.search import _head_or_tail

    def plan(qs):
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            # On a table this small a plain index scan of another index, filtering every row,
            # can cost as little: leave the planner only the scans that need an index to
            # match the expression.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            lines = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_indexscan")
        return lines

    for model, field, index in ((Case, "number", "case_number"),
                                (ServiceRecord, "order_number", "servicerecord_order")):
        lines = plan(model.objects.filter(Q(_head_or_tail(field, "RO2026-0815"))))
        assert f"{index}_head" in lines and f"{index}_tail" in lines


def test_a_list_row_says_what_the_cases_detail_says(org):
    from cases.serializers import CaseListOut

    case = open_case(store=org.S01, score=2)
    items = list(case.checklist.all())
    client = api_as(org.manager1)
    for item in items[:3]:
        client.post(f"/api/v1/cases/{case.pk}/checklist/{item.pk}/", {"done": True},
                    format="json")
    Case.objects.filter(pk=case.pk).update(owner=org.manager1, flags=["vip"])
    bare = open_case(store=org.S01, score=2)
    Case.objects.filter(pk=bare.pk).update(failure_type=None, owner=None)
    rows = {row["id"]: row for row in client.get(URL).json()["results"]}
    for c in (case, bare):
        detail = client.get(f"{URL}{c.pk}/").json()
        assert rows[c.pk] == {f: detail[f] for f in CaseListOut.Meta.fields
                              if f != "customer"} | {"customer": detail["customer"]["name"]}
    assert rows[case.pk]["progress"] == round(100 * 3 / len(items)) > 0
    assert rows[case.pk]["owner"] == org.manager1.username
    assert rows[bare.pk]["owner"] is None and rows[bare.pk]["failure_type"] is None
