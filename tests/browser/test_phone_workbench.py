"""The advisor's phone (issue 21): no page an advisor opens scrolls sideways at 360–414 px, the
list shows the countdown, search works by plate, a photo goes onto the case."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from attachments.models import Attachment
from tests.browser.conftest import unfold
from tests.factories import open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADVISOR_PAGES = ["/", "/?q=沪A12345", "/incidents/new/", "/cases/{case}/",
                 "/cases/{case}/contact/", "/cases/{case}/compensate/",
                 "/cases/{case}/letter/", "/notifications/", "/escalations/", "/approvals/",
                 "/accounts/password/"]


@pytest.fixture
def l1_case(org, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return open_case(store=org.S01, score=6, flags=[], service_record={
        "order_number": "RO-2026-0815", "plate": "沪A12345", "vehicle_model": "朗逸",
        "vin": "LSVAU2180N2183901", "mileage": 42000})


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [360, 375, 414])
def test_no_page_an_advisor_opens_scrolls_sideways(org, l1_case, browser, live_server, login,
                                                   screenshots, width):
    phone = browser.new_page(viewport={"width": width, "height": 800})
    login(phone, "advisor1")
    wide = {}
    for path in ADVISOR_PAGES:
        url = path.format(case=l1_case.pk)
        phone.goto(f"{live_server.url}{url}")
        if _overflow(phone) > 0:
            wide[url] = _overflow(phone)
            screenshots(phone, f"wide-{width}-{url.strip('/').replace('/', '-') or 'home'}")
    assert not wide, f"pages wider than {width} px: {wide}"


def test_the_advisors_list_shows_the_countdown_and_finds_by_plate(org, l1_case, browser,
                                                                   live_server, login):
    phone = browser.new_page(viewport={"width": 375, "height": 800})
    login(phone, "advisor1")
    countdown = phone.locator("table.cases .countdown").first
    expect(countdown).to_be_visible()
    expect(countdown).to_contain_text("剩")
    phone.fill("input[name=q]", "沪A12345")
    phone.press("input[name=q]", "Enter")
    expect(phone.locator("table.cases")).to_contain_text(l1_case.number)
    assert "q=" in phone.url


def test_the_advisor_adds_a_photo_from_the_phone(org, l1_case, browser, live_server, login):
    phone = browser.new_page(viewport={"width": 375, "height": 800})
    login(phone, "advisor1")
    phone.goto(f"{live_server.url}/cases/{l1_case.pk}/")
    unfold(phone, "attachments")
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), (10, 120, 200)).save(out, "JPEG")
    phone.set_input_files("#attachments input[name=photo]", files=[
        {"name": "IMG_0815.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}])
    phone.fill("#attachments input[name=note]", "交车前照片")
    phone.click("#attachments button[type=submit]")
    expect(phone.locator("#attachments img")).to_be_visible()
    assert phone.evaluate("document.querySelector('#attachments img').naturalWidth") == 2048
    assert Attachment.objects.get().note == "交车前照片"
    assert _overflow(phone) <= 0
