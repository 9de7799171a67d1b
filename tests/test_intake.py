"""Intake (SPEC §2–§3, §11): what opens a case, its level and flags, idempotency, bad input."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    Customer,
    IntakePolicy,
    LexiconEntry,
    ServiceRecord,
    SurveyResponse,
)
from org.models import NodeKind, OrgNode
from tests.conftest import api_as, run_concurrently

URL = "/api/v1/survey-responses/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def body(n="r1", **over):
    data = {"source": "dms", "external_id": n, "store": "S01", "score": 9, "comment": "",
            "customer": {"external_id": f"c-{n}", "name": "李先生", "phone": "13812345678"}}
    data.update(over)
    return data


def post(org, **over):
    return api_as(org.integration).post(URL, body(**over), format="json")


@pytest.mark.parametrize(
    ("score", "comment", "flags", "opens", "level", "case_flags", "severity"),
    [
        (10, "", [], False, None, [], None),
        (7, "很好", [], False, None, [], None),
        (6, "", [], True, "L1", [], "minor"),
        (5, "", [], True, "L2", [], "minor"),
        (4, "", [], True, "L2", [], "minor"),
        (3, "", [], True, "L3", [], "moderate"),
        (1, "", [], True, "L3", [], "moderate"),
        # A score alone never makes a crisis (seed 001 工具2: severity is the incident's).
        (0, "", [], True, "L4", [], "moderate"),
        (None, "", [], False, None, [], None),
        (9, "服务态度太差了", [], True, "L1", [], "moderate"),  # angry: 明显不满
        (9, "我要去12315投诉", [], True, "L3", ["public_complaint"], "severe"),
        (9, "要找媒体曝光你们", [], True, "L4", ["media_exposure"], "crisis"),
        (8, "我会请律师起诉", [], True, "L4", ["lawsuit"], "crisis"),
        (8, "刹车失灵差点出事故", [], True, "L4", ["safety"], "crisis"),
        (8, "我要退款", [], True, "L1", ["refund_request"], "moderate"),
        (8, "I am disappointed, terrible", [], True, "L1", [], "minor"),
        (9, "", ["onsite_complaint"], True, "L2", ["onsite_complaint"], "moderate"),
        (9, "", ["refund_request"], True, "L1", ["refund_request"], "moderate"),
        (9, "", ["requests_senior"], True, "L3", ["requests_senior"], "severe"),
        (6, "", ["lawsuit"], True, "L4", ["lawsuit"], "crisis"),
    ],
)
def test_triggers_and_levels(org, score, comment, flags, opens, level, case_flags, severity):
    r = post(org, score=score, comment=comment, flags=flags)
    assert r.status_code == 201, r.content
    case = r.json()["case"]
    if not opens:
        assert case is None
        assert Case.objects.count() == 0
        return
    assert case["level"] == level
    assert set(case_flags) <= set(case["flags"])
    assert case["severity"] == severity
    assert Case.objects.get(pk=case["id"]).severity == severity


def test_score_threshold_is_a_database_setting(org):
    policy = IntakePolicy.current()
    policy.score_threshold = 7
    policy.save()
    assert post(org, score=7).json()["case"]["level"] == "L1"


def test_keyword_lexicon_is_data(org):
    LexiconEntry.objects.create(phrase="蚊子", language="zh-hans", kind="complaint")
    assert post(org, score=9, comment="房间里有蚊子").json()["case"] is not None


def test_vip_customer_gets_vip_flag(org):
    r = post(org, score=2, customer={"external_id": "v1", "name": "VIP", "vip": True})
    assert "vip" in r.json()["case"]["flags"]


def _visit(org, n, days_ago, service_type="悬挂异响"):
    return {"order_number": f"RO-{n}", "service_type": service_type,
            "visit_at": (timezone.now() - timedelta(days=days_ago)).isoformat()}


def test_one_earlier_visit_for_same_problem_is_a_repeat_repair(org):
    cust = {"external_id": "rep", "name": "张先生"}
    post(org, n="a", score=9, customer=cust, service_record=_visit(org, 1, 30))
    r = post(org, n="b", score=6, customer=cust, service_record=_visit(org, 2, 1))
    case = r.json()["case"]
    assert "repeat_repair" in case["flags"] and "multiple_repair" not in case["flags"]
    assert case["level"] == "L2"


def test_two_earlier_visits_make_multiple_repairs_and_level_three(org):
    cust = {"external_id": "rep", "name": "张先生"}
    post(org, n="a", score=9, customer=cust, service_record=_visit(org, 1, 60))
    post(org, n="b", score=9, customer=cust, service_record=_visit(org, 2, 30))
    r = post(org, n="c", score=6, customer=cust, service_record=_visit(org, 3, 1))
    case = r.json()["case"]
    # GUIDE: three or more visits is multiple_repair instead of repeat_repair.
    assert "multiple_repair" in case["flags"] and "repeat_repair" not in case["flags"]
    assert case["level"] == "L3"


def test_earlier_visit_for_another_problem_is_not_a_repeat(org):
    cust = {"external_id": "rep", "name": "张先生"}
    post(org, n="a", score=9, customer=cust, service_record=_visit(org, 1, 30, "保养"))
    r = post(org, n="b", score=6, customer=cust, service_record=_visit(org, 2, 1))
    assert "repeat_repair" not in r.json()["case"]["flags"]


def test_customer_and_service_record_are_upserted(org):
    post(org, n="a", score=9, customer={"external_id": "x", "name": "旧名"},
         service_record={"order_number": "RO-1", "amount": "100.00"})
    post(org, n="b", score=9, customer={"external_id": "x", "name": "新名", "vip": True},
         service_record={"order_number": "RO-1", "amount": "250.50"})
    assert Customer.objects.get(external_id="x").name == "新名"
    assert str(ServiceRecord.objects.get(order_number="RO-1").amount) == "250.50"
    assert Customer.objects.count() == 1


def test_a_later_response_keeps_the_customer_segment_it_does_not_send(org):
    post(org, n="a", score=9, customer={"external_id": "x", "name": "王女士",
                                        "segment": "high_end"})
    post(org, n="b", score=9, customer={"external_id": "x", "name": "王女士", "vip": True})
    customer = Customer.objects.get(external_id="x")
    assert (customer.segment, customer.vip) == ("high_end", True)


def test_resend_returns_same_case_and_opens_nothing_new(org):
    with time_machine.travel(timezone.now(), tick=False):  # same remaining seconds in both
        first = post(org, score=2)
        again = post(org, score=2)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Case.objects.count() == 1 and SurveyResponse.objects.count() == 1


def test_new_response_from_customer_with_open_case_is_a_rescore(org):
    cust = {"external_id": "same", "name": "李先生"}
    first = post(org, n="a", score=1, customer=cust)
    second = post(org, n="b", score=10, comment="满意了", customer=cust)
    assert second.status_code == 201
    assert second.json()["rescore"] is True
    assert second.json()["case"]["id"] == first.json()["case"]["id"]
    case = Case.objects.get()
    assert (case.score_before, case.score_after) == (1, 10)
    assert case.events.filter(kind="rescored").count() == 1


def test_a_second_low_score_while_the_case_is_open_is_a_rescore_not_a_new_case(org):
    cust = {"external_id": "same", "name": "李先生"}
    first = post(org, n="a", score=3, customer=cust)
    second = post(org, n="b", score=0, comment="还是没人管", customer=cust)
    assert second.json()["rescore"] is True
    assert second.json()["case"]["id"] == first.json()["case"]["id"]
    assert Case.objects.get().score_after == 0


@pytest.mark.parametrize("where", ["this process", "another process"])
def test_a_store_added_takes_responses_at_once(org, where):
    assert post(org, n="before", store="S01").status_code == 201  # the stores are cached
    store = OrgNode(code="S09", name="新店", kind=NodeKind.STORE, parent=org.R1,
                    path=f"{org.R1.path}S09/")
    if where == "this process":
        store.save()
    else:  # a row written elsewhere: this process's cache is not cleared
        OrgNode.objects.bulk_create([store])
    answer = post(org, n="new", store="S09")
    assert answer.status_code == 201, answer.content
    assert SurveyResponse.objects.get(external_id="new").store.code == "S09"


def test_response_at_another_store_is_not_a_rescore(org):
    cust = {"external_id": "same", "name": "李先生"}
    post(org, n="a", score=1, customer=cust)
    other = post(org, n="b", score=2, store="S02", customer=cust)
    assert other.json()["rescore"] is False
    assert Case.objects.count() == 2


@time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_case_opens_with_deadlines_from_t0_checklist_owner_and_event(org):
    """On a Monday morning the business-hours windows (contact, plan, execution) end when the
    wall clock's would (tests/escalation/test_calendar.py has the nights and holidays)."""
    t0 = timezone.now() - timedelta(minutes=30)
    r = post(org, score=2, responded_at=t0.isoformat())
    case = Case.objects.get(pk=r.json()["case"]["id"])
    due = {d.kind: d.due_at for d in case.deadlines.all()}
    assert due["contact"] == case.triggered_at + timedelta(hours=2)
    assert due["plan"] == case.triggered_at + timedelta(hours=4)
    assert due["execution"] == case.triggered_at + timedelta(hours=8)
    assert due["resolution"] == case.triggered_at + timedelta(hours=24)
    # The assembly deadline counts from receipt, so a back-dated import does not breach it.
    assert due["assembly"] == case.received_at + timedelta(minutes=15)
    assert case.deadlines.get(kind="assembly").met_at is not None
    assert case.checklist.count() > 5
    assert case.owner == org.director1  # L3 → center director
    assert case.events.filter(kind="opened").count() == 1
    assert case.number.startswith("SR")


def test_case_opening_notifies_store_managers_urgently(org):
    r = post(org, score=2)
    note = org.manager1.notifications.get()
    assert note.urgent and note.case_id == r.json()["case"]["id"]
    assert not org.manager2.notifications.exists()


@time_machine.travel(datetime(2026, 3, 2, 16, 0, tzinfo=SHANGHAI), tick=False)
def test_back_dated_response_is_overdue_at_once(org):
    r = post(org, score=3, responded_at=(timezone.now() - timedelta(hours=5)).isoformat())
    overdue = {d["kind"] for d in r.json()["case"]["deadlines"] if d["status"] == "overdue"}
    assert overdue == {"contact", "plan"}


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"score": 11}, "score"),
        ({"score": -1}, "score"),
        ({"score": "ten"}, "score"),
        ({"store": "S99"}, "store"),
        ({"store": "R1"}, "store"),
        ({"store": 1}, "store"),
        ({"store": True}, "store"),
        ({"store": ["S01"]}, "store"),
        ({"store": None}, "store"),
        ({"source": ""}, "source"),
        ({"external_id": ""}, "external_id"),
        ({"customer": {"name": "无编号"}}, "customer"),
        ({"customer": "x"}, "customer"),
        ({"flags": ["bogus"]}, "flags"),
        ({"flags": ["vip"]}, "flags"),
        ({"responded_at": "yesterday"}, "responded_at"),
        ({"responded_at": "2999-01-01T00:00:00Z"}, "responded_at"),
        ({"service_record": {"order_number": "RO", "amount": "-5"}}, "service_record"),
        ({"service_record": {"order_number": "RO", "amount": "abc"}}, "service_record"),
        ({"comment": "x" * 5001}, "comment"),
    ],
)
def test_bad_input_is_400_with_field_errors_and_stores_nothing(org, over, field):
    r = post(org, **{"score": 0, **over})
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert SurveyResponse.objects.count() == 0
    assert Case.objects.count() == 0 and Customer.objects.count() == 0


def test_one_response_s_errors_or_values_never_carry_into_the_next(org):
    """The intake validates and answers with serializers built once per thread: each request
    must still get only its own errors and its own values."""
    first = post(org, n="a", store="S99")
    assert first.status_code == 400 and set(first.json()) == {"store"}
    stored = post(org, n="b", score=9, comment="好")
    assert stored.status_code == 201 and stored.json()["case"] is None
    opened = post(org, n="c", score=1)
    assert opened.status_code == 201 and opened.json()["case"]["level"] == "L3"
    second = post(org, n="d", score=11)
    assert second.status_code == 400 and set(second.json()) == {"score"}
    again = post(org, n="e", score=9)
    assert again.status_code == 201
    assert (again.json()["external_id"], again.json()["case"]) == ("e", None)


def test_caller_outside_the_store_is_refused(org):
    r = api_as(org.manager2).post(URL, body(score=0), format="json")
    assert r.status_code == 403
    assert Case.objects.count() == 0


def test_anonymous_caller_is_refused(org, api):
    assert api.post(URL, body(score=0), format="json").status_code in (401, 403)


def test_token_auth_works_for_integrations(org, api):
    r = api.post("/api/v1/auth/token/", {"username": "integration", "password": "pw-for-tests"})
    assert r.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    assert api.post(URL, body(score=1), format="json").status_code == 201


def test_bad_token_login_is_400(org, api):
    r = api.post("/api/v1/auth/token/", {"username": "integration", "password": "wrong"})
    assert r.status_code == 400


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_resends_store_one_response_and_one_case(org):
    statuses = run_concurrently(lambda: post(org, n="dup", score=0).status_code, times=6)
    assert sorted(statuses) == [200] * 5 + [201]
    assert SurveyResponse.objects.count() == 1 and Case.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_responses_from_one_customer_open_one_case(org):
    numbers = iter(range(4))
    run_concurrently(lambda: post(org, n=f"same-{next(numbers)}", score=1,
                                  customer={"external_id": "one", "name": "同一人"}), times=4)
    assert Case.objects.count() == 1
    assert SurveyResponse.objects.filter(rescore=True).count() == 3


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_good_score_sent_while_a_case_opens_for_that_customer_re_scores_it(org, monkeypatch):
    """The good score waits on the customer row the low score's intake holds, and then finds
    the case that intake opened: it is recorded as the case's re-score, not lost beside it."""
    opened, release = threading.Event(), threading.Event()
    case_open = services.case_open

    def case_open_then_wait(**kwargs):
        case = case_open(**kwargs)
        opened.set()
        release.wait(timeout=20)
        return case

    monkeypatch.setattr(services, "case_open", case_open_then_wait)
    cust = {"external_id": "one", "name": "同一人"}
    answers = {}

    def send(name, score):
        try:
            answers[name] = post(org, n=name, score=score, customer=cust)
        finally:
            connection.close()

    low = threading.Thread(target=send, args=("low", 1))
    low.start()
    assert opened.wait(timeout=20)
    good = threading.Thread(target=send, args=("good", 10))
    good.start()
    with connection.cursor() as cursor:
        for _ in range(200):  # until the good score's intake waits on the customer's row lock
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the second intake never waited for the first")
    release.set()
    low.join()
    good.join()
    case = Case.objects.get()
    assert answers["good"].json()["rescore"] is True
    assert answers["good"].json()["case"]["id"] == case.pk
    assert (case.score_before, case.score_after) == (1, 10)
