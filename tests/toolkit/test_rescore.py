from datetime import timedelta

from django.utils import timezone

from cases.models import Case, CaseEvent, SurveyResponse
from cases.services import survey_response_receive
from tests.conftest import api_as
from tests.factories import open_case
from toolkit.services import rescore_record

from .conftest import walk


def resend(org, *, store, customer_id, score, n):
    return survey_response_receive(
        actor=org.integration, store=store, source="dms", external_id=f"again-{n}",
        score=score, comment="已经修好了", flags=[], responded_at=timezone.now(),
        customer={"external_id": customer_id, "name": "李先生", "phone": "", "vip": False},
        service_record=None,
    ).response


def test_a_manual_rescore_shows_before_and_after(org, l2_case):
    response = api_as(org.manager1).post(f"/api/v1/cases/{l2_case.pk}/rescore/",
                                         {"score": 10, "note": "回访后客户改为10分"},
                                         format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["score_before"], body["score_after"]) == (5, 10)
    assert body["rescored_at"] and body["warnings"] == []
    assert CaseEvent.objects.filter(case=l2_case, kind="rescored").count() == 1


def test_a_rescore_outside_0_to_10_is_refused_and_changes_nothing(org, l2_case):
    for score in (11, -1, "ten", None):
        response = api_as(org.manager1).post(f"/api/v1/cases/{l2_case.pk}/rescore/",
                                             {"score": score}, format="json")
        assert response.status_code == 400 and "score" in response.json()
    l2_case.refresh_from_db()
    assert l2_case.score_after is None


def test_a_closed_case_is_not_rescored_by_hand(org, resolved_case):
    walk(resolved_case, ["close"], org.manager1)
    response = api_as(org.manager1).post(f"/api/v1/cases/{resolved_case.pk}/rescore/",
                                         {"score": 9}, format="json")
    assert response.status_code == 409


def test_a_resurvey_while_the_case_is_open_links_instead_of_opening_another(org):
    case = open_case(store=org.S01, score=2, customer_id="c-resurvey")
    response = resend(org, store=org.S01, customer_id="c-resurvey", score=9, n=1)
    assert response.case_id == case.pk and response.rescore is True
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert (case.score_before, case.score_after) == (2, 9)


def test_a_resurvey_while_following_up_links_to_the_case(org):
    case = open_case(store=org.S01, score=2, customer_id="c-follow",
                     responded_at=timezone.now() - timedelta(hours=5))
    walk(case, ["contact", "propose", "start", "resolve", "follow_up"], org.manager1)
    response = resend(org, store=org.S01, customer_id="c-follow", score=10, n=2)
    assert response.case_id == case.pk and response.rescore
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.score_after == 10


def test_a_low_resurvey_after_the_case_closed_opens_a_new_case(org):
    case = open_case(store=org.S01, score=2, customer_id="c-closed",
                     responded_at=timezone.now() - timedelta(hours=5))
    walk(case, ["contact", "propose", "start", "resolve", "close"], org.manager1)
    response = resend(org, store=org.S01, customer_id="c-closed", score=3, n=3)
    assert response.case_id != case.pk and not response.rescore
    assert SurveyResponse.objects.filter(rescore=True).count() == 0


def test_a_rescore_note_is_screened(org, l2_case):
    result = rescore_record(case_id=l2_case.pk, actor=org.manager1, score=8,
                            note="客户说可能是我们有些地方做得不够好")
    assert [w.category for w in result.warnings] == ["vague_admission"]
