"""Issue 21: an advisor's whole L1 case on a 375 px phone, from the incident to the compensation
handed over with a photo, on a case page that opens on the next step; and the on-site part of
an L2 case, which is the SA's while the first call stays the manager's. No page scrolls
sideways; screenshots at 375 and 1440 px, in Chinese and English."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PIL import Image
from playwright.sync_api import expect

from attachments.models import Attachment
from cases.models import Case, CaseEvent
from compensation.models import IssuedCompensation
from tests.factories import open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1440, "height": 900}


def _fits(page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} scrolls {wide} px sideways"


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 140, 90)).save(out, "JPEG")
    return out.getvalue()


def _shoot_both_languages(page, screenshots, url: str, name: str) -> None:
    for lang in ("zh-hans", "en"):
        page.goto(f"{url}?lang={lang}")
        _fits(page)
        screenshots(page, f"{name}-{lang}")
    page.goto(f"{url}?lang=zh-hans")


def test_an_advisors_l1_case_from_incident_to_compensation_with_a_photo(
        org, browser, live_server, login, screenshots, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    phone = browser.new_page(viewport=PHONE)
    login(phone, "advisor1")
    _fits(phone)

    # The incident, logged in the store.
    phone.click("text=记录事件")
    _fits(phone)
    phone.fill("#id_customer_name", "赵先生")
    phone.fill("#id_customer_phone", "13812345678")
    phone.select_option("#id_failure_type", label="服务态度")
    phone.fill("#id_description", "前台接待态度冷淡,等了四十分钟没人理")
    phone.click("button[type=submit]")
    expect(phone.locator(".msg").first).to_contain_text("SR")
    case = Case.objects.get(customer__name="赵先生")
    assert case.level == "L1"
    case_url = f"{live_server.url}/cases/{case.pk}/"

    # The page opens on what to do next: the deadline counting down and the first call.
    step = phone.locator("#next")
    expect(step.locator("h2")).to_have_text("下一步")
    expect(step.locator(".due-now .countdown")).to_contain_text("剩")
    expect(step.locator("a[href='tel:13812345678']")).to_be_visible()
    expect(step.locator("button[value=contact]")).to_be_disabled()
    expect(phone.locator("#offers")).not_to_have_attribute("open", "")
    _fits(phone)
    _shoot_both_languages(phone, screenshots, case_url, "advisor-l1-open-375")

    # The conversation in front of the customer makes the case contacted.
    step.locator("#id_channel").select_option("visit")
    step.locator("#id_outcome").select_option("reached")
    step.locator("textarea[name=note]").fill("当面致歉,客户接受")
    step.locator(".contact-form button[type=submit]").click()
    expect(phone.locator("h1")).to_contain_text("已联系")
    _fits(phone)

    # The offer: the next step links to the folded offers, which open.
    phone.click("#next a[href='#offers']")
    expect(phone.locator("#offers")).to_have_attribute("open", "")
    within = phone.locator("#offers .option:not(.over) button[name=tier]")
    expect(within.first).to_be_visible()
    _fits(phone)
    within.first.click()
    expect(phone.locator(".msg-success").first).to_be_visible()
    _fits(phone)

    # On site: the gift handed over (the approved lines, issued now), the apology, a photo.
    onsite = phone.locator("#next #onsite")
    expect(onsite.locator("input[name=lines]").first).to_be_checked()
    onsite.locator("form:has(input[value=gift]) button[type=submit]").click()
    expect(phone.locator(".msg-success").first).to_contain_text("礼品已交付")
    assert IssuedCompensation.objects.filter(case=case, issued_by=org.advisor1).exists()
    phone.locator("#next #onsite form:has(input[value=apology]) button[type=submit]").click()
    expect(phone.locator("#next #onsite .done")).to_contain_text("现场已致歉")
    phone.set_input_files("#next #onsite input[name=photo]", files=[
        {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    phone.fill("#next #onsite input[name=note][maxlength='200']", "礼品交付合影")
    phone.click("#next #onsite .attach-form button[type=submit]")
    expect(phone.locator("#attachments img")).to_be_visible()  # the redirect opens it
    assert Attachment.objects.get(case=case).note == "礼品交付合影"
    assert CaseEvent.objects.filter(case=case, data__onsite="gift").exists()
    _fits(phone)
    _shoot_both_languages(phone, screenshots, case_url, "advisor-l1-compensated-375")

    # Every other page the advisor opens fits the phone too.
    for path in ("/", f"/cases/{case.pk}/contact/", f"/cases/{case.pk}/compensate/",
                 f"/cases/{case.pk}/letter/", "/notifications/"):
        phone.goto(f"{live_server.url}{path}")
        _fits(phone)
    _shoot_both_languages(phone, screenshots, f"{live_server.url}/", "advisor-dashboard-375")

    desk = browser.new_page(viewport=DESK)
    login(desk, "advisor1")
    _shoot_both_languages(desk, screenshots, case_url, "advisor-l1-compensated-1440")
    _shoot_both_languages(desk, screenshots, f"{live_server.url}/", "advisor-dashboard-1440")


def test_the_sa_records_the_on_site_part_of_an_l2_case_and_the_manager_the_first_call(
        org, browser, live_server, login, screenshots):
    case = open_case(store=org.S01, score=4, service_record={
        "order_number": "RO-2026-0815", "advisor": "王小明", "plate": "沪A12345"})
    assert case.level == "L2"
    url = f"{live_server.url}/cases/{case.pk}/"

    phone = browser.new_page(viewport=PHONE)
    login(phone, "advisor1")
    phone.goto(url)
    step = phone.locator("#next")
    expect(step).not_to_contain_text("目前该案件没有需要您处理的操作")
    expect(step.locator("button[value=contact]")).to_have_count(0)
    expect(step).to_contain_text("首次致电由服务经理亲自进行")
    expect(step.locator("a[href='tel:13900000000']")).to_be_visible()
    step.locator("form:has(input[value=apology]) input[name=note]").fill("在接待区当面致歉")
    step.locator("form:has(input[value=apology]) button[type=submit]").click()
    expect(phone.locator("#next #onsite .done")).to_contain_text("在接待区当面致歉")
    _fits(phone)
    _shoot_both_languages(phone, screenshots, url, "advisor-l2-onsite-375")

    desk = browser.new_page(viewport=DESK)
    login(desk, "manager1")
    desk.goto(url)
    expect(desk.locator("#next .contact-form")).to_be_visible()
    expect(desk.locator("#next button[value=contact]")).to_be_disabled()
    _shoot_both_languages(desk, screenshots, url, "manager-l2-open-1440")


def test_at_a_closed_store_the_next_step_counts_down_to_the_call_and_the_portal_card_folds(
        org, browser, live_server, login, screenshots):
    """Friday 22:01 at a store open 08:30–18:00 on working days: the 24 h resolution falls due on
    Saturday night, first; the next step still counts down to the first call, standing still
    until Monday. The customer's page card is folded like the other sections, opens on a click,
    and opens again when sending the link brings the manager back to it."""
    phone = browser.new_page(viewport=PHONE)
    desk = browser.new_page(viewport=DESK)
    login(phone, "manager1")  # before travelling: the browser keeps the session cookie by its
    login(desk, "manager1")  # own clock
    with time_machine.travel(datetime(2026, 3, 6, 22, 1, tzinfo=ZoneInfo("Asia/Shanghai"))):
        case = open_case(store=org.S01, score=6)
        url = f"{live_server.url}/cases/{case.pk}/"
        for page, name in ((phone, "next-step-closed-store-375"),
                           (desk, "next-step-closed-store-1440")):
            page.goto(url)
            due = page.locator("#next .due-now")
            expect(due).to_contain_text("首次联系")
            expect(due).not_to_contain_text("已解决")
            expect(due.locator(".countdown")).to_have_text("剩 2小时")
            expect(page.locator(".case-kpis")).to_contain_text("首次联系")
            _fits(page)
            screenshots(page, name)

    for page, width in ((phone, 375), (desk, 1440)):
        page.goto(url)
        card = page.locator("#customer-page")
        expect(card).not_to_have_attribute("open", "")
        expect(card.locator("> summary h2")).to_have_text("客户页面")
        send = card.get_by_role("button", name="发送客户页面")
        expect(send).to_be_hidden()
        screenshots(page, f"customer-page-card-folded-{width}")
        card.locator("> summary").click()
        expect(card).to_have_attribute("open", "")
        expect(send).to_be_visible()
        _fits(page)
        screenshots(page, f"customer-page-card-open-{width}")
    send.click()
    expect(desk).to_have_url(f"{url}#customer-page")
    expect(desk.locator("#customer-page")).to_have_attribute("open", "")
    expect(desk.locator("#customer-page")).to_contain_text("链接有效至")
    desk.goto(url)
    expect(desk.locator("#customer-page")).not_to_have_attribute("open", "")
