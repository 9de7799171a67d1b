import pytest
from django.utils import timezone

from tests.conftest import api_as
from toolkit.models import WordKind
from toolkit.services import case_visit_set


@pytest.fixture
def case(org, l2_case):
    l2_case.description = "悬挂异响第3次返修"
    l2_case.save(update_fields=["description"])
    case_visit_set(case_id=l2_case.pk, actor=org.manager1,
                   visit_at=timezone.now() + timezone.timedelta(days=1))
    return l2_case


@pytest.mark.parametrize("kind", WordKind.values)
def test_every_kind_renders_with_the_case_facts(org, case, kind):
    body = api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/words/{kind}/").json()
    assert body["kind"] == kind and body["language"] == "zh-hans"
    assert case.customer.name in body["text"] and "{" not in body["text"]


def test_the_first_call_names_score_manager_and_problem(org, case):
    text = api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/words/first_call/").json()["text"]
    assert "打了5分" in text and "悬挂异响第3次返修" in text
    assert case.owner.get_full_name() in text and case.store.name in text


def test_english_on_request_and_gaps_are_marked(org, case):
    text = api_as(org.manager1).get(
        f"/api/v1/cases/{case.pk}/words/plan_message/?lang=en").json()["text"]
    assert text.startswith("Dear ") and "[to be filled: offer]" in text


def test_the_booked_visit_appears_in_the_letter(org, case):
    text = api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/words/letter/").json()["text"]
    visit = timezone.localtime(case.toolkit_profile.visit_at)
    assert f"{visit.month}月{visit.day}日 {visit:%H:%M}" in text


def test_unknown_kind_or_language_or_case_outside_scope(org, case):
    client = api_as(org.manager1)
    assert client.get(f"/api/v1/cases/{case.pk}/words/poem/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/words/sara/?lang=fr").status_code == 400
    assert api_as(org.manager2).get(f"/api/v1/cases/{case.pk}/words/sara/").status_code == 404


def test_the_letter_prints(org, case, client):
    client.force_login(org.manager1)
    page = client.get(f"/cases/{case.pk}/letter/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "@media print" in html and "亲爱的" in html and case.customer.name in html
    assert "Dear " in client.get(f"/cases/{case.pk}/letter/?lang=en").content.decode()
    client.force_login(org.manager2)
    assert client.get(f"/cases/{case.pk}/letter/").status_code == 404
