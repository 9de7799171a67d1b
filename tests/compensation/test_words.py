"""Words per role (issue #20): each refusal names the person who can decide, never a role the
user holds himself."""

from decimal import Decimal as D

from cases.models import Case, FailureType
from tests.conftest import api_as, client_for

from .factories import contacted_case


def test_a_service_manager_on_his_own_case_is_told_who_can_decide(org):
    case = contacted_case(store=org.S01, score=2)  # L2: the service manager's own case
    page = client_for(org.manager1).get(f"/cases/{case.pk}/compensate/").content.decode()
    assert "请联系您的服务经理" not in page and "ask your service manager" not in page
    # the options above ¥2 000 name the regional director or the area director
    assert "陈区域" in page or "刘大区" in page


def test_an_advisor_is_told_which_manager_decides(org):
    case = contacted_case(store=org.S01)
    api_as(org.hq1).post(f"/api/v1/cases/{case.pk}/offers/",
                         {"items": [{"code": "voucher", "value": "450"}]}, format="json")
    page = client_for(org.advisor1).get(f"/cases/{case.pk}/compensate/").content.decode()
    assert "李经理" in page  # ¥450 already given: anything above ¥50 needs manager1


def test_a_pending_offer_names_who_it_waits_for(org):
    case = contacted_case(store=org.S01)
    api_as(org.advisor1).post(f"/api/v1/cases/{case.pk}/offers/",
                              {"items": [{"code": "voucher", "value": "3000"}]}, format="json")
    page = client_for(org.advisor1).get(f"/cases/{case.pk}/compensate/").content.decode()
    assert "陈区域" in page


def test_an_advisor_on_an_l2_case_is_told_who_works_it(org):
    case = contacted_case(store=org.S01, score=4)
    resp = api_as(org.advisor1).post(f"/api/v1/cases/{case.pk}/offers/",
                                     {"items": [{"code": "voucher", "value": "100"}]},
                                     format="json")
    assert resp.status_code == 403
    assert "李经理" in resp.json()["detail"]
    page = client_for(org.advisor1).get(f"/cases/{case.pk}/compensate/").content.decode()
    assert "李经理" in page


def test_an_approver_above_his_limit_is_told_who_can(org):
    case = contacted_case(store=org.S01)
    body = api_as(org.advisor1).post(f"/api/v1/cases/{case.pk}/offers/",
                                     {"items": [{"code": "voucher", "value": "3000"}]},
                                     format="json").json()
    resp = api_as(org.manager1).post(f"/api/v1/approvals/{body['approval']['id']}/approve/",
                                     {}, format="json")
    assert resp.status_code == 403 and "陈区域" in resp.json()["detail"]


def test_the_case_page_names_the_approver_and_explains_the_range(org):
    case = contacted_case(store=org.S01, score=2, amount=D("1200"))
    Case.objects.filter(pk=case.pk).update(
        severity="severe", failure_type=FailureType.objects.get(code="service_quality"))
    page = client_for(org.manager1).get(f"/cases/{case.pk}/").content.decode()
    # basic ¥2 000 is his own; expected ¥2 300 needs the regional director, by name
    assert "陈区域" in page
    assert "请联系您的服务经理" not in page
