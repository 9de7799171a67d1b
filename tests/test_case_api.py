"""Manual incidents, the checklist and severity changes through the API."""

import pytest

from cases.models import Case, ChecklistTemplateItem, FailureType
from tests.conftest import api_as
from tests.factories import open_case

INCIDENTS = "/api/v1/cases/"


def incident(**over):
    data = {"customer": {"name": "路人甲", "phone": "13700000000"}, "failure_type": "attitude",
            "description": "客户在店内等待三小时无人接待"}
    data.update(over)
    return data


def test_sa_logs_an_incident_for_own_store_without_naming_it(org):
    r = api_as(org.advisor1).post(INCIDENTS, incident(), format="json")
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["store"] == "S01" and case["source"] == "incident"
    assert case["level"] == "L1" and case["state"] == "open"
    assert case["failure_type"] == "attitude"
    assert [e["kind"] for e in case["timeline"]] == ["opened"]
    assert case["timeline"][0]["actor"] == "advisor1"


def test_incident_with_flags_and_score_gets_the_right_level(org):
    r = api_as(org.advisor1).post(INCIDENTS, incident(flags=["onsite_complaint"], score=4),
                                  format="json")
    assert r.json()["level"] == "L2"
    r = api_as(org.advisor1).post(INCIDENTS, incident(description="刹车失灵"), format="json")
    assert r.json()["level"] == "L4" and "safety" in r.json()["flags"]


def test_incident_for_another_store_is_refused(org):
    r = api_as(org.advisor1).post(INCIDENTS, incident(store="S02"), format="json")
    assert r.status_code == 403
    assert Case.objects.count() == 0


def test_regional_director_must_name_the_store(org):
    r = api_as(org.regional1).post(INCIDENTS, incident(), format="json")
    assert r.status_code == 400 and "store" in r.json()
    r = api_as(org.regional1).post(INCIDENTS, incident(store="S03"), format="json")
    assert r.status_code == 201


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"description": ""}, "description"),
        ({"failure_type": "alien_invasion"}, "failure_type"),
        ({"customer": {}}, "customer"),
        ({"score": 42}, "score"),
        ({"flags": ["nope"]}, "flags"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
    ],
)
def test_bad_incident_is_400_and_stores_nothing(org, over, field):
    r = api_as(org.advisor1).post(INCIDENTS, incident(**over), format="json")
    assert r.status_code == 400 and field in r.json()
    assert Case.objects.count() == 0


def test_checklist_fits_the_failure_type(org):
    hotel_like = api_as(org.advisor1).post(INCIDENTS, incident(failure_type="attitude"),
                                           format="json").json()
    car = api_as(org.advisor1).post(INCIDENTS, incident(failure_type="service_quality"),
                                    format="json").json()
    assert "loaner_car" not in {i["code"] for i in hotel_like["checklist"]}
    assert "loaner_car" in {i["code"] for i in car["checklist"]}


def test_checklist_templates_are_data(org):
    item = ChecklistTemplateItem.objects.create(code="spa_voucher", title="赠送SPA券",
                                                position=999)
    item.failure_types.add(FailureType.objects.get(code="attitude"))
    case = api_as(org.advisor1).post(INCIDENTS, incident(), format="json").json()
    assert case["checklist"][-1]["code"] == "spa_voucher"


def test_ticking_the_checklist_moves_progress_and_is_recorded(org):
    case = open_case(store=org.S01, score=2)
    items = list(case.checklist.all())
    client = api_as(org.manager1)
    for item in items[:3]:
        r = client.post(f"/api/v1/cases/{case.pk}/checklist/{item.pk}/", {"done": True},
                        format="json")
        assert r.status_code == 200 and r.json()["done"] is True
    detail = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["progress"] == round(100 * 3 / len(items))
    assert [e["kind"] for e in detail["timeline"]].count("checklist") == 3
    client.post(f"/api/v1/cases/{case.pk}/checklist/{items[0].pk}/", {"done": False},
                format="json")
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["progress"] == round(
        100 * 2 / len(items))


def test_checklist_of_another_stores_case_is_404_and_advisor_cannot_tick_l2(org):
    case = open_case(store=org.S01, score=2)
    item = case.checklist.first()
    url = f"/api/v1/cases/{case.pk}/checklist/{item.pk}/"
    assert api_as(org.manager2).post(url, {"done": True}, format="json").status_code == 404
    assert api_as(org.advisor1).post(url, {"done": True}, format="json").status_code == 403
    item.refresh_from_db()
    assert item.done_at is None


def test_owner_changes_severity_and_it_is_recorded(org):
    case = open_case(store=org.S01, score=2)
    url = f"/api/v1/cases/{case.pk}/severity/"
    r = api_as(org.manager1).post(url, {"severity": "crisis", "note": "客户威胁曝光"},
                                  format="json")
    assert r.status_code == 200 and r.json()["severity"] == "crisis"
    event = case.events.get(kind="severity_changed")
    assert event.data == {"from": "moderate", "to": "crisis"} and event.actor == org.manager1
    assert api_as(org.manager1).post(url, {"severity": "huge"}, format="json").status_code == 400
    assert api_as(org.advisor1).post(url, {"severity": "minor"}, format="json").status_code == 403
