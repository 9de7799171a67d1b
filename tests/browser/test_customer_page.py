"""The customer's page on a phone (issue 22): readable at 375 px without sideways scrolling;
the customer chooses an option, a visit time, and at the end gives a score, in either language."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from attachments.services import attachment_add, attachment_share_set
from cases.models import Case
from portal.services import link_create
from tests.browser.conftest import ARTIFACTS
from tests.factories import open_case, sop_contact, sop_walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo(case, actor, colour: str):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, "JPEG")
    photo = attachment_add(actor=actor, case=case, note="悬挂拆检",
                           upload=SimpleUploadedFile("p.jpg", buffer.getvalue()))
    attachment_share_set(actor=actor, attachment=photo, shared=True)


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_customer_follows_chooses_and_rescores_on_a_phone(org, browser, live_server,
                                                              screenshots, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    case = sop_contact(open_case(store=org.S01, score=6, comment="悬挂异响第三次返修"),
                       org.manager1)
    _photo(case, org.manager1, "steelblue")
    _photo(case, org.manager1, "darkorange")
    _link, token = link_create(case_id=case.pk, actor=org.manager1)
    phone = browser.new_page(viewport={"width": 375, "height": 812})
    phone.goto(f"{live_server.url}/c/{token}/")
    expect(phone.locator(".apology")).to_contain_text("深表歉意")
    expect(phone.locator(".steps li.done")).to_have_count(1)
    expect(phone.locator(".photos img")).to_have_count(2)
    assert _overflow(phone) <= 0
    screenshots(phone, "customer-page-375")

    phone.locator("label.option").nth(1).click()
    phone.get_by_role("button", name="选择此方案").click()
    expect(phone.locator("#options")).to_contain_text("您已选择")
    phone.get_by_role("button", name="确认此时间").click()
    expect(phone.locator("#visit .confirmed")).to_be_visible()
    assert _overflow(phone) <= 0
    screenshots(phone, "customer-page-375-chosen")

    sop_walk(Case.objects.get(pk=case.pk), org.manager1, ["start", "resolve"])
    phone.goto(f"{live_server.url}/c/{token}/?lang=en")
    expect(phone.locator(".steps li.done")).to_have_count(4)
    phone.locator(".scores label").nth(9).click()
    phone.fill("#comment", "Thank you, fixed at last.")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("#rescore")).to_contain_text("You gave us 9 out of 10")
    assert _overflow(phone) <= 0
    screenshots(phone, "customer-page-375-rescored-en")
    assert Case.objects.get(pk=case.pk).score_after == 9


def test_staff_send_the_page_from_the_case_page_on_a_phone(org, browser, live_server, login,
                                                           screenshots):
    case = sop_contact(open_case(store=org.S01, score=6), org.manager1)
    phone = browser.new_page(viewport={"width": 375, "height": 812})
    login(phone, "manager1")
    phone.goto(f"{live_server.url}/cases/{case.pk}/#customer-page")
    section = phone.locator("#customer-page")
    section.get_by_role("button", name="发送客户页面").click()
    expect(phone.locator("#customer-page")).to_contain_text("链接有效至")
    expect(phone.locator("#customer-page")).to_contain_text("短信")
    assert _overflow(phone) <= 0
    screenshots(phone, "customer-page-staff-375")  # the whole page, then the card alone
    section.screenshot(path=str(ARTIFACTS / "customer-page-staff-section-375.png"))
