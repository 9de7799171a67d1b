"""Data with a name per language (issue 21): in English the failure type, the checklist and
the dashboard's filter read in English; in Chinese, in Chinese."""

from cases.models import FailureType
from tests.conftest import api_as, client_for
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


def test_catalog_items_read_in_the_page_language_on_the_sa_screen_the_case_and_approvals(org):
    """The remedy catalog's English names (filled in by the data migration, editable in the
    admin) on English pages; the offer keeps the catalog's Chinese name as its record."""
    from compensation.models import Offer
    from tests.compensation.factories import contacted_case

    case = contacted_case(store=org.S01, customer_id="lang")
    advisor = client_for(org.advisor1)
    screen = advisor.get(f"/cases/{case.pk}/compensate/?lang=en").content.decode()
    assert "Car wash voucher" in screen and "Apology by phone" in screen
    assert "洗车券" not in screen and "电话致歉" not in screen
    chinese = advisor.get(f"/cases/{case.pk}/compensate/?lang=zh-hans").content.decode()
    assert "洗车券" in chinese and "电话致歉" in chinese
    api_as(org.advisor1).post(f"/api/v1/cases/{case.pk}/offers/", {"items": [
        {"code": "voucher", "value": "1500"}]}, format="json")
    assert Offer.objects.get(case=case).lines.get().name == "代金券"
    for user, path in ((org.advisor1, f"/cases/{case.pk}/?lang=en"),
                       (org.manager1, "/approvals/?lang=en")):
        main = client_for(user).get(path).content.decode().split("<main")[1]
        assert "Voucher" in main and "代金券" not in main, path
