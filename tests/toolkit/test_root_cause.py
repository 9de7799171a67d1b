from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent
from tests.conftest import api_as
from tests.factories import open_case
from toolkit.models import RootCause

WHYS = [  # seed 001 能力2
    "因为同一个问题修了3次还没修好", "因为一直没找到真正的问题根源", "因为技师诊断能力不足",
    "因为资深技师离职,新人经验少", "因为薪酬待遇不具竞争力",
]


def body(org, **over):
    return {"category": "human_negligence", "whys": WHYS, "root_cause": "人才管理问题",
            "department": "hr", "corrective_action": "建立专家会诊机制,强化诊断培训",
            "action_owner": org.director1.pk,
            "action_due": (timezone.localdate() + timedelta(days=30)).isoformat(), **over}


def test_the_5_why_chain_is_stored_and_noted(org, l2_case):
    url = f"/api/v1/cases/{l2_case.pk}/root-cause/"
    assert api_as(org.manager1).get(url).status_code == 404
    response = api_as(org.manager1).put(url, body(org), format="json")
    assert response.status_code == 200, response.json()
    out = api_as(org.manager1).get(url).json()
    assert out["whys"] == WHYS and out["department"]["code"] == "hr"
    assert out["action_owner"]["username"] == "director1"
    event = CaseEvent.objects.filter(case=l2_case, kind="note").last()
    assert event.data["toolkit"] == "root_cause" and event.data["category"] == "human_negligence"


@pytest.mark.parametrize("over", [
    {"category": "bad_luck"},
    {"whys": []},
    {"whys": ["1", "2", "3", "4", "5", "6"]},
    {"whys": ["为什么", "  "]},
    {"department": "nowhere"},
    {"action_owner": None},
    {"action_due": None},
    {"action_due": "2000-01-01"},
])
def test_bad_input_is_refused_and_nothing_stored(org, l2_case, over):
    response = api_as(org.manager1).put(f"/api/v1/cases/{l2_case.pk}/root-cause/",
                                        body(org, **over), format="json")
    assert response.status_code == 400, response.json()
    assert not RootCause.objects.exists()


def test_the_action_owner_must_see_the_case(org, l2_case):
    response = api_as(org.manager1).put(f"/api/v1/cases/{l2_case.pk}/root-cause/",
                                        body(org, action_owner=org.manager2.pk), format="json")
    assert response.status_code == 400 and "action_owner" in response.json()


def test_an_advisor_cannot_record_the_root_cause_of_an_l2_case(org, l2_case):
    response = api_as(org.advisor1).put(f"/api/v1/cases/{l2_case.pk}/root-cause/", body(org),
                                        format="json")
    assert response.status_code == 403


def test_the_report_groups_by_category_and_department_within_scope(org):
    for store, category, department in [
        ("S01", "human_negligence", "hr"), ("S01", "process_error", "it"),
        ("S03", "process_error", "it"), ("S02", "product_defect", "manufacturer"),
    ]:
        case = open_case(store=getattr(org, store), score=5)
        api_as(org.hq1).put(f"/api/v1/cases/{case.pk}/root-cause/", body(
            org, category=category, department=department, corrective_action="",
            action_owner=None, action_due=None), format="json")
    today = timezone.localdate().isoformat()
    report = api_as(org.regional1).get(
        f"/api/v1/reports/root-causes/?from={today}&to={today}").json()
    assert report["total"] == 3
    assert report["by_category"] == [{"category": "process_error", "cases": 2},
                                     {"category": "human_negligence", "cases": 1}]
    assert report["by_department"][0]["department"] == "it"
    assert api_as(org.hq1).get("/api/v1/reports/root-causes/").json()["total"] == 4
    assert api_as(org.hq1).get(
        "/api/v1/reports/root-causes/?from=2000-01-01&to=2000-01-02").json()["total"] == 0


def test_the_report_rejects_bad_dates(org):
    assert api_as(org.hq1).get("/api/v1/reports/root-causes/?from=soon").status_code == 400
    assert api_as(org.hq1).get(
        "/api/v1/reports/root-causes/?from=2024-02-01&to=2024-01-01").status_code == 400
