"""Seed 001 工具2 end to end (issue #20): a 0-score response from a VIP whose suspension was
repaired three times (¥1 200 a visit), public complaint threatened → intake → quote →
offer → approval. The severity is set explicitly (severe, as in the seed): how intake derives it
is triage's business."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import time_machine

from cases.models import Case, FailureType, ServiceRecord
from tests.conftest import api_as
from tests.factories import open_case, sop_contact

NOW = datetime(2026, 8, 15, 9, 0, tzinfo=UTC)
SEED_PLAN = {"waive_repeat_fees": D("3600.00"), "extended_warranty": D("5000.00"),
             "priority_lane": D("100.00"), "loaner_car": D("300.00"), "gift": D("500.00"),
             "apology_visit": D("0.00")}


def _seed_case(org):
    for n, days in enumerate((60, 30), start=1):
        first = open_case(store=org.S01, score=6, customer_id="li-8156", vip=True,
                          responded_at=NOW - timedelta(days=days), service_record={
                              "order_number": f"RO-2024-08-{n}", "service_type": "悬挂异响",
                              "visit_at": NOW - timedelta(days=days), "amount": D("1200")})
        Case.objects.filter(pk=first.pk).update(state="closed")
    case = open_case(store=org.S01, score=0, customer_id="li-8156", vip=True,
                     comment="同一个问题修了3次还没修好,我要去12315投诉",
                     flags=["public_complaint"], responded_at=NOW, service_record={
                         "order_number": "RO-2024-08-156", "service_type": "悬挂异响",
                         "visit_at": NOW - timedelta(hours=2), "amount": D("1200")})
    Case.objects.filter(pk=case.pk).update(
        severity="severe", failure_type=FailureType.objects.get(code="service_quality"),
        flags=["multiple_repair", "public_complaint", "vip"])
    return sop_contact(case, org.manager1)


def test_the_seeds_worked_example_from_intake_to_approval(org):
    with time_machine.travel(NOW, tick=False):
        case = _seed_case(org)
        assert ServiceRecord.objects.filter(customer=case.customer).count() == 3
        quote = api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/quote/").json()
        assert quote["coefficient"] == "8.1"
        assert quote["base_value"] == "2000.00"  # this repair ¥1 200 + next maintenance ¥800
        assert quote["target_value"] == "16200.00"
        basic, expected, surprise = quote["options"]
        assert {i["code"]: D(i["value"]) for i in basic["items"]} == {
            "waive_fee": D("1200.00"), "free_maintenance": D("800.00")}
        assert [o["recommended"] for o in quote["options"]] == [False, False, True]
        assert {i["code"]: D(i["value"]) for i in surprise["items"]} == SEED_PLAN
        assert abs(D(surprise["total_value"]) - D("9100")) <= D("9100") * D("0.15")
        assert D(basic["total_value"]) < D(expected["total_value"]) < D(surprise["total_value"])
        # Above the severe range (2 000–5 000), and it says why: the budget allows it.
        assert surprise["flags"] == ["outside_range"]
        assert surprise["range_note"]

        offer = api_as(org.manager1).post(f"/api/v1/cases/{case.pk}/offers/",
                                          {"tier": "surprise", "note": "李先生选择方案三"},
                                          format="json").json()
        assert offer["total_value"] == surprise["total_value"]
        assert offer["approval"]["approver_role"] == "area_director"
        decided = api_as(org.area1).post(f"/api/v1/approvals/{offer['approval']['id']}/approve/",
                                         {"note": "同意"}, format="json")
    assert decided.status_code == 200, decided.content
    assert Case.objects.get(pk=case.pk).state == "in_progress"


def test_only_this_stores_earlier_visits_for_the_problem_are_waived(org):
    with time_machine.travel(NOW, tick=False):
        elsewhere = open_case(store=org.S03, score=6, customer_id="li-8156", vip=True,
                              responded_at=NOW - timedelta(days=90), service_record={
                                  "order_number": "RO-S03-1", "service_type": "悬挂异响",
                                  "visit_at": NOW - timedelta(days=90), "amount": D("5000")})
        Case.objects.filter(pk=elsewhere.pk).update(state="closed")
        other_problem = open_case(store=org.S01, score=6, customer_id="li-8156", vip=True,
                                  responded_at=NOW - timedelta(days=80), service_record={
                                      "order_number": "RO-S01-oil", "service_type": "保养",
                                      "visit_at": NOW - timedelta(days=80),
                                      "amount": D("700")})
        Case.objects.filter(pk=other_problem.pk).update(state="closed")
        case = _seed_case(org)
        quote = api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/quote/").json()
    surprise = {i["code"]: i["value"] for i in quote["options"][2]["items"]}
    assert surprise["waive_repeat_fees"] == "3600.00"
