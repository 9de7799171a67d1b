"""Audit (issue 9): every settings change is recorded with who, when and before → after,
whatever path made it, and no record written by the product can be edited or deleted through
the admin or the ORM. Personal data: the admin never shows a full phone number and the logs
of an intake carry neither phone numbers nor the customer's name."""

import logging
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditRecord, ImmutableError
from cases.models import CaseEvent, Customer
from compensation.models import Approval, AuthorityLimit
from escalation.models import SlaPolicy
from notifications.models import WebhookEndpoint
from tests.compensation.factories import contacted_case
from tests.conftest import api_as, client_for
from tests.factories import open_case

PHONE = "13987654321"
MASKED = "139****4321"


@pytest.fixture
def root(org, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "x")


def _one_record(**filters) -> AuditRecord:
    records = list(AuditRecord.objects.filter(**filters))
    assert len(records) == 1, records
    return records[0]


# --------------------------------------------------------------------------- who, when, what


def test_a_limit_changed_in_the_admin_is_recorded_with_actor_time_and_before_after(root):
    limit = AuthorityLimit.objects.get(role="advisor")
    before = timezone.now()

    resp = client_for(root).post(
        reverse("admin:compensation_authoritylimit_change", args=[limit.pk]),
        {"role": "advisor", "limit": "800.00", "decision_window": ""})

    assert resp.status_code == 302
    record = _one_record(model="compensation.AuthorityLimit", object_pk=str(limit.pk))
    assert (record.actor, record.action) == (root, AuditAction.UPDATE)
    assert before <= record.at <= timezone.now()
    assert record.changes == {"limit": [str(limit.limit), "800.00"]}
    assert record.source.startswith("/admin/compensation/authoritylimit/")


def test_an_sla_window_changed_in_the_admin_shows_both_windows(root):
    policy = SlaPolicy.objects.get(kind="contact")
    client_for(root).post(reverse("admin:escalation_slapolicy_change", args=[policy.pk]), {
        "kind": "contact", "window": "03:00:00", "anchor": policy.anchor,
        "clock": policy.clock, "target": policy.target, "warn_ratio": "0.50",
        "position": policy.position})

    record = _one_record(model="escalation.SlaPolicy")
    assert set(record.changes) == {"window", "warn_ratio"}
    assert record.changes["warn_ratio"] == [str(policy.warn_ratio), "0.50"]
    assert record.changes["window"][1] == "P0DT03H00M00S"


def test_a_preference_set_through_the_api_with_a_token_is_recorded_as_that_user(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.manager1)}")

    resp = client.put(reverse("api-notifications-preferences"),
                      {"language": "en", "sms": "off"}, format="json")

    assert resp.status_code == 200, resp.content
    record = _one_record(model="notifications.NotificationPreference")
    assert (record.actor, record.action) == (org.manager1, AuditAction.CREATE)
    assert record.changes["language"] == [None, "en"] and record.changes["sms"] == [None, "off"]

    api_as(org.manager1).put(reverse("api-notifications-preferences"), {"language": "zh-hans"},
                             format="json")
    latest = _one_record(model="notifications.NotificationPreference",
                         action=AuditAction.UPDATE)
    assert latest.changes == {"language": ["en", "zh-hans"]}


def test_a_change_outside_any_request_is_recorded_without_an_actor(org):
    limit = AuthorityLimit.objects.get(role="advisor")
    limit.limit = "650"
    limit.save()
    limit.save()  # nothing changed: nothing recorded

    record = _one_record(model="compensation.AuthorityLimit")
    assert (record.actor, record.source) == (None, "")
    assert record.changes == {"limit": [str(Decimal("500.00")), "650"]}


def test_deleting_a_setting_records_what_it_held(root):
    limit = AuthorityLimit.objects.get(role="advisor")
    resp = client_for(root).post(
        reverse("admin:compensation_authoritylimit_delete", args=[limit.pk]), {"post": "yes"})

    assert resp.status_code == 302
    record = _one_record(action=AuditAction.DELETE)
    assert record.actor == root and record.changes["role"] == ["advisor", None]


def test_secrets_and_phones_never_reach_the_audit_trail(org):
    endpoint = WebhookEndpoint.objects.create(name="群", node=org.S01, kind="generic",
                                              url="https://example.com/h", secret="s3cr3t")
    endpoint.secret = "n3w-s3cr3t"
    endpoint.save()
    org.manager1.phone = PHONE
    org.manager1.set_password("another-password")
    org.manager1.save()

    text = str(list(AuditRecord.objects.values_list("changes", flat=True)))
    assert "s3cr3t" not in text and PHONE not in text and "md5$" not in text
    user = _one_record(model="org.User", action=AuditAction.UPDATE)
    assert user.changes["phone"] == ["", MASKED] and user.changes["password"] == ["***", "***"]


def test_logging_in_records_nothing(org):
    client_for(org.manager1)
    org.manager1.last_login = timezone.now()
    org.manager1.save(update_fields=["last_login"])
    assert not AuditRecord.objects.filter(model="org.User", action=AuditAction.UPDATE).exists()


# --------------------------------------------------------------------------- nobody edits the trail


def test_audit_records_refuse_changes_and_deletes_through_the_orm(org):
    AuthorityLimit.objects.filter(role="advisor").get().save()
    record = AuditRecord.objects.create(action=AuditAction.UPDATE, model="x.Y", object_pk="1",
                                        object_repr="y", changes={"a": [1, 2]})
    record.changes = {}
    with pytest.raises(ImmutableError):
        record.save()
    with pytest.raises(ImmutableError):
        record.delete()
    with pytest.raises(ImmutableError):
        AuditRecord.objects.update(changes={})
    with pytest.raises(ImmutableError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(pk=record.pk).changes == {"a": [1, 2]}


def _audit_record(root) -> AuditRecord:
    limit = AuthorityLimit.objects.get(role="advisor")
    client_for(root).post(reverse("admin:compensation_authoritylimit_change", args=[limit.pk]),
                          {"role": "advisor", "limit": "700.00", "decision_window": ""})
    return _one_record(model="compensation.AuthorityLimit")


def _approval(org) -> Approval:
    case = contacted_case(store=org.S01)
    resp = api_as(org.advisor1).post(f"/api/v1/cases/{case.pk}/offers/", {
        "items": [{"code": "voucher", "value": "1500"}]}, format="json")
    assert resp.status_code == 201, resp.content
    return Approval.objects.get(pk=resp.json()["approval"]["id"])


@pytest.mark.parametrize("kind", ["audit", "case_event", "approval"])
def test_even_a_superuser_cannot_change_or_delete_trail_records_in_the_admin(org, root, kind):
    obj = {"audit": lambda: _audit_record(root),
           "case_event": lambda: CaseEvent.objects.filter(
               case=open_case(store=org.S01, score=2)).first(),
           "approval": lambda: _approval(org)}[kind]()
    meta = obj._meta
    name = f"admin:{meta.app_label}_{meta.model_name}"
    client = client_for(root)

    page = client.get(reverse(f"{name}_change", args=[obj.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="_save"' not in body and reverse(f"{name}_delete", args=[obj.pk]) not in body
    assert client.post(reverse(f"{name}_change", args=[obj.pk]), {}).status_code == 403
    assert client.post(reverse(f"{name}_delete", args=[obj.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.get(reverse(f"{name}_add")).status_code == 403
    listing = client.get(reverse(f"{name}_changelist")).content.decode()
    assert "delete_selected" not in listing
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", [m for m, a in admin.site._registry.items()
                                   if m._meta.app_label != "django_celery_beat"
                                   and m._meta.model_name in {
                                       "auditrecord", "caseevent", "approval", "offer",
                                       "issuedcompensation", "escalation", "deadline",
                                       "surveyresponse", "contact", "stockmovement",
                                       "notification", "delivery"}],
                         ids=lambda m: m._meta.label)
def test_every_record_the_product_writes_is_view_only_in_the_admin(root, model):
    request = RequestFactory().get("/admin/")
    request.user = root
    model_admin = admin.site._registry[model]
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)


def test_the_trail_is_only_for_those_who_see_the_whole_network(org, root):
    _audit_record(root)
    org.manager1.is_staff = True
    org.manager1.save()
    from django.contrib.auth.models import Permission

    org.manager1.user_permissions.add(Permission.objects.get(codename="view_auditrecord"))
    resp = client_for(org.manager1).get(reverse("admin:audit_auditrecord_changelist"))
    assert resp.status_code == 200 and resp.context["cl"].result_count == 0
    resp = client_for(root).get(reverse("admin:audit_auditrecord_changelist"))
    assert resp.context["cl"].result_count == AuditRecord.objects.count() > 0


# --------------------------------------------------------------------------- phones in the admin


@pytest.fixture
def customer(org) -> Customer:
    case = open_case(store=org.S01, score=2)
    Customer.objects.filter(pk=case.customer_id).update(phone=PHONE)
    return Customer.objects.get(pk=case.customer_id)


def _customer_form(customer, **changes) -> dict:
    at = timezone.localtime(customer.created_at)
    return {"external_id": customer.external_id, "name": customer.name, "phone": MASKED,
            "segment": customer.segment, "preferred_channel": customer.preferred_channel,
            "language": customer.language,
            "created_at_0": at.date().isoformat(),
            "created_at_1": at.time().isoformat(), **changes}


def test_admin_customer_pages_never_show_the_full_number(root, customer):
    client = client_for(root)
    for url in (reverse("admin:cases_customer_changelist"),
                reverse("admin:cases_customer_change", args=[customer.pk])):
        body = client.get(url).content.decode()
        assert MASKED in body and PHONE not in body


def test_saving_the_customer_with_the_masked_number_keeps_the_stored_one(root, customer):
    url = reverse("admin:cases_customer_change", args=[customer.pk])
    assert client_for(root).post(url, _customer_form(customer, name="新名字")).status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("新名字", PHONE)

    client_for(root).post(url, _customer_form(customer, phone="13700001111"))
    customer.refresh_from_db()
    assert customer.phone == "13700001111"


def test_view_only_staff_see_the_masked_number(org, customer):
    from django.contrib.auth.models import Permission

    staff = org.manager1
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="view_customer"))
    body = client_for(staff).get(
        reverse("admin:cases_customer_change", args=[customer.pk])).content.decode()
    assert MASKED in body and PHONE not in body


def test_admin_user_page_masks_the_staff_phone(org, root):
    org.manager1.phone = PHONE
    org.manager1.save()
    body = client_for(root).get(
        reverse("admin:org_user_change", args=[org.manager1.pk])).content.decode()
    assert MASKED in body and PHONE not in body


# --------------------------------------------------------------------------- no PII in logs


def test_an_intake_and_its_notifications_log_no_phone_and_no_name(org, caplog):
    org.manager1.phone = "13811112222"
    org.manager1.save()
    with caplog.at_level(logging.DEBUG):
        resp = api_as(org.integration).post("/api/v1/survey-responses/", {
            "source": "dms", "external_id": "log-1", "store": "S01", "score": 1,
            "comment": f"态度差,回电{PHONE}",
            "customer": {"external_id": "c-log", "name": "王大锤", "phone": PHONE}},
            format="json")
        assert resp.status_code == 201, resp.content
        call_command("notifications_deliver", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert caplog.records, "the SMS provider logs each text it would send"
    assert PHONE not in caplog.text and "13811112222" not in caplog.text
    assert "王大锤" not in caplog.text
