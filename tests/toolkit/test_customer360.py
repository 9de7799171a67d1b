from datetime import date, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from cases.models import CaseEvent
from tests.conftest import api_as
from tests.factories import open_case
from toolkit.selectors import customer_360
from toolkit.services import contact_log, team_member_add

from .conftest import walk


def record(n, service_type, days_ago):
    return {"order_number": f"RO-{n}", "service_type": service_type,
            "visit_at": timezone.now() - timedelta(days=days_ago), "amount": 800}


@pytest.fixture
def customer_case(org):
    """A customer with two earlier visits for 悬挂异响 and one earlier (closed) case."""
    first = open_case(store=org.S01, score=4, customer_id="c360",
                      service_record=record(1, "悬挂异响", 60),
                      responded_at=timezone.now() - timedelta(days=60))
    walk(first, ["contact", "propose", "start", "resolve", "close"], org.manager1)
    open_case(store=org.S03, score=2, customer_id="c360",
              service_record=record(2, "悬挂异响", 20))
    return open_case(store=org.S01, score=0, customer_id="c360",
                     service_record=record(3, "悬挂异响", 0))


def test_360_shows_profile_cases_visits_and_the_repeated_problem(org, customer_case):
    body = api_as(org.manager1).get(f"/api/v1/customers/{customer_case.customer_id}/").json()
    assert body["name"] == customer_case.customer.name and body["segment"] == "regular"
    # Nothing of S03 (not manager1's): its case, its visit, nor the visit in the repeat count.
    assert len(body["cases"]) == 2
    assert [v["store"] for v in body["visits"]] == ["S01", "S01"]
    assert body["repeat_problems"] == [{"service_type": "悬挂异响", "visits": 2}]
    assert "multiple_repair" in body["cases"][0]["flags"]


def test_the_regional_director_sees_both_stores(org, customer_case):
    body = api_as(org.regional1).get(f"/api/v1/customers/{customer_case.customer_id}/").json()
    assert len(body["cases"]) == 3
    assert len(body["visits"]) == 3
    assert body["repeat_problems"] == [{"service_type": "悬挂异响", "visits": 3}]


def test_a_customer_without_a_case_in_scope_is_not_found(org, customer_case):
    assert api_as(org.manager2).get(
        f"/api/v1/customers/{customer_case.customer_id}/").status_code == 404


def test_compensation_received_is_read_from_the_compensation_app(org, customer_case):
    body = api_as(org.manager1).get(f"/api/v1/customers/{customer_case.customer_id}/").json()
    if not apps.is_installed("compensation") or not apps.all_models["compensation"].get(
            "issuedcompensation"):
        assert body["compensation_received"] is None
    else:
        assert body["compensation_received"] == "0.00"


def test_profile_update_records_birthday_and_notes_the_active_cases(org, customer_case):
    response = api_as(org.manager1).put(f"/api/v1/customers/{customer_case.customer_id}/", {
        "birthday": "1985-03-02", "vehicle": "Model S 粤B·12345",
        "preferences": "下午联系"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["birthday"] == "1985-03-02"
    event = CaseEvent.objects.filter(case=customer_case, kind="note").last()
    assert event.data["toolkit"] == "customer_profile"


def test_a_birthday_in_the_future_is_refused(org, customer_case):
    response = api_as(org.manager1).put(f"/api/v1/customers/{customer_case.customer_id}/", {
        "birthday": (timezone.localdate() + timedelta(days=3)).isoformat()}, format="json")
    assert response.status_code == 400 and "birthday" in response.json()


class TestCareReminders:
    def test_an_upcoming_birthday_is_a_follow_up_until_greeted(self, org, customer_case):
        today = timezone.localdate()
        soon = today + timedelta(days=3)
        api_as(org.manager1).put(f"/api/v1/customers/{customer_case.customer_id}/", {
            "birthday": date(1990, soon.month, soon.day).isoformat()}, format="json")
        view = customer_360(user=org.manager1, customer_id=customer_case.customer_id)
        birthday = [r for r in view.care_reminders if r.kind == "birthday"]
        assert birthday and birthday[0].due == soon and not birthday[0].done
        contact_log(case_id=customer_case.pk, actor=org.manager1, channel="wechat",
                    outcome="sent", purpose="birthday", note="生日祝福")
        view = customer_360(user=org.manager1, customer_id=customer_case.customer_id)
        assert [r.done for r in view.care_reminders if r.kind == "birthday"] == [True]

    def test_a_far_birthday_shows_no_reminder(self, org, customer_case):
        far = timezone.localdate() + timedelta(days=40)
        api_as(org.manager1).put(f"/api/v1/customers/{customer_case.customer_id}/", {
            "birthday": date(1990, far.month, min(far.day, 28)).isoformat()}, format="json")
        view = customer_360(user=org.manager1, customer_id=customer_case.customer_id)
        assert [r for r in view.care_reminders if r.kind == "birthday"] == []

    def test_the_30_day_maintenance_invitation_follows_resolution(self, org, customer_case):
        walk(customer_case, ["contact", "propose", "start", "resolve"], org.manager1)
        view = customer_360(user=org.manager1, customer_id=customer_case.customer_id)
        invitations = [r for r in view.care_reminders if r.kind == "maintenance"
                       and r.case_id == customer_case.pk]
        assert invitations[0].due == timezone.localdate(customer_case.resolved_at
                                                        + timedelta(days=30))
        assert not invitations[0].done


def test_a_team_member_from_another_store_sees_the_customer(org, customer_case):
    team_member_add(case_id=customer_case.pk, actor=org.manager1, user=org.manager2,
                    role="senior_sa")
    body = api_as(org.manager2).get(f"/api/v1/customers/{customer_case.customer_id}/").json()
    assert [c["id"] for c in body["cases"]] == [customer_case.pk]
    assert [v["order_number"] for v in body["visits"]] == ["RO-3", "RO-1"]
