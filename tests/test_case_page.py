"""Issue 21: the case page opens on what the user does next, offers only what the server would
accept (a guard's refusal shown disabled, a role's refusal not offered at all), lets the case's
SA record the on-site part of an L2+ case, and shows the customer's number to those who work the
case; the dashboard counts down on each case's SLA clock."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import CaseEvent
from compensation.models import IssuedCompensation
from compensation.services import ItemChoice, offer_create
from escalation.models import SlaPolicy
from notifications.messages import message_render
from notifications.models import Notification
from org.models import Role, User
from recovery.config_cache import config_cache_clear
from tests.compensation.factories import RemedyItemFactory
from tests.conftest import api_as, client_for
from tests.factories import open_case, sop_contact

pytestmark = pytest.mark.django_db

PHONE = "13900000000"
MASKED = "139****0000"
NOTHING = "目前该案件没有需要您处理的操作"
FIRST_CALL_REFUSED = "L2 及以上案件的首次联系必须由服务经理"


@pytest.fixture
def l2(org):
    """An L2 case (score 5) whose repair order names advisor1 (王小明) as the SA."""
    return open_case(store=org.S01, score=5, service_record={
        "order_number": "RO-2026-0001", "advisor": "王小明"})


@pytest.fixture
def other_sa(org):
    """An advisor of the same store who did not serve this customer."""
    return User.objects.create_user(username="advisor1b", password="x", role=Role.ADVISOR,
                                    node=org.S01, first_name="钱小二")


def page(user, case) -> str:
    return client_for(user).get(f"/cases/{case.pk}/").content.decode()


def next_step(html: str) -> str:
    """The "what you do next" card, where the page opens."""
    return html[html.index('id="next"'):html.index("</section>", html.index('id="next"'))]


def test_the_page_opens_on_the_next_step_with_the_other_sections_folded(org, l2):
    html = page(org.manager1, l2)
    assert html.index('id="next"') < html.index('id="checklist"')
    for section in ("checklist", "attachments", "customer-page", "contacts", "offers",
                    "root-cause", "words", "deadlines", "rescore", "people", "timeline"):
        assert re.search(rf'<details class="card fold" id="{section}"(?! open)', html), section
    step = next_step(html)
    assert "首次联系" in step  # the first contact's deadline
    assert 'class="countdown"' in step


def test_the_manager_is_offered_the_first_call_and_sees_the_guard_on_the_button(org, l2):
    step = next_step(page(org.manager1, l2))
    assert 'value="contact" disabled' in step  # earned by logging the call
    assert "请先记录与客户的沟通" in step
    assert f'action="/cases/{l2.pk}/contacts/"' in step
    assert NOTHING not in step


def test_the_regional_director_may_act_on_the_case_and_is_offered_the_first_call(org, l2):
    step = next_step(page(org.regional1, l2))
    assert 'value="contact" disabled' in step
    assert f'action="/cases/{l2.pk}/contacts/"' in step
    assert PHONE in step


def test_the_sa_of_an_l2_case_is_offered_the_on_site_part_not_the_first_call(org, l2):
    html = page(org.advisor1, l2)
    step = next_step(html)
    assert NOTHING not in html
    assert 'value="contact"' not in html  # not even disabled: the role may not
    assert f'action="/cases/{l2.pk}/contacts/"' not in html
    assert FIRST_CALL_REFUSED not in html
    assert f'action="/cases/{l2.pk}/onsite/"' in step
    assert 'name="photo"' in step
    assert f'href="tel:{PHONE}"' in step
    # Nothing else the server would refuse from an SA on an L2 case.
    for action in ("rescore", "emotion", "root-cause", "offers", "plan"):
        assert f'action="/cases/{l2.pk}/{action}/"' not in html, action
    assert 'name="tier"' not in html
    assert '<button class="check"' not in html


def test_the_sas_phone_screen_does_not_offer_the_first_call_of_an_l2_case(org, l2):
    html = client_for(org.advisor1).get(f"/cases/{l2.pk}/contact/").content.decode()
    assert 'name="outcome"' not in html
    assert "服务经理" in html


def test_the_sa_records_the_apology_on_site_on_the_timeline(org, l2):
    response = client_for(org.advisor1).post(f"/cases/{l2.pk}/onsite/",
                                             {"what": "apology", "note": "在前台当面致歉"})
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=l2, data__onsite="apology")
    assert (event.actor, event.note) == (org.advisor1, "在前台当面致歉")
    l2.refresh_from_db()
    assert l2.state == "open"  # the first contact stays the manager's
    html = page(org.manager1, l2)
    assert "现场已致歉" in html and "在前台当面致歉" in html


def test_the_gift_handed_over_issues_the_approved_offer_line(org, l2):
    gift = RemedyItemFactory(code="onsite_gift", name="车载香氛", value=100)
    case = sop_contact(l2, org.manager1)
    offer = offer_create(case_id=case.pk, actor=org.manager1,
                         items=[ItemChoice(code=gift.code)])
    assert offer.status == "approved"
    line = offer.lines.get()
    assert f'name="lines" value="{line.pk}" checked' in next_step(page(org.advisor1, case))
    client_for(org.advisor1).post(f"/cases/{case.pk}/onsite/",
                                  {"what": "gift", "lines": [line.pk]})
    issued = IssuedCompensation.objects.get(line=line)
    assert issued.issued_by == org.advisor1
    event = CaseEvent.objects.get(case=case, data__onsite="gift")
    assert event.data["issued"] == [issued.pk] and "车载香氛" in event.note
    # Handed over once: the same line again is linked, not issued twice.
    client_for(org.advisor1).post(f"/cases/{case.pk}/onsite/",
                                  {"what": "gift", "lines": [line.pk]})
    assert IssuedCompensation.objects.filter(line=line).count() == 1


def test_a_gift_names_what_was_handed_over(org, l2):
    client = client_for(org.advisor1)
    response = client.post(f"/cases/{l2.pk}/onsite/", {"what": "gift"}, follow=True)
    assert not CaseEvent.objects.filter(case=l2, data__has_key="onsite").exists()
    assert "请写明交付了什么" in response.content.decode()
    client.post(f"/cases/{l2.pk}/onsite/", {"what": "gift", "note": "毛巾套装"})
    assert CaseEvent.objects.get(case=l2, data__onsite="gift").note == "毛巾套装"


def test_only_the_cases_sa_records_the_on_site_part(org, l2, other_sa):
    assert f'action="/cases/{l2.pk}/onsite/"' not in page(other_sa, l2)
    client_for(other_sa).post(f"/cases/{l2.pk}/onsite/", {"what": "apology"})
    assert client_for(org.advisor2).post(f"/cases/{l2.pk}/onsite/",
                                         {"what": "apology"}).status_code == 404
    assert not CaseEvent.objects.filter(case=l2, data__has_key="onsite").exists()


def test_the_sa_of_the_case_adds_a_photo_to_an_l2_case(org, l2, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "JPEG")
    photo = SimpleUploadedFile("onsite.jpg", out.getvalue(), content_type="image/jpeg")
    client_for(org.advisor1).post(f"/cases/{l2.pk}/attachments/",
                                  {"photo": photo, "note": "现场照片"})
    assert l2.attachments.get().uploaded_by == org.advisor1


@pytest.mark.parametrize(("username", "full"), [
    ("advisor1", True),  # the case's SA
    ("manager1", True), ("director1", True), ("regional1", True), ("area1", True),
    ("advisor1b", False),  # an SA of the store who did not serve the customer, L2
    ("hq1", False),  # reads
])
def test_the_phone_is_shown_to_who_works_the_case_on_the_page_and_the_api(org, l2, other_sa,
                                                                          username, full):
    user = User.objects.get(username=username)
    html = page(user, l2)
    body = api_as(user).get(f"/api/v1/cases/{l2.pk}/").json()
    if full:
        assert f'href="tel:{PHONE}"' in html and body["customer"]["phone"] == PHONE
    else:
        assert PHONE not in html and MASKED in html
        assert body["customer"]["phone"] == MASKED


def test_a_team_member_and_the_owner_see_the_phone(org, l2):
    from toolkit.services import team_member_add

    specialist = User.objects.create_user(username="cs1", password="x", role=Role.HQ,
                                          node=org.HQ)
    team_member_add(case_id=l2.pk, actor=org.manager1, user=specialist, role="cs_specialist")
    assert api_as(specialist).get(f"/api/v1/cases/{l2.pk}/").json()["customer"]["phone"] \
        == PHONE


TZ = ZoneInfo("Asia/Shanghai")


def test_the_dashboard_counts_down_on_the_cases_sla_clock(org):
    """A score at 22:00: the 2-hour first-contact clock counts business time, so at 00:30 the
    dashboard shows 2 hours left, standing still while the store is closed."""
    with time_machine.travel(datetime(2026, 3, 3, 22, 0, tzinfo=TZ), tick=False) as clock:
        case = open_case(store=org.S01, score=5)
        clock.move_to(datetime(2026, 3, 4, 0, 30, tzinfo=TZ))
        html = client_for(org.manager1).get("/").content.decode()
        row = html[html.index(case.number):]
        row = row[:row.index("</tr>")]
        assert 'data-left="7200" data-clock="business" data-running="0"' in row
        clock.move_to(datetime(2026, 3, 4, 9, 30, tzinfo=TZ))
        html = client_for(org.manager1).get("/").content.decode()
        row = html[html.index(case.number):]
        assert 'data-left="3600" data-clock="business" data-running="1"' in row[:row.index("</tr>")]


def test_the_api_records_the_on_site_part_as_the_page_does(org, l2, other_sa):
    url = f"/api/v1/cases/{l2.pk}/onsite/"
    response = api_as(org.advisor1).post(url, {"what": "apology", "note": "当面致歉"},
                                         format="json")
    assert response.status_code == 201
    assert (response.json()["what"], response.json()["by"]) == ("apology", "advisor1")
    assert api_as(org.advisor1).post(url, {"what": "hug"}, format="json").status_code == 400
    assert api_as(org.advisor1).post(url, {"what": "gift"}, format="json").status_code == 400
    assert api_as(other_sa).post(url, {"what": "apology"}, format="json").status_code == 403
    assert api_as(org.advisor2).post(url, {"what": "apology"}, format="json").status_code == 404
    assert [e["note"] for e in api_as(org.manager1).get(url).json()] == ["当面致歉"]


# Friday 22:00 at S01 (open 08:30–18:00 on working days): the 24 h resolution counts wall time
# and falls due on Saturday night, before the 2 open hours of the first contact from Monday's
# opening; the 4 open hours of the plan too.
FRIDAY_NIGHT = datetime(2026, 3, 6, 22, 0, tzinfo=TZ)
CALLED_AT = datetime(2026, 3, 6, 22, 30, tzinfo=TZ)
# clock of the step policies: (first contact, plan) as the countdown tag writes them, a minute
# after opening and right after the call at 22:30
STEP_CLOCKS = {
    "business": ('data-left="7200" data-clock="business" data-running="0"',
                 'data-left="14400" data-clock="business" data-running="0"'),
    "wall": ('data-left="7140">', 'data-left="12600">'),
}


def _between(html: str, start: str, end: str) -> str:
    at = html.index(start)
    return html[at:html.index(end, at)]


def _dashboard_row(user, case) -> str:
    return _between(client_for(user).get("/").content.decode(), case.number, "</tr>")


def _shows(html: str, case, kind: str) -> bool:
    due = case.deadlines.get(kind=kind).due_at.isoformat()
    return f'data-due="{due}"' in html


@pytest.mark.parametrize("clock", ["business", "wall"])
def test_the_next_step_counts_down_to_the_deadline_it_meets_not_the_earliest(org, clock):
    SlaPolicy.objects.filter(kind__in=["contact", "plan", "execution"]).update(clock=clock)
    config_cache_clear()
    contact_clock, plan_clock = STEP_CLOCKS[clock]
    with time_machine.travel(FRIDAY_NIGHT, tick=False) as travel:
        case = open_case(store=org.S01, score=5)
        travel.move_to(datetime(2026, 3, 6, 22, 1, tzinfo=TZ))
        html = page(org.manager1, case)
        due = _between(next_step(html), 'class="due-now"', "</p>")
        assert "首次联系" in due and "已解决" not in due
        assert contact_clock in due and _shows(due, case, "contact")
        # The header, the dashboard row and the message to the manager name the same one.
        assert _shows(_between(html, 'class="case-kpis"', "</header>"), case, "contact")
        assert _shows(_dashboard_row(org.manager1, case), case, "contact")
        opened = Notification.objects.filter(case=case, kind="opened").first()
        assert "Next deadline: First contact" in message_render(notification=opened,
                                                                language="en").text

        travel.move_to(CALLED_AT)
        case = sop_contact(case, org.manager1)
        html = page(org.manager1, case)
        due = _between(next_step(html), 'class="due-now"', "</p>")
        assert "已提方案" in due and "已解决" not in due
        assert plan_clock in due and _shows(due, case, "plan")
        assert _shows(_between(html, 'class="case-kpis"', "</header>"), case, "plan")
        assert _shows(_dashboard_row(org.manager1, case), case, "plan")
