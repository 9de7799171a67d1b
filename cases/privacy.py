"""One customer's personal data: everything held about them (export) and its anonymisation
(erase). Cases, scores and money figures stay, so the KPIs do not change; what identifies or
describes the person goes. Erasing twice changes nothing the second time."""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from org.models import User

from .models import Case, CaseEvent, CaseEventKind, Customer, ServiceRecord, SurveyResponse
from .services import event_record

# Stored data, not interface text: the rows keep these whatever language the reader uses.
ERASED_NAME = "已删除客户"
REDACTED = "[已删除]"
ERASED_MARK = {"privacy": "erased"}
MIN_SECRET = 4


@dataclass(frozen=True)
class Erasure:
    customer: Customer
    cases_marked: int
    already_erased: bool


def customer_find(*, key: str) -> Customer:
    """The customer by external id, else by primary key; raises Customer.DoesNotExist."""
    found = Customer.objects.filter(external_id=key).first()
    if found is None and key.isdigit():
        found = Customer.objects.filter(pk=int(key)).first()
    if found is None:
        raise Customer.DoesNotExist(key)
    return found


def _mentions(*, customer: Customer) -> Q:
    mention = Q(case__customer=customer)
    if len(customer.name) >= 2 and customer.name != ERASED_NAME:
        mention |= Q(title__contains=customer.name) | Q(body__contains=customer.name)
    return mention


def _notifications(*, customer: Customer) -> QuerySet:
    from notifications.models import Notification

    return Notification.objects.filter(_mentions(customer=customer))


def _rows(qs: QuerySet, *fields: str) -> list[dict]:
    return list(qs.values(*fields))


def _case_export(case: Case) -> dict:
    from compensation.models import IssuedCompensation, Offer, OfferLine
    from toolkit.models import Contact

    row = _rows(Case.objects.filter(pk=case.pk), "id", "number", "source", "store__code",
                "level", "severity", "state", "outcome", "flags", "description", "score_before",
                "score_after", "triggered_at", "closed_at")[0]
    offers = Offer.objects.filter(case=case).order_by("pk")
    return {
        **row,
        "contacts": _rows(Contact.objects.filter(case=case).order_by("at", "pk"), "id", "channel",
                          "purpose", "outcome", "note", "at", "by__username"),
        "offers": [{**o, "lines": _rows(OfferLine.objects.filter(offer_id=o["id"]).order_by(
            "position", "pk"), "code", "name", "value")}
            for o in _rows(offers, "id", "tier", "status", "total_value", "note", "created_at")],
        "issued_compensation": _rows(IssuedCompensation.objects.filter(case=case).order_by("pk"),
                                     "id", "code", "name", "value", "issued_at"),
        "events": _rows(case.events.order_by("at", "pk"), "kind", "from_state", "to_state",
                        "note", "data", "at"),
    }


def customer_export(*, customer: Customer) -> dict:
    """Everything held about the customer, as plain JSON-ready values."""
    from toolkit.models import CustomerProfile

    cases = Case.objects.filter(customer=customer).order_by("triggered_at", "pk")
    return {
        "customer": _rows(Customer.objects.filter(pk=customer.pk), "id", "external_id", "name",
                          "phone", "vip", "segment", "wecom_external_userid",
                          "contact_opted_out_at", "preferred_channel", "created_at")[0],
        "profile": (_rows(CustomerProfile.objects.filter(customer=customer), "birthday",
                          "vehicle", "preferences") or [None])[0],
        "service_records": _rows(ServiceRecord.objects.filter(customer=customer).order_by("pk"),
                                 "id", "order_number", "store__code", "service_type",
                                 "advisor", "technician", "visit_at", "amount"),
        "responses": _rows(SurveyResponse.objects.filter(customer=customer).order_by("pk"),
                           "id", "source", "external_id", "store__code", "score", "comment",
                           "flags", "responded_at", "case_id", "rescore"),
        "cases": [_case_export(case) for case in cases],
        "notifications": _rows(_notifications(customer=customer).order_by("pk"), "id",
                               "recipient__username", "kind", "title", "body", "case_id",
                               "created_at"),
        "messages": _rows(_customer_messages(customer=customer).order_by("pk"), "id",
                          "case_id", "channel", "to", "text", "created_at"),
    }


def _customer_messages(*, customer: Customer) -> QuerySet:
    from notifications.models import CustomerMessage

    return CustomerMessage.objects.filter(case__customer=customer)


def _secrets(*, customer: Customer) -> list[str]:
    """The texts that identify or describe the person, longest first: their name and number,
    and what they or staff wrote about them (comments, descriptions, contact and mood notes).
    Copies of these in notifications and in the timeline are cut out too."""
    from portal.models import CustomerReply
    from toolkit.models import CaseProfile, Contact

    texts = {customer.phone, customer.external_id or ""}
    if customer.name != ERASED_NAME and len(customer.name) >= 2:
        texts.add(customer.name)
    texts.update(SurveyResponse.objects.filter(customer=customer).values_list("comment",
                                                                              flat=True))
    texts.update(Case.objects.filter(customer=customer).values_list("description", flat=True))
    texts.update(Contact.objects.filter(case__customer=customer).values_list("note", flat=True))
    texts.update(CaseProfile.objects.filter(case__customer=customer).values_list(
        "emotion_note", flat=True))
    texts.update(CustomerReply.objects.filter(case__customer=customer).values_list(
        "comment", flat=True))
    if customer.wecom_external_userid:
        texts.add(customer.wecom_external_userid)
    # Shorter snippets ("差", an id like "7") would cut unrelated words out of other texts.
    texts = {t for t in texts if len(t.strip()) >= MIN_SECRET} | ({customer.name} & texts)
    return sorted(texts - {REDACTED, ERASED_NAME, ""}, key=len, reverse=True)


def _scrub(text: str, *, secrets: list[str], name: str) -> str:
    for secret in secrets:
        text = text.replace(secret, ERASED_NAME if secret == name else REDACTED)
    return text


def _redact_copies(*, customer: Customer, secrets: list[str]) -> None:
    """Notifications about the customer and the notes of their cases' timeline keep their
    rows (the audit trail stays whole); only the personal text in them is cut out."""
    targets = [(_notifications(customer=customer), ("title", "body")),
               (CaseEvent.objects.filter(case__customer=customer), ("note",))]
    for qs, fields in targets:
        for row in qs.only("pk", *fields):
            changes = {f: _scrub(getattr(row, f), secrets=secrets, name=customer.name)
                       for f in fields}
            if any(changes[f] != getattr(row, f) for f in fields):
                rows = type(row).objects.filter(pk=row.pk)
                if isinstance(row, CaseEvent):  # otherwise immutable, by design
                    rows.note_redact(changes["note"])
                else:
                    rows.update(**changes)


def _redact_free_text(*, customer: Customer) -> None:
    from portal.models import CustomerReply
    from toolkit.models import CaseProfile, Contact, CustomerProfile

    SurveyResponse.objects.filter(customer=customer).exclude(comment__in=["", REDACTED]).update(
        comment=REDACTED)
    Case.objects.filter(customer=customer).exclude(description__in=["", REDACTED]).update(
        description=REDACTED)
    Contact.objects.filter(case__customer=customer).exclude(note__in=["", REDACTED]).update(
        note=REDACTED)
    CaseProfile.objects.filter(case__customer=customer).exclude(
        emotion_note__in=["", REDACTED]).update(emotion_note=REDACTED)
    CustomerProfile.objects.filter(customer=customer).update(birthday=None, vehicle="",
                                                             preferences="")
    # The messages sent to them: the number or WeChat id and the text that named them.
    _customer_messages(customer=customer).exclude(text=REDACTED).update(to="", text=REDACTED)
    CustomerReply.objects.filter(case__customer=customer).exclude(
        comment__in=["", REDACTED]).update(comment=REDACTED)


def customer_erase(*, customer: Customer, actor: User | None = None) -> Erasure:
    """Anonymise the customer's personal fields and free text about them; keep cases, scores
    and money. Each case gets one audit event (kind note, data {"privacy": "erased"})."""
    with transaction.atomic():
        try:
            customer = Customer.objects.select_for_update().get(pk=customer.pk)
        except ObjectDoesNotExist:
            raise Customer.DoesNotExist(customer.pk) from None
        already = (customer.name == ERASED_NAME and not customer.phone
                   and customer.external_id is None)
        _redact_copies(customer=customer, secrets=_secrets(customer=customer))
        _redact_free_text(customer=customer)
        Customer.objects.filter(pk=customer.pk).update(name=ERASED_NAME, phone="",
                                                       external_id=None,
                                                       wecom_external_userid="")
        done = set(CaseEvent.objects.filter(case__customer=customer, kind=CaseEventKind.NOTE,
                                            data__privacy="erased").values_list("case_id",
                                                                                flat=True))
        to_mark = Case.objects.filter(customer=customer).exclude(pk__in=done).order_by("pk")
        count = 0
        for case in to_mark:
            event_record(case=case, kind=CaseEventKind.NOTE, actor=actor,
                         note=gettext("Personal data erased."), data=dict(ERASED_MARK))
            count += 1
        customer.refresh_from_db()
    return Erasure(customer=customer, cases_marked=count, already_erased=already)
