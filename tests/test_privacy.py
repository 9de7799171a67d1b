"""Personal data (issue 9): phone numbers masked in lists and logs, in full only for those who
work the case; `customer_data --export/--erase` for one customer."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.models import Case, CaseEvent, Customer, SurveyResponse
from cases.privacy import ERASED_NAME, REDACTED, customer_erase
from compensation.models import IssuedCompensation, Offer
from notifications import transports
from notifications.messages import message_render
from notifications.models import Notification
from org import pii
from tests.conftest import api_as, client_for
from tests.factories import open_case
from toolkit.models import Contact, CustomerProfile

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.mark.parametrize(("value", "shown"), [
    (PHONE, MASKED), (" 13812345678 ", MASKED), ("+8613812345678", "+86****5678"),
    ("1234567", "****"), ("", ""), (None, ""),
])
def test_phone_mask_keeps_three_digits_in_front_and_four_at_the_end(value, shown):
    assert pii.phone_mask(value) == shown


def test_the_sms_log_masks_with_the_one_shared_function():
    assert transports.phone_mask is pii.phone_mask


@pytest.fixture
def l3_case(org):
    """An L3 case at S01: the advisor sees it, only the manager and above work it."""
    case = open_case(store=org.S01, score=2, customer_id="priv-1")
    Customer.objects.filter(pk=case.customer_id).update(phone=PHONE)
    assert case.level in {"L2", "L3", "L4"}
    return Case.objects.select_related("customer").get(pk=case.pk)


def test_case_detail_shows_the_full_number_only_to_who_works_the_case(org, l3_case):
    url = f"/api/v1/cases/{l3_case.pk}/"
    assert api_as(org.manager1).get(url).json()["customer"]["phone"] == PHONE
    assert api_as(org.advisor1).get(url).json()["customer"]["phone"] == MASKED


def test_customer_360_shows_the_full_number_only_to_who_works_a_case(org, l3_case):
    url = f"/api/v1/customers/{l3_case.customer_id}/"
    assert api_as(org.regional1).get(url).json()["phone"] == PHONE
    assert api_as(org.advisor1).get(url).json()["phone"] == MASKED


@pytest.mark.parametrize("page", ["case-page", "case-contact-phone"])
def test_case_pages_link_the_number_for_who_works_the_case_and_mask_it_else(org, l3_case, page):
    url = reverse(page, args=[l3_case.pk])
    worker = client_for(org.manager1).get(url).content.decode()
    assert f'href="tel:{PHONE}"' in worker
    onlooker = client_for(org.advisor1).get(url).content.decode()
    assert MASKED in onlooker and PHONE not in onlooker


def test_lists_never_show_the_full_number(org, l3_case):
    for body in (api_as(org.manager1).get("/api/v1/cases/").content.decode(),
                 client_for(org.manager1).get("/").content.decode(),
                 client_for(org.manager1).get("/escalations/").content.decode(),
                 api_as(org.manager1).get("/api/v1/notifications/").content.decode(),
                 client_for(org.manager1).get("/notifications/").content.decode()):
        assert PHONE not in body


def test_admin_customer_list_shows_the_masked_number(org, l3_case, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    body = client_for(root).get(reverse("admin:cases_customer_changelist")).content.decode()
    assert MASKED in body and PHONE not in body
    assert "masked_phone" in admin.site._registry[Customer].list_display


def test_notification_texts_carry_no_phone_number(org, l3_case):
    notes = Notification.objects.filter(case=l3_case)
    assert notes.exists()
    for note in notes:
        for language in ("zh-hans", "en"):
            message = message_render(notification=note, language=language)
            assert PHONE not in message.subject + message.text
            assert PHONE not in note.title + note.body


# --------------------------------------------------------------------------- export / erase


@pytest.fixture
def customer_world(org):
    """One customer with a case at S01 (contacted, a contact, an issued offer, a profile) and a
    case at S02, each from a survey with a comment."""
    case = open_case(store=org.S01, score=6, customer_id="cust-777",
                     comment="电话13812345678,态度太差")
    resp = api_as(org.manager1).post(f"/api/v1/cases/{case.pk}/contacts/", {
        "channel": "phone", "outcome": "reached", "note": "王大锤说住在幸福路1号"},
        format="json")
    assert resp.status_code == 201, resp.content
    resp = api_as(org.advisor1).post(f"/api/v1/cases/{case.pk}/offers/",
                                     {"items": [{"code": "voucher", "value": "200"}]},
                                     format="json")
    assert resp.status_code == 201 and resp.json()["status"] == "approved", resp.content
    offer = Offer.objects.get(pk=resp.json()["id"])
    assert api_as(org.advisor1).post(f"/api/v1/offers/{offer.pk}/issue/", {},
                                     format="json").status_code == 201
    CustomerProfile.objects.create(customer_id=case.customer_id, vehicle="沪A12345",
                                   preferences="周末来店")
    other = open_case(store=org.S02, score=3, customer_id="cust-777", comment="又出问题")
    Customer.objects.filter(pk=case.customer_id).update(name="王大锤", phone=PHONE)
    Notification.objects.create(recipient=org.hq1, kind="note", title="王大锤 投诉升级",
                                body="客户王大锤要求回电")
    return Customer.objects.get(pk=case.customer_id), [case, other], offer


def _export(key) -> dict:
    out = StringIO()
    call_command("customer_data", "--export", str(key), stdout=out)
    return json.loads(out.getvalue())


def test_export_prints_everything_held_about_the_customer(customer_world):
    customer, cases, offer = customer_world
    data = _export("cust-777")
    assert data["customer"]["name"] == "王大锤" and data["customer"]["phone"] == PHONE
    assert data["profile"]["vehicle"] == "沪A12345"
    assert {c["id"] for c in data["cases"]} == {c.pk for c in cases}
    assert [r["comment"] for r in data["responses"]] == ["电话13812345678,态度太差", "又出问题"]
    first = next(c for c in data["cases"] if c["id"] == cases[0].pk)
    assert first["contacts"][0]["note"] == "王大锤说住在幸福路1号"
    assert first["offers"][0]["id"] == offer.pk
    assert Decimal(first["issued_compensation"][0]["value"]) == Decimal("200")
    assert any(n["title"] == "王大锤 投诉升级" for n in data["notifications"])
    assert _export(customer.pk)["customer"]["id"] == customer.pk


def test_erase_anonymises_the_person_and_keeps_cases_and_money(customer_world):
    customer, cases, offer = customer_world
    issued_before = list(IssuedCompensation.objects.values_list("value", flat=True))
    out = StringIO()
    call_command("customer_data", "--erase", "cust-777", stdout=out)

    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.external_id) == (ERASED_NAME, "", None)
    assert set(SurveyResponse.objects.filter(customer=customer)
               .values_list("comment", flat=True)) == {REDACTED}
    assert list(Contact.objects.filter(case__customer=customer)
                .values_list("note", flat=True)) == [REDACTED]
    profile = CustomerProfile.objects.get(customer=customer)
    assert (profile.vehicle, profile.preferences, profile.birthday) == ("", "", None)
    assert Case.objects.filter(customer=customer).count() == 2
    assert list(IssuedCompensation.objects.values_list("value", flat=True)) == issued_before
    assert Offer.objects.get(pk=offer.pk).total_value == Decimal("200")
    assert Case.objects.get(pk=cases[0].pk).score_before == 6
    note = Notification.objects.get(kind="note")
    assert "王大锤" not in note.title + note.body and ERASED_NAME in note.title
    for case in cases:
        marks = CaseEvent.objects.filter(case=case, kind="note", data={"privacy": "erased"})
        assert marks.count() == 1
    exported = json.dumps(_export(customer.pk), ensure_ascii=False)
    assert "王大锤" not in exported and PHONE not in exported and "幸福路" not in exported


def test_erasing_twice_changes_nothing_the_second_time(customer_world):
    customer, cases, _offer = customer_world
    first = customer_erase(customer=customer)
    events = CaseEvent.objects.count()
    state = _export(customer.pk)
    second = customer_erase(customer=customer)
    assert (first.cases_marked, second.cases_marked) == (2, 0)
    assert second.already_erased
    assert CaseEvent.objects.count() == events
    assert _export(customer.pk) == state
    out = StringIO()
    call_command("customer_data", "--erase", str(customer.pk), stdout=out)
    assert CaseEvent.objects.count() == events


def test_an_unknown_customer_is_a_clear_error(org):
    with pytest.raises(CommandError):
        call_command("customer_data", "--export", "nobody", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("customer_data", "--erase", "999999", stdout=StringIO())


def test_erase_leaves_short_snippets_in_other_texts_alone(org):
    case = open_case(store=org.S01, score=3, customer_id="c-short", comment="差")
    note = Notification.objects.create(recipient=org.hq1, case=case, kind="note",
                                       title="差评跟进", body="本周差评")
    customer_erase(customer=Customer.objects.get(pk=case.customer_id))
    note.refresh_from_db()
    assert (note.title, note.body) == ("差评跟进", "本周差评")
    assert SurveyResponse.objects.get(case=case).comment == REDACTED
