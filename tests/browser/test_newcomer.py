"""What a newcomer opens first, in a browser: the API docs the start banner points to, and the
admin where the demo's `admin` edits the configurable numbers."""

import pytest
from playwright.sync_api import expect

from cases.models import IntakePolicy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_list_the_operations_under_the_content_security_policy(page, live_server,
                                                                             screenshots):
    blocked = []
    page.on("console", lambda m: blocked.append(m.text)
            if "Content Security Policy" in m.text else None)
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((live_server.url, "data:")) else None)
    page.goto(f"{live_server.url}/api/docs/")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible(timeout=20_000)
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/survey-responses/")
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/cases/{case_id}/")
    assert operations.count() > 20
    screenshots(page, "api-docs")
    assert blocked == [] and outside == []


def test_the_demo_admin_edits_the_score_threshold(org, page, live_server, screenshots):
    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pw-for-tests")
    page.click("input[type=submit]")
    expect(page.locator("#content-main")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("你没有查看或编辑的权限")
    page.click("a[href$='/admin/cases/intakepolicy/']")
    page.locator("#result_list a[href*='/admin/cases/intakepolicy/']").first.click()
    page.fill("#id_score_threshold", "5")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text("5")
    screenshots(page, "admin-score-threshold")
    assert IntakePolicy.objects.get().score_threshold == 5
