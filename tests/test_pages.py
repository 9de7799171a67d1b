"""Every page enforces the API's scope: another store's case does not exist; bad input shows an
error and changes nothing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases.models import Case
from tests.conftest import client_for
from tests.factories import open_case
from toolkit.models import Contact, RootCause

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(org):
    return open_case(store=org.S01, score=2)


CASE_PAGES = ["/cases/{id}/", "/cases/{id}/contact/", "/cases/{id}/compensate/",
              "/cases/{id}/letter/"]
CASE_POSTS = ["/cases/{id}/contacts/", "/cases/{id}/rescore/", "/cases/{id}/root-cause/",
              "/cases/{id}/offers/", "/cases/{id}/transitions/contact/"]


@pytest.mark.parametrize("url", CASE_PAGES)
def test_case_pages_open_in_scope_and_404_for_another_store(org, case, url):
    assert client_for(org.manager1).get(url.format(id=case.pk)).status_code == 200
    assert client_for(org.regional1).get(url.format(id=case.pk)).status_code == 200
    assert client_for(org.manager2).get(url.format(id=case.pk)).status_code == 404


@pytest.mark.parametrize("url", CASE_POSTS)
def test_writes_on_another_stores_case_are_404_and_change_nothing(org, case, url):
    response = client_for(org.manager2).post(url.format(id=case.pk),
                                             {"channel": "phone", "outcome": "reached",
                                              "score": 9, "tier": "basic"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == "open" and case.score_after is None
    assert not Contact.objects.exists()


def test_pages_need_login(case):
    for url in ["/", f"/cases/{case.pk}/", "/approvals/", "/escalations/"]:
        assert Client().get(url).status_code == 302


def test_contact_with_bad_input_shows_the_error_and_keeps_the_note(org, case):
    response = client_for(org.manager1).post(f"/cases/{case.pk}/contacts/", {
        "channel": "carrier-pigeon", "outcome": "reached", "purpose": "first_call",
        "note": "我亲自致电"})
    assert response.status_code == 400
    assert "我亲自致电" in response.content.decode()
    assert not Contact.objects.exists()
    case.refresh_from_db()
    assert case.state == "open"


def test_sa_may_not_make_the_first_call_of_an_l2_case(org, case):
    response = client_for(org.advisor1).post(f"/cases/{case.pk}/contacts/", {
        "channel": "phone", "outcome": "reached", "purpose": "first_call", "note": "x"})
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_contact_logged_by_the_manager_makes_the_case_contacted(org, case):
    response = client_for(org.manager1).post(f"/cases/{case.pk}/contacts/", {
        "channel": "phone", "outcome": "reached", "purpose": "first_call", "note": "已致歉"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "contacted"


def test_rescore_out_of_range_is_refused(org, case):
    response = client_for(org.manager1).post(f"/cases/{case.pk}/rescore/", {"score": 11})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.score_after is None


def test_root_cause_needs_an_owner_for_a_corrective_action(org, case):
    client = client_for(org.manager1)
    response = client.post(f"/cases/{case.pk}/root-cause/", {
        "category": "process_error", "why1": "没有预约提醒", "corrective_action": "上线提醒"})
    assert response.status_code == 400
    assert "没有预约提醒" in response.content.decode()
    assert not RootCause.objects.exists()
    response = client.post(f"/cases/{case.pk}/root-cause/", {
        "category": "process_error", "why1": "没有预约提醒", "why2": "系统未配置"})
    assert response.status_code == 302
    assert RootCause.objects.get().whys == ["没有预约提醒", "系统未配置"]


def test_checklist_tick_by_htmx_returns_the_list(org, case):
    item = case.checklist.first()
    response = client_for(org.manager1).post(f"/cases/{case.pk}/checklist/{item.pk}/",
                                             {"done": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "checklist" in response.content.decode()
    item.refresh_from_db()
    assert item.done_at is not None


def test_phrase_check_returns_warnings(org):
    response = client_for(org.manager1).post("/phrases/check/", {"note": "可能是我们的问题"})
    assert "可能是我们" in response.content.decode()


def test_escalations_inbox_shows_only_the_users_subtree(org, case):
    from django.utils import timezone

    from escalation.models import Deadline, Escalation

    deadline = Deadline.objects.filter(case=case).first()
    Escalation.objects.create(deadline=deadline, case=case, kind=deadline.kind,
                              from_level="L2", to_level="L4", target="regional_director",
                              due_at=deadline.due_at, fired_at=timezone.now())
    assert case.number in client_for(org.regional1).get("/escalations/").content.decode()
    assert case.number not in client_for(org.manager2).get("/escalations/").content.decode()


def test_region_dashboard_has_a_row_per_store(org, case):
    open_case(store=org.S02, score=1)
    page = client_for(org.hq1).get("/").content.decode()
    assert "S01" in page and "S02" in page
    regional = client_for(org.regional1).get("/").content.decode()
    assert "?store=S01" in regional and "?store=S02" not in regional
    assert Case.objects.count() == 2


def test_bell_leads_to_own_notifications_and_marks_them_read(org, client):
    case = open_case(store=org.S01, score=2)
    client.force_login(org.manager1)
    page = client.get("/notifications/").content.decode()
    assert case.number in page
    assert org.manager1.notifications.filter(read_at=None).exists()
    client.post("/notifications/read/")
    assert not org.manager1.notifications.filter(read_at=None).exists()
    client.force_login(org.manager2)
    assert case.number not in client.get("/notifications/").content.decode()


@time_machine.travel(datetime(2026, 3, 4, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_case_page_shows_the_recovery_chance(org, client):
    """Counted on the contact SLA's clock, business hours: from Friday 16:00 to Wednesday 16:00
    is 38 open hours (Saturday 02-28 is a 调休 working day)."""
    fresh = open_case(store=org.S01, score=2)
    late = open_case(store=org.S01, score=2, responded_at=timezone.now() - timedelta(days=5))
    client.force_login(org.manager1)
    assert 'class="prob p85"' in client.get(f"/cases/{fresh.pk}/").content.decode()
    assert 'class="prob p30"' in client.get(f"/cases/{late.pk}/").content.decode()


def test_owner_records_the_emotion_type_and_sees_the_advice(org, case):
    client = client_for(org.manager1)
    r = client.post(f"/cases/{case.pk}/emotion/", {"emotion": "angry", "note": "当场拍桌子"})
    assert r.status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "愤怒" in page or "生气" in page
    bad = client.post(f"/cases/{case.pk}/emotion/", {"emotion": "sleepy"})
    assert bad.status_code == 400
    assert client_for(org.manager2).post(f"/cases/{case.pk}/emotion/",
                                         {"emotion": "calm"}).status_code == 404
