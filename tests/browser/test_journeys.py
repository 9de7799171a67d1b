"""The main journeys, as people walk them in a browser."""

import pytest
from playwright.sync_api import expect

from cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sa_logs_an_incident_on_a_phone_and_the_manager_calls(org, browser, live_server, login,
                                                              screenshots):
    phone = browser.new_page(viewport={"width": 375, "height": 812})
    login(phone, "advisor1")
    phone.click("text=记录事件")
    phone.fill("#id_customer_name", "李先生")
    phone.fill("#id_customer_phone", "13812345678")
    phone.select_option("#id_failure_type", label="服务态度")
    phone.fill("#id_description", "等待三小时无人接待,客户当场发火")
    phone.check("input[value=onsite_complaint]")
    screenshots(phone, "sa-incident-form-375")
    phone.click("button[type=submit]")
    expect(phone.locator(".msg")).to_contain_text("SR")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "sa-case-375")
    case = Case.objects.get()
    assert case.level == "L2" and case.created_by.username == "advisor1"

    desk = browser.new_page(viewport={"width": 1366, "height": 900})
    login(desk, "manager1")
    expect(desk.locator("table.cases")).to_contain_text(case.number)
    screenshots(desk, "manager-dashboard")
    desk.click(f"text={case.number}")
    # The button waits for the logged call (issue 19); logging it makes the case contacted.
    expect(desk.locator("button[value=contact]")).to_be_disabled()
    desk.select_option("#id_channel", "phone")
    desk.select_option("#id_outcome", "reached")
    desk.fill("#next textarea[name=note]", "已致电客户致歉")
    desk.click("#next .contact-form button[type=submit]")
    expect(desk.locator("h1")).to_contain_text("已联系")
    screenshots(desk, "case-page")
    case.refresh_from_db()
    assert case.state == "contacted"


def test_language_switch_shows_english(org, page, live_server, login, screenshots):
    login(page, "manager1")
    page.click("text=English")
    expect(page.locator("h1, .counts")).to_contain_text(["Open"])
    screenshots(page, "dashboard-english")
