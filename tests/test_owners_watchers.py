"""Issue 19: hand a case to another owner with a reason, watchers who receive the case's
notifications, @mentions in notes that notify."""

import time_machine
from django.utils import timezone

from cases.models import Case
from escalation.sweep import sweep
from notifications.models import Notification
from tests.conftest import api_as, client_for
from tests.escalation.conftest import T0
from tests.factories import open_case


def reassign(user, case, **data):
    return api_as(user).post(f"/api/v1/cases/{case.pk}/owner/", data, format="json")


def notified(case, kind) -> set[str]:
    return set(Notification.objects.filter(case=case, kind=kind)
               .values_list("recipient__username", flat=True))


def test_a_manager_reassigns_with_a_reason_and_the_new_owner_is_told(org):
    case = open_case(store=org.S01, score=5)
    assert case.owner == org.manager1
    assert reassign(org.manager1, case, owner="director1").status_code == 400  # no reason
    r = reassign(org.manager1, case, owner="director1", reason="经理休假,由总监跟进")
    assert r.status_code == 200, r.content
    case.refresh_from_db()
    assert case.owner == org.director1
    event = case.events.get(kind="reassigned")
    assert (event.note, event.data) == ("经理休假,由总监跟进",
                                        {"from": "manager1", "to": "director1"})
    assert notified(case, "reassigned") == {"director1"}


def test_only_allowed_roles_reassign_and_only_to_someone_who_may_work_the_case(org):
    case = open_case(store=org.S01, score=5)  # L2: a manager or above works it
    assert reassign(org.advisor1, case, owner="director1", reason="x").status_code == 403
    assert reassign(org.manager2, case, owner="director1", reason="x").status_code == 404
    r = reassign(org.manager1, case, owner="advisor1", reason="交给顾问")
    assert r.status_code == 400 and "owner" in r.json()
    r = reassign(org.manager1, case, owner="manager2", reason="另一家店")  # out of scope
    assert r.status_code == 400
    assert Case.objects.get(pk=case.pk).owner == org.manager1


def test_deadline_warnings_follow_the_new_owner(org):
    with time_machine.travel(T0, tick=False) as clock:
        case = open_case(store=org.S01, score=5)
        reassign(org.manager1, case, owner="director1", reason="交接")
        clock.move_to(case.deadlines.get(kind="contact").warn_at)
        assert sweep().warned >= 1
        assert notified(case, "warned") == {"director1"}


def test_watchers_receive_the_cases_notifications(org):
    with time_machine.travel(T0, tick=False) as clock:
        case = open_case(store=org.S01, score=5)
        api = api_as(org.manager1)
        assert api.post(f"/api/v1/cases/{case.pk}/watchers/", {"user": "advisor1"},
                        format="json").json()["watchers"] == ["advisor1"]
        # The advisor may stop watching; an advisor may not add someone else.
        assert api_as(org.advisor1).post(f"/api/v1/cases/{case.pk}/watchers/",
                                         {"user": "director1"},
                                         format="json").status_code == 403
        # Someone outside the case's scope cannot be made a watcher.
        r = api.post(f"/api/v1/cases/{case.pk}/watchers/", {"user": "manager2"}, format="json")
        assert r.status_code == 400
        clock.move_to(case.deadlines.get(kind="contact").warn_at)
        sweep()
        assert notified(case, "warned") == {"manager1", "advisor1"}
        clock.move_to(case.deadlines.get(kind="contact").due_at)
        sweep()
        assert "advisor1" in notified(case, "escalated")
        r = api_as(org.advisor1).delete(f"/api/v1/cases/{case.pk}/watchers/", {},
                                        format="json")
        assert r.json()["watchers"] == []


def test_a_mention_in_a_note_notifies_the_colleague_within_scope(org):
    case = open_case(store=org.S01, score=5)
    r = api_as(org.manager1).post(f"/api/v1/cases/{case.pk}/notes/",
                                  {"note": "@director1 请协助联系客户 @manager2 @nobody"},
                                  format="json")
    assert r.status_code == 201, r.content
    assert notified(case, "mentioned") == {"director1"}  # manager2 cannot see this case
    mention = Notification.objects.get(case=case, kind="mentioned")
    assert "manager1" in mention.title and "@director1" in mention.body
    assert api_as(org.manager1).post(f"/api/v1/cases/{case.pk}/notes/", {"note": " "},
                                     format="json").status_code == 400


def test_mentions_work_in_any_note_and_on_the_page(org):
    case = open_case(store=org.S01, score=5)
    client = client_for(org.manager1)
    client.post(f"/cases/{case.pk}/notes/", {"note": "请 @area1 关注"})
    assert notified(case, "mentioned") == {"area1"}
    api_as(org.manager1).post(f"/api/v1/cases/{case.pk}/contacts/", {
        "channel": "phone", "outcome": "reached", "note": "已致电,@regional1 知悉",
        "at": timezone.now().isoformat()}, format="json")
    assert notified(case, "mentioned") == {"area1", "regional1"}


def test_the_page_reassigns_and_adds_watchers(org):
    case = open_case(store=org.S01, score=5)
    client = client_for(org.manager1)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/cases/{case.pk}/owner/"' in page
    client.post(f"/cases/{case.pk}/owner/", {"owner": org.director1.pk, "reason": ""})
    assert Case.objects.get(pk=case.pk).owner == org.manager1
    client.post(f"/cases/{case.pk}/owner/", {"owner": org.director1.pk, "reason": "交接"})
    assert Case.objects.get(pk=case.pk).owner == org.director1
    client.post(f"/cases/{case.pk}/watchers/", {"user": org.advisor1.pk})
    client_for(org.regional1).post(f"/cases/{case.pk}/watchers/", {})
    assert set(case.watchers.values_list("user__username", flat=True)) == {"advisor1",
                                                                           "regional1"}
    advisor_page = client_for(org.advisor1).get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/cases/{case.pk}/owner/"' not in advisor_page
