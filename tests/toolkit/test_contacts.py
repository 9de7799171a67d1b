from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Case, CaseEvent, State
from escalation.models import Deadline, DeadlineKind
from tests.conftest import api_as
from tests.factories import open_case
from toolkit.models import Contact
from toolkit.services import contact_log

from .conftest import walk


def url(case):
    return f"/api/v1/cases/{case.pk}/contacts/"


def test_first_call_by_the_manager_makes_the_case_contacted_and_meets_the_2h_deadline(
        org, l2_case):
    response = api_as(org.manager1).post(url(l2_case), {
        "channel": "phone", "outcome": "reached", "purpose": "first_call",
        "note": "已致电道歉,客户同意明天上门检查。"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["met_deadline"] == "contact" and body["warnings"] == []
    l2_case.refresh_from_db()
    assert l2_case.state == State.CONTACTED and l2_case.contacted_at is not None
    assert Deadline.objects.get(case=l2_case, kind=DeadlineKind.CONTACT).met_at is not None
    event = CaseEvent.objects.filter(case=l2_case, kind="note").last()
    assert event.data["toolkit"] == "contact" and event.data["met_deadline"] == "contact"


def test_an_advisor_may_not_make_the_first_contact_of_an_l2_case(org, l2_case):
    response = api_as(org.advisor1).post(url(l2_case), {"channel": "phone",
                                                        "outcome": "reached"}, format="json")
    assert response.status_code == 403
    assert not Contact.objects.exists()
    l2_case.refresh_from_db()
    assert l2_case.state == State.OPEN


def test_an_advisor_makes_the_first_contact_of_an_l1_case(org):
    case = open_case(store=org.S01, score=6)
    contact_log(case_id=case.pk, actor=org.advisor1, channel="phone", outcome="reached")
    case.refresh_from_db()
    assert case.state == State.CONTACTED


def test_an_unanswered_call_is_logged_but_is_not_the_first_contact(org, l2_case):
    result = contact_log(case_id=l2_case.pk, actor=org.manager1, channel="phone",
                         outcome="no_answer")
    l2_case.refresh_from_db()
    assert result.obj.met_deadline == "" and l2_case.state == State.OPEN
    assert Deadline.objects.get(case=l2_case, kind=DeadlineKind.CONTACT).met_at is None


def test_an_sms_cannot_be_reached_and_never_counts_as_first_contact(org, l2_case):
    with pytest.raises(ValidationError):
        contact_log(case_id=l2_case.pk, actor=org.manager1, channel="sms", outcome="reached")
    contact_log(case_id=l2_case.pk, actor=org.manager1, channel="sms", outcome="sent")
    l2_case.refresh_from_db()
    assert l2_case.state == State.OPEN


def test_a_back_dated_first_call_meets_the_deadline_at_its_own_time(org, l2_case):
    at = timezone.now() - timedelta(minutes=30)
    contact_log(case_id=l2_case.pk, actor=org.manager1, channel="visit", outcome="reached",
                at=at)
    assert Deadline.objects.get(case=l2_case, kind=DeadlineKind.CONTACT).met_at == at


def test_a_forbidden_phrase_warns_but_is_saved(org, l2_case):
    response = api_as(org.manager1).post(url(l2_case), {
        "channel": "phone", "outcome": "reached", "note": "跟客户说了我需要请示一下领导"},
        format="json")
    assert response.status_code == 201
    assert [w["category"] for w in response.json()["warnings"]] == ["stalling"]
    assert Contact.objects.count() == 1


def test_strict_checking_refuses_a_forbidden_phrase_and_stores_nothing(org, l2_case):
    response = api_as(org.manager1).post(url(l2_case), {
        "channel": "phone", "outcome": "reached", "note": "很抱歉,但是这不是我们的问题",
        "strict": True}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    assert not Contact.objects.exists()
    l2_case.refresh_from_db()
    assert l2_case.state == State.OPEN


@pytest.mark.parametrize("body", [
    {"channel": "pigeon", "outcome": "reached"},
    {"channel": "phone"},
    {"channel": "phone", "outcome": "reached", "at": "not a time"},
    {"channel": "phone", "outcome": "reached", "at": "2999-01-01T00:00:00Z"},
    {"channel": "letter", "outcome": "reached"},
])
def test_bad_input_is_refused_with_field_errors_and_nothing_is_stored(org, l2_case, body):
    response = api_as(org.manager1).post(url(l2_case), body, format="json")
    assert response.status_code == 400
    assert not Contact.objects.exists()
    assert not CaseEvent.objects.filter(case=l2_case, kind="note").exists()


def test_a_contact_before_the_case_existed_is_refused(org, l2_case):
    response = api_as(org.manager1).post(url(l2_case), {
        "channel": "phone", "outcome": "reached",
        "at": (l2_case.triggered_at - timedelta(days=1)).isoformat()}, format="json")
    assert response.status_code == 400 and "at" in response.json()


def test_contacts_are_hidden_outside_the_users_scope(org, l2_case):
    assert api_as(org.manager2).get(url(l2_case)).status_code == 404
    assert api_as(org.manager2).post(url(l2_case), {"channel": "phone", "outcome": "reached"},
                                     format="json").status_code == 404


def test_the_contact_list_shows_every_touch_newest_first(org, l2_case):
    contact_log(case_id=l2_case.pk, actor=org.manager1, channel="phone", outcome="no_answer",
                at=timezone.now() - timedelta(minutes=20))
    contact_log(case_id=l2_case.pk, actor=org.manager1, channel="phone", outcome="reached")
    contact_log(case_id=l2_case.pk, actor=org.advisor1, channel="wechat", outcome="sent",
                note="发送了维修进度照片")
    rows = api_as(org.advisor1).get(url(l2_case)).json()["results"]
    assert [r["outcome"] for r in rows] == ["sent", "reached", "no_answer"]
    assert rows[0]["by"]["username"] == "advisor1"


def test_a_closed_case_takes_no_more_contacts(org, resolved_case):
    walk(resolved_case, ["close"], org.manager1)
    response = api_as(org.manager1).post(url(resolved_case), {"channel": "phone",
                                                              "outcome": "reached"},
                                         format="json")
    assert response.status_code == 409


class TestFollowUpDeadlines:
    """A touch the customer got while the case is resolved or following up meets the earliest
    waiting follow-up deadline once its window has opened (3 d from resolution, 7 d from the
    3-day due time, 30 d from the 7-day one); one touch meets one deadline."""

    def met(self, case):
        return set(Deadline.objects.filter(case=case, kind__startswith="followup",
                                           met_at__isnull=False).values_list("kind", flat=True))

    def test_a_message_on_day_one_meets_the_3_day_follow_up_only(self, org, resolved_case):
        with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
            result = contact_log(case_id=resolved_case.pk, actor=org.advisor1,
                                 channel="wechat", outcome="sent", purpose="follow_up")
        assert result.obj.met_deadline == "followup_3d"
        assert self.met(resolved_case) == {"followup_3d"}

    def test_a_second_touch_before_day_three_meets_nothing(self, org, resolved_case):
        with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
            contact_log(case_id=resolved_case.pk, actor=org.manager1, channel="phone",
                        outcome="reached")
            second = contact_log(case_id=resolved_case.pk, actor=org.manager1,
                                 channel="phone", outcome="reached")
        assert second.obj.met_deadline == ""
        assert self.met(resolved_case) == {"followup_3d"}

    def test_the_day_seven_call_and_day_thirty_invitation_meet_theirs(self, org, resolved_case):
        start = timezone.now()
        for day, kind in ((2, "followup_3d"), (6, "followup_7d"), (29, "followup_30d")):
            with time_machine.travel(start + timedelta(days=day), tick=False):
                result = contact_log(case_id=resolved_case.pk, actor=org.manager1,
                                     channel="phone", outcome="reached")
            assert result.obj.met_deadline == kind

    def test_a_late_touch_meets_the_overdue_deadline_first(self, org, resolved_case):
        with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
            result = contact_log(case_id=resolved_case.pk, actor=org.manager1,
                                 channel="phone", outcome="reached")
        assert result.obj.met_deadline == "followup_3d"

    def test_an_unanswered_call_meets_no_follow_up(self, org, resolved_case):
        contact_log(case_id=resolved_case.pk, actor=org.manager1, channel="phone",
                    outcome="no_answer")
        assert self.met(resolved_case) == set()


def test_an_advisor_may_log_follow_ups_of_an_l2_case_after_the_first_call(org, resolved_case):
    result = contact_log(case_id=resolved_case.pk, actor=org.advisor1, channel="sms",
                         outcome="sent")
    assert result.obj.met_deadline == "followup_3d"


def test_an_advisor_of_another_store_cannot_log(org, l2_case):
    with pytest.raises(Case.DoesNotExist):
        contact_log(case_id=l2_case.pk, actor=org.advisor2, channel="phone", outcome="reached")
    assert not Contact.objects.exists()
