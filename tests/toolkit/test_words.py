import re

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


def test_english_on_request_and_a_missing_fact_is_a_blank_and_asked_for(org, case):
    body = api_as(org.manager1).get(
        f"/api/v1/cases/{case.pk}/words/plan_message/?lang=en").json()
    assert body["text"].startswith("Dear ") and "＿＿＿＿" in body["text"]
    assert "[" not in body["text"].replace("[Fixing", "").replace("[Comp", "").replace(
        "[Our", "")
    assert {m["fact"] for m in body["missing"]} >= {"offer", "offer_value", "manager_phone"}
    filled = api_as(org.manager1).get(
        f"/api/v1/cases/{case.pk}/words/plan_message/",
        {"lang": "en", "offer": "a free car wash", "offer_value": "¥80",
         "manager_phone": "13800001111"}).json()
    assert "a free car wash (worth ¥80)" in filled["text"] and "13800001111" in filled["text"]
    assert filled["missing"] == []


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
    facts = {"manager_phone": "13800001111", "offer": "免费洗车"}
    page = client.get(f"/cases/{case.pk}/letter/", facts)
    assert page.status_code == 200
    html = page.content.decode()
    assert "@media print" in html and "亲爱的" in html and case.customer.name in html
    assert "Dear " in client.get(f"/cases/{case.pk}/letter/", {**facts, "lang": "en"}
                                 ).content.decode()
    client.force_login(org.manager2)
    assert client.get(f"/cases/{case.pk}/letter/").status_code == 404


def test_a_letter_asks_for_the_missing_facts_and_never_prints_a_gap(org, case, client):
    client.force_login(org.manager1)
    html = client.get(f"/cases/{case.pk}/letter/").content.decode()
    assert "[待填写" not in html and "＿" not in html and "data-print" not in html
    assert 'name="manager_phone"' in html and 'name="offer"' in html
    html = client.get(f"/cases/{case.pk}/letter/", {
        "manager_phone": "13800001111", "offer": "免费洗车", "offer_value": "¥80"}).content.decode()
    assert "data-print" in html and "13800001111" in html and "免费洗车" in html
    assert "[待填写" not in html and "＿" not in html


@pytest.mark.parametrize("kind", WordKind.values)
def test_chinese_scripts_use_chinese_punctuation_and_never_ask_for_a_score(org, case, kind):
    text = api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/words/{kind}/").json()["text"]
    assert not re.search(r"[\u4e00-\u9fff][,;:?!]|[,;:?!][\u4e00-\u9fff]", text), text
    assert not re.search(r"(改|修改|调整|提高).{0,8}分", text), text
    english = api_as(org.manager1).get(
        f"/api/v1/cases/{case.pk}/words/{kind}/?lang=en").json()["text"]
    assert "points you gave" not in english


def test_pickers_list_people_not_service_accounts(org, case, client):
    client.force_login(org.manager1)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    owner_picker = page[page.index('name="action_owner"'):]
    owner_picker = owner_picker[:owner_picker.index("</select>")]
    assert org.manager1.username in owner_picker or org.manager1.get_full_name() in owner_picker
    assert ">admin<" not in owner_picker and "integration" not in owner_picker
    assert "Survey system" not in owner_picker
    r = api_as(org.manager1).post(f"/api/v1/cases/{case.pk}/team/",
                                  {"user": org.integration.pk, "role": "cs_specialist"},
                                  format="json")
    assert r.status_code == 400


def test_the_case_page_names_the_recovery_chance_once(org, case, client):
    client.force_login(org.manager1)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    kpi = re.search(r'<div class="kpi"><span>(挽回成功率)</span>(.*?)</div>', page, re.S)
    assert kpi and "挽回成功率" not in re.sub(r'title="[^"]*"', "", kpi.group(2))
