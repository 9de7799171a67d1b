"""Data with a name per language (issue 21): in English the failure type, the checklist and
the dashboard's filter read in English; in Chinese, in Chinese."""

from cases.models import FailureType
from tests.conftest import client_for
from tests.factories import open_case


def test_failure_types_and_checklist_steps_follow_the_page_language(org):
    case = open_case(store=org.S01, score=6)
    case.failure_type = FailureType.objects.get(code="attitude")
    case.save(update_fields=["failure_type"])
    client = client_for(org.manager1)
    english = client.get(f"/cases/{case.pk}/?lang=en").content.decode()
    step = case.checklist.exclude(title_en="").first()
    assert "Attitude" in english and step.title_en in english
    assert "服务态度" not in english.split("<main")[1].split('name="failure_type"')[0]
    chinese = client.get(f"/cases/{case.pk}/?lang=zh-hans").content.decode()
    assert "服务态度" in chinese and step.title in chinese
    dashboard = client.get("/?lang=en").content.decode()
    assert ">Attitude</option>" in dashboard
