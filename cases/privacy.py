"""One customer's personal data: everything held about them (export) and its anonymisation
(erase). Cases, scores and money figures stay, so the KPIs do not change; what identifies or
describes the person goes. Erasing twice changes nothing the second time.

What other apps hold about the customer (contacts, offers, notifications…) they declare by
registering a `PersonalData` in their `AppConfig.ready()`."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from org.models import User

from .events import Registry
from .models import Case, CaseEvent, CaseEventKind, Customer, ServiceRecord, SurveyResponse
from .services import event_record

# Stored data, not interface text: the rows keep these whatever language the reader uses.
ERASED_NAME = "已删除客户"
REDACTED = "[已删除]"
ERASED_MARK = {"privacy": "erased"}
MIN_SECRET = 4


class PersonalData:
    """What one app holds about a customer: it exports it, names the personal texts in it, and
    erases them. Subclasses override what applies to them."""

    @staticmethod
    def customer_export(customer: Customer) -> dict:
        """Top-level parts of the export."""
        return {}

    @staticmethod
    def case_export(case: Case) -> dict:
        """Parts of each case's export."""
        return {}

    @staticmethod
    def secrets(customer: Customer) -> Iterable[str]:
        """Texts that identify or describe the person (cut out of every copy)."""
        return ()

    @staticmethod
    def copies(customer: Customer) -> list[tuple[QuerySet, tuple[str, ...]]]:
        """Rows that keep copies of those texts, with the fields that hold them: the rows stay,
        the personal text in them is cut out."""
        return []

    @staticmethod
    def erase(customer: Customer) -> None:
        """Redact the free text about the person."""


personal_data: Registry[type[PersonalData]] = Registry("personal_data")


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


def mentions_q(*, customer: Customer) -> Q:
    """Rows about the customer's cases, or whose title or body names them."""
    mention = Q(case__customer=customer)
    if len(customer.name) >= 2 and customer.name != ERASED_NAME:
        mention |= Q(title__contains=customer.name) | Q(body__contains=customer.name)
    return mention


def rows_of(qs: QuerySet, *fields: str) -> list[dict]:
    return list(qs.values(*fields))


def _case_export(case: Case) -> dict:
    row = rows_of(Case.objects.filter(pk=case.pk), "id", "number", "source", "store__code",
                  "level", "severity", "state", "outcome", "flags", "description",
                  "score_before", "score_after", "triggered_at", "closed_at")[0]
    for data in personal_data:
        row.update(data.case_export(case))
    return {**row, "events": rows_of(case.events.order_by("at", "pk"), "kind", "from_state",
                                     "to_state", "note", "data", "at")}


def customer_export(*, customer: Customer) -> dict:
    """Everything held about the customer, as plain JSON-ready values."""
    cases = Case.objects.filter(customer=customer).order_by("triggered_at", "pk")
    out = {
        "customer": rows_of(Customer.objects.filter(pk=customer.pk), "id", "external_id", "name",
                            "phone", "vip", "segment", "wecom_external_userid",
                            "contact_opted_out_at", "preferred_channel", "language",
                            "created_at")[0],
        "service_records": rows_of(ServiceRecord.objects.filter(customer=customer).order_by("pk"),
                                 "id", "order_number", "store__code", "service_type",
                                 "advisor", "technician", "visit_at", "amount"),
        "responses": rows_of(SurveyResponse.objects.filter(customer=customer).order_by("pk"),
                           "id", "source", "external_id", "store__code", "score", "comment",
                           "flags", "responded_at", "case_id", "rescore"),
        "cases": [_case_export(case) for case in cases],
    }
    for data in personal_data:
        out.update(data.customer_export(customer))
    return out


def _secrets(*, customer: Customer) -> list[str]:
    """The texts that identify or describe the person, longest first: their name and number,
    and what they or staff wrote about them (comments, descriptions, contact and mood notes).
    Copies of these in notifications and in the timeline are cut out too."""
    texts = {customer.phone, customer.external_id or "", customer.wecom_external_userid}
    if customer.name != ERASED_NAME and len(customer.name) >= 2:
        texts.add(customer.name)
    texts.update(SurveyResponse.objects.filter(customer=customer).values_list("comment",
                                                                              flat=True))
    texts.update(Case.objects.filter(customer=customer).values_list("description", flat=True))
    for data in personal_data:
        texts.update(data.secrets(customer))
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
    targets = [*(copy for data in personal_data for copy in data.copies(customer)),
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
    SurveyResponse.objects.filter(customer=customer).exclude(comment__in=["", REDACTED]).update(
        comment=REDACTED)
    Case.objects.filter(customer=customer).exclude(description__in=["", REDACTED]).update(
        description=REDACTED)
    for data in personal_data:
        data.erase(customer)


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
