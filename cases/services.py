"""Writes of the cases app: intake, opening a case, transitions, checklist, severity."""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from org.models import OrgNode, Role, User
from org.selectors import people_at_or_above, user_can_see_node, user_scope_path
from recovery.compiled import CompiledValues, Param, Prepared, RawModels
from recovery.config_cache import config_cached

from .events import case_events, service_records_saved
from .guards import recovered_earned, unmet_reason
from .models import (
    ACTIVE_STATES,
    CORRECTABLE_FIELDS,
    LEVEL_OWNER_ROLE,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseSource,
    CaseWatcher,
    ChecklistItem,
    ChecklistTemplateItem,
    Customer,
    CustomerLanguage,
    FailureType,
    Flag,
    IntakePolicy,
    IntakeSource,
    Level,
    Outcome,
    ServiceRecord,
    Severity,
    SurveyResponse,
)
from .permissions import can_correct, can_see, can_work
from .phones import phone_normalize
from .selectors import case_scope, customer_wholly_in_scope, intake_sources
from .triage import Triage, level_for, severity_for, triage

# Transitions a user may call by name; the others are driven by approvals.
PUBLIC_TRANSITIONS = ["contact", "propose", "start", "resolve", "follow_up", "close", "reopen"]


class TransitionConflict(Exception):
    """The transition is not allowed from the case's current state (HTTP 409)."""


@dataclass
class IntakeResult:
    response: SurveyResponse
    created: bool


def event_record(*, case: Case, kind: str, actor: User | None = None, note: str = "",
                 from_state: str = "", to_state: str = "", data: dict | None = None,
                 at: datetime | None = None) -> CaseEvent:
    """Every change to a case leaves one immutable event, handed to the other apps' handlers
    (`cases.events.case_events`) in the same transaction."""
    event = CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, note=note, from_state=from_state, to_state=to_state,
        data=data or {}, at=at or timezone.now(),
    )
    case_events.send([event])
    return event


def events_record(events: list[CaseEvent]) -> list[CaseEvent]:
    """`event_record` for the events of one change written at once (one insert), handed to the
    handlers together."""
    events = CaseEvent.objects.bulk_create(events)
    case_events.send(events)
    return events


MENTION = re.compile(r"@([\w.+-]+)")


def mentioned_users(*, case: Case, text: str) -> list[User]:
    """The active users named `@username` in the text who may see the case (others are left
    out: a mention never shows a case to someone outside its scope)."""
    names = set(MENTION.findall(text))
    if not names:
        return []
    users = User.objects.filter(username__in=names, is_active=True).select_related("node")
    return [u for u in users if can_see(case, u)]


def customer_language_check(language: str | None) -> None:
    if language is not None and language not in CustomerLanguage.values:
        raise ValidationError({"language": [_("Unknown language.")]})


def customer_upsert(*, actor: User, name: str, external_id: str | None = None, phone: str = "",
                    vip: bool = False, segment: str | None = None, language: str | None = None,
                    unless_received: tuple[str, str] | None = None) -> Customer | None:
    """Insert or update by external id in one statement. The update locks the row until commit
    (on PostgreSQL; SQLite writes one at a time anyway), so two intakes of one customer take
    turns and cannot open two cases. With `unless_received=(source, external id)` (for a
    customer with an external id, as survey responses have) it does nothing and returns None
    when that survey response is already stored.

    A customer with cases or visits at stores the actor does not see is linked, never changed
    (`customer_wholly_in_scope`), and only by someone who gives the phone number on record: an
    id alone neither overwrites another store's customer nor reveals them. A `language` given
    is the customer's from now on; none keeps the one on record."""
    customer_language_check(language)
    try:
        phone = phone_normalize(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    if not external_id:
        return _customer_by_phone(actor=actor, name=name, phone=phone, vip=vip, segment=segment,
                                  language=language)
    scoped = user_scope_path(user=actor) != ""
    known = _customer_known(external_id=external_id, phone=phone) if phone or scoped else None
    may_change = True
    if scoped and known and not customer_wholly_in_scope(user=actor, customer_id=known[0]):
        # Both sides are in the stored form (`phone_normalize`).
        if not known[1] or known[1] != phone:
            raise ValidationError({"customer": [_(
                "A customer with this id is registered at another store. To link them, give "
                "the phone number on record; or leave the id empty.")]})
        may_change = False
    source, response_id = unless_received or (None, None)
    rows = _CUSTOMERS.objects(CUSTOMER_UPSERT, {
        "external_id": external_id, "name": name, "phone": phone, "vip": vip,
        "segment": segment or Customer._meta.get_field("segment").default,
        "segment_given": bool(segment), "may_change": may_change,
        "language": language or CustomerLanguage.ZH_HANS, "language_given": bool(language),
        "created_at": connection.ops.adapt_datetimefield_value(timezone.now()),
        "source": source, "response_id": response_id,
    })
    return rows[0] if rows else None


_CUSTOMERS, _RESPONSES = RawModels(Customer), RawModels(SurveyResponse)


# `customer_upsert` in one statement: the ORM's update_or_create reads, then writes, so two
# intakes of one customer could both insert; `bulk_create(update_conflicts=True)` cannot keep
# the row as it is (a customer outside the actor's scope: the update only takes the row lock),
# keep a VIP a VIP, or insert nothing when the survey response is stored already. The WHERE
# also settles SQLite's parsing of an upsert from a SELECT. A null `source` matches no response.
CUSTOMER_UPSERT = Prepared("intake_customer_upsert", """
    INSERT INTO cases_customer (external_id, name, phone, vip, segment, language, created_at)
    SELECT %(external_id)s, %(name)s, %(phone)s, %(vip)s, %(segment)s, %(language)s,
           %(created_at)s
    WHERE NOT EXISTS (SELECT 1 FROM cases_surveyresponse
                      WHERE source = %(source)s AND external_id = %(response_id)s)
    ON CONFLICT (external_id) DO UPDATE SET
        name = CASE WHEN %(may_change)s THEN excluded.name ELSE cases_customer.name END,
        phone = CASE WHEN %(may_change)s THEN excluded.phone ELSE cases_customer.phone END,
        -- A payload that leaves VIP out (an incident form's default) never demotes a VIP:
        -- that is an administrator's decision.
        vip = cases_customer.vip OR (%(may_change)s AND excluded.vip),
        segment = CASE WHEN %(may_change)s AND %(segment_given)s THEN excluded.segment
                       ELSE cases_customer.segment END,
        language = CASE WHEN %(may_change)s AND %(language_given)s THEN excluded.language
                        ELSE cases_customer.language END
    RETURNING id, external_id, name, phone, vip, segment, language, created_at""")


VEHICLE_FIELDS = ("plate", "vin", "vehicle_model")


def customer_vehicle_set(*, actor: User, customer: Customer, customer_in: dict,
                         service_record_in: dict | None = None) -> None:
    """The car an intake names (the customer's, else the visit's) becomes the customer's car as
    last known, under the rule for name and phone: only a customer wholly in the actor's scope
    is changed. Blank values never erase one on record."""
    visit = service_record_in or {}
    given = {k: customer_in.get(k) or visit.get(k) or "" for k in VEHICLE_FIELDS}
    changes = {k: v for k, v in given.items() if v and getattr(customer, k) != v}
    if not changes or not customer_wholly_in_scope(user=actor, customer_id=customer.pk):
        return
    Customer.objects.filter(pk=customer.pk).update(**changes)
    for name, value in changes.items():
        setattr(customer, name, value)


def _without_vehicle(customer_in: dict) -> dict:
    return {k: v for k, v in customer_in.items() if k not in VEHICLE_FIELDS}


def _customer_by_phone(*, actor: User, name: str, phone: str, vip: bool,
                       segment: str | None, language: str | None) -> Customer:
    """A customer given without an external id (an incident): the one on record with this
    number, else a new one. The row is locked until commit; a match is linked, not renamed, and
    one with history outside the actor's stores is not changed at all (the number is the proof
    of knowing them, as in `customer_upsert`)."""
    person = (Customer.objects.select_for_update().filter(phone=phone).order_by("-pk").first()
              if phone else None)
    if person is None:
        return Customer.objects.create(name=name, phone=phone, vip=vip,
                                       **({"segment": segment} if segment else {}),
                                       **({"language": language} if language else {}))
    in_scope = (user_scope_path(user=actor) == ""
                or customer_wholly_in_scope(user=actor, customer_id=person.pk))
    changed = []
    if in_scope and vip and not person.vip:
        person.vip = True
        changed.append("vip")
    if in_scope and language and person.language != language:
        person.language = language
        changed.append("language")
    if changed:
        person.save(update_fields=changed)
    return person


# One read finds either the customer with the id or, failing that, the newest with the number and
# no id (most survey responses, a new customer or a known id, need nothing more); the adoption is
# then one guarded UPDATE, so a concurrent intake of the same id cannot adopt it in between (the
# ORM would read, then write).
CUSTOMER_KNOWN = """
    SELECT id, phone, external_id IS NULL FROM cases_customer
    WHERE external_id = %(external_id)s OR (phone = %(phone)s AND external_id IS NULL)
    ORDER BY external_id IS NULL, id DESC LIMIT 1"""
EXTERNAL_ID_ADOPT = """
    UPDATE cases_customer SET external_id = %(external_id)s
    WHERE id = %(id)s AND external_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM cases_customer WHERE external_id = %(external_id)s)"""


def _customer_known(*, external_id: str, phone: str) -> tuple[int, str] | None:
    """(id, phone) of the customer with this external id, if any. A new external id whose phone
    number belongs to a customer known without one (reported by an incident) becomes that
    customer's first."""
    with connection.cursor() as cursor:
        cursor.execute(CUSTOMER_KNOWN, {"external_id": external_id, "phone": phone or None})
        row = cursor.fetchone()
        if row is None or not row[2]:
            return row[:2] if row else None
        cursor.execute(EXTERNAL_ID_ADOPT, {"external_id": external_id, "id": row[0]})
        if cursor.rowcount == 1:
            return row[:2]
    # Another intake took the number or the id meanwhile.
    return Customer.objects.filter(external_id=external_id).values_list("pk", "phone").first()


def service_record_upsert(*, store: OrgNode, customer: Customer, order_number: str,
                          service_type: str = "", advisor: str = "", technician: str = "",
                          visit_at: datetime | None = None, amount: Decimal | None = None,
                          plate: str = "", vin: str = "", vehicle_model: str = "",
                          mileage: int | None = None) -> ServiceRecord:
    record, _created = ServiceRecord.objects.update_or_create(
        store=store, order_number=order_number,
        defaults={"customer": customer, "service_type": service_type, "advisor": advisor,
                  "technician": technician, "visit_at": visit_at,
                  "amount": amount if amount is not None else Decimal("0.00"),
                  "plate": plate, "vin": vin, "vehicle_model": vehicle_model,
                  "mileage": mileage},
    )
    service_records_saved.send([record])
    return record


def _checklist_templates() -> list[tuple[ChecklistTemplateItem, set[int]]]:
    return config_cached("checklist-templates", lambda: [
        (t, {ft.pk for ft in t.failure_types.all()})
        for t in ChecklistTemplateItem.objects.filter(active=True).prefetch_related("failure_types")
    ])


@functools.cache
def _checklist_statement() -> Prepared:
    template = ChecklistTemplateItem._meta
    types = ChecklistTemplateItem.failure_types.through._meta
    item, failure_type = (types.get_field(name).column
                          for name in ("checklisttemplateitem", "failuretype"))
    links = f"SELECT 1 FROM {types.db_table} l WHERE l.{item} = t.id"
    return Prepared("case_checklist_instantiate", (
        f"INSERT INTO {ChecklistItem._meta.db_table} "
        "(case_id, code, title, title_en, position, required, waive_reason) "
        f"SELECT %s, t.code, t.title, t.title_en, t.position, t.required, '' "
        f"FROM {template.db_table} t WHERE t.active = %s AND (NOT EXISTS ({links}) OR "
        f"EXISTS ({links} AND l.{failure_type} = %s)) "
        "ORDER BY t.position, t.code"))


def checklist_instantiate(*, case: Case) -> None:
    """The case's items: the active template items for every failure type and for the case's,
    copied in the database by one statement (in template order, which breaks position ties)."""
    with connection.cursor() as cursor:
        _checklist_statement().execute(cursor, [case.pk, True, case.failure_type_id])


def failure_type_by_code(code: str | None) -> FailureType | None:
    if not code:
        return None
    return config_cached("failure-types", lambda: {
        t.code: t for t in FailureType.objects.filter(active=True)}).get(code)


def case_open(*, store: OrgNode, customer: Customer, result: Triage, source: str,
              triggered_at: datetime, received_at: datetime, actor: User | None,
              service_record: ServiceRecord | None = None,
              failure_type: FailureType | None = None, description: str = "",
              score: int | None = None, idempotency_key: str = "") -> Case:
    """Open a case with its owner, checklist and first event (must run in a transaction); the
    event's handlers start the deadlines (meeting the assembly one: the case is assembled and
    the manager's notification handed to the outbox in this transaction), announce it and start
    its fact row. Without a failure type given, the one triage read from the text."""
    owners, _node, _role = people_at_or_above(node=store, role=LEVEL_OWNER_ROLE[result.level])
    why = result.why
    if failure_type is None:
        failure_type = failure_type_by_code(result.failure_type)
    else:
        why = {**why, "failure_type": {"code": failure_type.code, "rule": "sent"}}
    case = Case.objects.create(
        source=source, store=store, customer=customer, service_record=service_record,
        failure_type=failure_type, level=result.level, severity=result.severity,
        flags=result.flags, emotion=result.emotion, triage=why, description=description,
        score_before=score,
        triggered_at=triggered_at, received_at=received_at, created_by=actor,
        owner=owners[0] if owners else None, idempotency_key=idempotency_key,
    )
    # The number carries the id, known only after the insert. Nothing watches this write: a
    # plain UPDATE, not the state machine's save.
    case.number = f"SR{timezone.localtime(received_at):%y%m%d}-{case.pk:06d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)
    checklist_instantiate(case=case)
    event_record(case=case, kind=CaseEventKind.OPENED, actor=actor, to_state=case.state,
                 data={"triggers": result.triggers, "level": result.level}, at=received_at)
    return case


def _active_case_keys(*, customer_id: int, store_id: int) -> QuerySet:
    """The key of the customer's active case at the store (the newest, should there be two)."""
    return (Case.objects.filter(customer_id=customer_id, store_id=store_id,
                                state__in=ACTIVE_STATES)
            .order_by("-triggered_at").values_list("pk", flat=True)[:1])


# Compiled once per process: the intake asks it for most responses.
_ACTIVE_CASE_KEYS = CompiledValues(lambda: _active_case_keys(
    customer_id=Param("customer", BigIntegerField()), store_id=Param("store", BigIntegerField())))


def _active_case_keys_sql(*, customer_id: int, store_id: int) -> tuple[str, list]:
    """`_active_case_keys` as SQL and parameters, to run inside another statement."""
    return _ACTIVE_CASE_KEYS.sql(customer=customer_id, store=store_id)


def _active_case_for(*, customer: Customer, store: OrgNode) -> Case | None:
    # Most responses find none: ask for the key first (a query compiled once), read the whole
    # case only when there is one.
    sql, params = _active_case_keys_sql(customer_id=customer.pk, store_id=store.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else Case.objects.get(pk=row[0])


def case_rescore(*, case: Case, score: int | None, at: datetime, actor: User | None,
                 note: str = "") -> Case:
    if score is not None:
        case.score_after = score
        case.rescored_at = at
        case.save(update_fields=["score_after", "rescored_at"])
    event_record(case=case, kind=CaseEventKind.RESCORED, actor=actor, note=note,
                 data={"score_before": case.score_before, "score_after": score}, at=at)
    return case


def intake_source_check(*, actor: User, source: str, signed_by: IntakeSource | None) -> None:
    """Survey responses come from the survey systems, each speaking only for itself: a request
    signed by a source, or sent with the token of the account registered for that source (Admin
    → Intake sources). Staff report incidents instead; nobody can take another source's ids."""
    if signed_by is not None:
        if signed_by.code != source:
            raise ValidationError({"source": _("The request is signed by another source.")})
        return
    known = intake_sources().get(source)
    if known is None or known.account_id != actor.pk:
        raise PermissionDenied(_(
            "Only the survey system registered for this source may send its responses. To "
            "open a case for a customer, report an incident."))
    if known.signed_only:
        raise PermissionDenied(_("Responses of this source must be signed."))


def survey_response_receive(*, actor: User, store: OrgNode, source: str, external_id: str,
                            score: int | None, comment: str, responded_at: datetime,
                            customer: dict, service_record: dict | None,
                            flags: list[str],
                            signed_by: IntakeSource | None = None) -> IntakeResult:
    """Store a survey response and open (or re-score) its case. Idempotent on
    (source, external_id), also under concurrent re-sends: the unique constraint decides."""
    intake_source_check(actor=actor, source=source, signed_by=signed_by)
    if not user_can_see_node(user=actor, node=store):
        raise PermissionDenied(_("You cannot send responses for this store."))
    try:
        with transaction.atomic():
            response = _survey_response_store(
                actor=actor, store=store, source=source, external_id=external_id, score=score,
                comment=comment, responded_at=responded_at, customer=customer,
                service_record=service_record, flags=flags,
            )
    except IntegrityError:
        existing = SurveyResponse.objects.filter(source=source, external_id=external_id).first()
        if existing is None:
            raise
        return IntakeResult(response=existing, created=False)
    if response is None:
        return IntakeResult(created=False, response=SurveyResponse.objects.get(
            source=source, external_id=external_id))
    return IntakeResult(response=response, created=True)


def _survey_response_store(*, actor, store, source, external_id, score, comment, responded_at,
                           customer, service_record, flags) -> SurveyResponse | None:
    """None when the response is already stored."""
    received_at = timezone.now()
    # The upsert locks the customer: one intake at a time per customer.
    person = customer_upsert(**_without_vehicle(customer), actor=actor,
                             unless_received=(source, external_id))
    if person is None:
        return None
    record = (service_record_upsert(store=store, customer=person, **service_record)
              if service_record else None)
    customer_vehicle_set(actor=actor, customer=person, customer_in=customer,
                         service_record_in=service_record)
    result = triage(score=score, comment=comment, flags=set(flags), record=record, vip=person.vip)
    case = active = None
    if result.opens_case:
        active = _active_case_for(customer=person, store=store)
        if active is None:
            case = case_open(
                store=store, customer=person, result=result, source=CaseSource.SURVEY,
                triggered_at=responded_at, received_at=received_at, actor=actor,
                service_record=record, description=comment, score=score,
            )
    response = SurveyResponse(
        source=source, external_id=external_id, store=store, customer=person,
        service_record=record, score=score, comment=comment, flags=sorted(set(flags)),
        responded_at=responded_at, received_at=received_at, case=active or case,
        rescore=active is not None,
    )
    # Most responses open nothing: the insert itself finds the customer's active case (after the
    # upsert's lock, so a case a concurrent intake just opened is seen).
    response = _response_insert(response, find_active=not result.opens_case)
    if response.rescore:
        response.case = active or Case.objects.get(pk=response.case_id)
        case_rescore(case=response.case, score=score, at=responded_at, actor=actor,
                     note=comment[:500])
    return response


_RESPONSE_COLUMNS = ["source", "external_id", "store", "customer", "service_record", "score",
                     "comment", "flags", "responded_at", "received_at"]


@functools.cache
def _response_insert_sql() -> str:
    """The statement of `_response_insert`, built once. The ORM cannot insert a row whose
    values come from a query in the same statement; the customer's active case is found by
    `_active_case_keys`, compiled, so that the rule lives in one place."""
    columns = ", ".join(SurveyResponse._meta.get_field(name).column
                        for name in _RESPONSE_COLUMNS)
    values = ", ".join(["%s"] * len(_RESPONSE_COLUMNS))
    active_sql, _params = _active_case_keys_sql(customer_id=0, store_id=0)
    return (f"INSERT INTO cases_surveyresponse ({columns}, case_id, rescore) "
            f"SELECT {values}, COALESCE(%s, active.pk), %s OR active.pk IS NOT NULL "
            f"FROM (SELECT 1 AS one) AS anchor LEFT JOIN ({active_sql}) AS active ON %s "
            "RETURNING *")


def _response_insert(response: SurveyResponse, *, find_active: bool) -> SurveyResponse:
    """Written last: a concurrent re-send of the same response fails here and rolls back whole.
    With `find_active`, the customer's active case at the store becomes the response's case, as
    a re-score. Returns the stored row, with the related rows `response` carries."""
    fields = [SurveyResponse._meta.get_field(name) for name in _RESPONSE_COLUMNS]
    values = [f.get_db_prep_save(getattr(response, f.attname), connection) for f in fields]
    _sql, active_params = _active_case_keys_sql(customer_id=response.customer_id,
                                                store_id=response.store_id)
    [stored] = _RESPONSES.objects(
        _response_insert_sql(),
        [*values, response.case_id, response.rescore, *active_params, find_active])
    stored.store, stored.customer = response.store, response.customer
    stored.service_record = response.service_record
    if stored.case_id == response.case_id:
        stored.case = response.case
    return stored


@transaction.atomic
def case_report_incident(*, actor: User, store: OrgNode, customer: dict,
                         failure_type: FailureType | None, description: str, flags: list[str],
                         score: int | None, occurred_at: datetime | None,
                         idempotency_key: str = "") -> Case:
    """An SA opens a case by hand for something seen in the store. The customer is matched by
    external id or phone number. With an `idempotency_key`, the same key from the same person
    again answers with the case it opened (its `replayed` is True) and opens nothing."""
    if not user_can_see_node(user=actor, node=store):
        raise PermissionDenied(_("You cannot open cases for this store."))
    if idempotency_key:
        earlier = Case.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if earlier is not None:
            earlier.replayed = True
            return earlier
    now = timezone.now()
    person = customer_upsert(**_without_vehicle(customer), actor=actor)
    customer_vehicle_set(actor=actor, customer=person, customer_in=customer)
    result = triage(score=score, comment=description, flags=set(flags), record=None,
                    vip=person.vip, manual=True)
    try:
        with transaction.atomic():
            return case_open(
                store=store, customer=person, result=result, source=CaseSource.INCIDENT,
                triggered_at=occurred_at or now, received_at=now, actor=actor,
                failure_type=failure_type, description=description, score=score,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The same report sent twice at once: the other request opened it.
        earlier = Case.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if not idempotency_key or earlier is None:
            raise
        earlier.replayed = True
        return earlier


def open_cases_of(*, user: User, phone: str = "", external_id: str = "") -> list[Case]:
    """The active cases, in the user's scope, of the customer with this number or external id
    (the incident form warns of them before opening another)."""
    match = Q()
    if phone:
        try:
            match |= Q(customer__phone=phone_normalize(phone))
        except ValidationError:
            pass
    if external_id:
        match |= Q(customer__external_id=external_id)
    if not match:
        return []
    return list(case_scope(user=user).filter(match, state__in=ACTIVE_STATES)
                .select_related("store").order_by("-triggered_at")[:5])


def default_outcome(case: Case) -> str:
    """The outcome a close without one records: recovered only when earned (see
    `guards.recovered_earned`), lost after a re-score that would open a case, else retained."""
    if recovered_earned(case):
        return Outcome.RECOVERED
    threshold = config_cached("intake-threshold",
                              lambda: IntakePolicy.current().score_threshold)
    if case.score_after is not None and case.score_after <= threshold:
        return Outcome.LOST
    return Outcome.RETAINED


def transition_options(case: Case, user: User) -> list[tuple[str, str | None]]:
    """The public transitions from the case's state that `user` may run, each with the reason
    its guard refuses it now (None when it can run): the page shows the refused ones disabled."""
    out = []
    for name in PUBLIC_TRANSITIONS:
        method = getattr(case, name)
        meta = method._django_fsm
        if not can_proceed(method, check_conditions=False):
            continue
        if not meta.has_transition_perm(case, case.state, user):
            continue
        # A close can always record retained or lost; the page guards "recovered" itself.
        out.append((name, None if name == "close" else unmet_reason(method)))
    return out


def _transition_prepare(case: Case, name: str, params: dict) -> None:
    """What a transition's guards look at, set on the (locked, unsaved) instance first: the
    outcome a close records, the plan a propose puts to the customer. Bad values: 400."""
    if name == "close":
        if params.get("outcome") not in Outcome.values:
            raise ValidationError({"outcome": _("Choose recovered, retained or lost.")})
        case.outcome = params["outcome"]
    elif name == "reopen":
        if not (params.get("reason") or "").strip():
            raise ValidationError({"reason": _("Say why the case is reopened.")})


def case_transition(*, case_id: int, name: str, actor: User, note: str = "",
                    at: datetime | None = None, **params) -> Case:
    """Run one named FSM transition under a row lock: 409 when the state forbids it or its SOP
    guard refuses it (with the guard's reason), 403 when the user may not, 400 for a missing or
    bad parameter. `at` back-dates an imported history; it defaults to now."""
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("store").get(pk=case_id)
        method = getattr(case, name, None)
        if method is None or not hasattr(method, "_django_fsm"):
            raise TransitionConflict(_("Unknown transition: %(name)s") % {"name": name})
        if not can_proceed(method, check_conditions=False):
            raise TransitionConflict(
                _("Cannot %(name)s a case that is %(state)s.")
                % {"name": name, "state": case.get_state_display()}
            )
        if not method._django_fsm.has_transition_perm(case, case.state, actor):
            raise PermissionDenied(_("You may not %(name)s this case.") % {"name": name})
        _transition_prepare(case, name, params)
        if plan := (params.pop("plan", "") or "").strip():
            case.plan = plan
        reason = unmet_reason(method)
        if reason:
            raise TransitionConflict(reason)
        at = at or timezone.now()
        from_state = case.state
        reopen_reason = params.pop("reason", "") if name == "reopen" else ""
        try:
            method(at=at, **params)
        except TransitionNotAllowed as exc:
            raise TransitionConflict(str(exc)) from exc
        case.save()
        data = {"transition": name, **{k: str(v) for k, v in params.items()}}
        if reopen_reason:
            data["reason"] = reopen_reason
        event_record(case=case, kind=CaseEventKind.TRANSITION, actor=actor,
                     note=note or reopen_reason, from_state=from_state, to_state=case.state,
                     data=data, at=at)
    return case


def case_plan_set(*, case: Case, plan: str, actor: User) -> Case:
    """The written plan (fix + compensation + commitment): with it, `propose` may run without an
    offer."""
    plan = plan.strip()
    if not plan:
        raise ValidationError({"plan": _("Write the plan.")})
    if not can_work(case, actor):
        raise PermissionDenied(_("You may not work this case."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.state not in ACTIVE_STATES:
            raise TransitionConflict(_("The case is closed; reopen it first."))
        case.plan = plan
        case.save(update_fields=["plan"])
        event_record(case=case, kind=CaseEventKind.NOTE, actor=actor, note=plan,
                     data={"plan": True})
    return case


def checklist_item_set(*, item: ChecklistItem, done: bool, actor: User) -> ChecklistItem:
    if not can_work(item.case, actor):
        raise PermissionDenied(_("You may not work this case."))
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        if done == bool(item.done_at):
            return item
        item.done_at, item.done_by = (timezone.now(), actor) if done else (None, None)
        item.save(update_fields=["done_at", "done_by"])
        event_record(case=item.case, kind=CaseEventKind.CHECKLIST, actor=actor,
                     note=item.title, data={"code": item.code, "done": done})
    return item


def checklist_item_waive(*, item: ChecklistItem, reason: str, actor: User) -> ChecklistItem:
    """A required item that does not apply to this case is waived, with the reason on record;
    the resolve guard then lets it pass. An empty reason un-waives it."""
    if not can_work(item.case, actor):
        raise PermissionDenied(_("You may not work this case."))
    reason = reason.strip()
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        if item.done_at and reason:
            raise ValidationError({"reason": _("This item is done; there is nothing to waive.")})
        if bool(reason) == bool(item.waived_at) and reason == item.waive_reason:
            return item
        item.waived_at, item.waived_by = (timezone.now(), actor) if reason else (None, None)
        item.waive_reason = reason
        item.save(update_fields=["waived_at", "waived_by", "waive_reason"])
        event_record(case=item.case, kind=CaseEventKind.CHECKLIST, actor=actor,
                     note=f"{item.title}: {reason}" if reason else item.title,
                     data={"code": item.code, "waived": bool(reason)})
    return item


def case_change_severity(*, case: Case, severity: str, actor: User, note: str = "") -> Case:
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Unknown severity.")})
    if not can_work(case, actor):
        raise PermissionDenied(_("You may not work this case."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.severity == severity:
            return case
        before = case.severity
        case.severity = severity
        case.save(update_fields=["severity"])
        event_record(case=case, kind=CaseEventKind.SEVERITY_CHANGED, actor=actor, note=note,
                     data={"from": before, "to": severity})
    return case


def cases_raise_level(raises: Iterable[tuple[Case, str]]) -> list[Case]:
    """Raise (never lower) the level of each case to the level paired with it, for one case or
    many at once: one UPDATE per level reached. Each instance raised carries its new level;
    returns one per case raised (the one raised highest). Caller holds the transaction."""
    rank = Level.values.index
    raised: dict[int, Case] = {}
    for case, level in raises:
        if rank(level) > rank(case.level):
            case.level = level
            if case.pk not in raised or rank(level) > rank(raised[case.pk].level):
                raised[case.pk] = case
    by_level: dict[str, list[int]] = {}
    for case in raised.values():
        by_level.setdefault(case.level, []).append(case.pk)
    for level, ids in by_level.items():
        Case.objects.filter(pk__in=ids).update(level=level)
    return list(raised.values())



def may_reassign(case: Case, user: User) -> bool:
    """A service manager or above who works the case hands it over."""
    return can_work(case, user) and user.has_rank(Role.SERVICE_MANAGER)


def case_reassign(*, case_id: int, owner: User, reason: str, actor: User) -> Case:
    """Hand the case to another owner, with the reason on record. The new owner must be able to
    work it (in scope; a service manager or above from L2). The sweep resolves deadline targets
    from the current owner, so warnings and the owner's escalations follow the new owner."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case changes owner.")})
    with transaction.atomic():
        case = (Case.objects.select_for_update(of=("self",)).select_related("store", "owner")
                .get(pk=case_id))
        if not may_reassign(case, actor):
            raise PermissionDenied(_("Only a service manager or above may reassign this case."))
        if case.state not in ACTIVE_STATES:
            raise TransitionConflict(_("The case is closed; reopen it first."))
        if not owner.is_active or not can_work(case, owner):
            raise ValidationError({"owner": _("This person cannot work this case.")})
        if owner.pk == case.owner_id:
            return case
        before = case.owner
        Case.objects.filter(pk=case.pk).update(owner=owner)
        case.owner = owner
        event_record(
            case=case, kind=CaseEventKind.REASSIGNED, actor=actor, note=reason,
            data={"from": before.username if before else None, "to": owner.username})
    return case


def case_watch(*, case_id: int, user: User, actor: User, watching: bool = True) -> bool:
    """Add or remove a watcher; True when something changed. Anyone who sees the case may watch
    it and stop watching; adding or removing someone else takes someone who works the case."""
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("store").get(pk=case_id)
        if not can_see(case, actor) or (user.pk != actor.pk and not can_work(case, actor)):
            raise PermissionDenied(_("You may not change the watchers of this case."))
        if watching and not (user.is_active and can_see(case, user)):
            raise ValidationError({"user": _("This person cannot see this case.")})
        if watching:
            _row, changed = CaseWatcher.objects.get_or_create(case=case, user=user,
                                                              defaults={"added_by": actor})
        else:
            changed = bool(CaseWatcher.objects.filter(case=case, user=user).delete()[0])
        if changed:
            event_record(case=case, kind=CaseEventKind.WATCHERS, actor=actor,
                         data={"user": user.username, "watching": watching})
    return changed


def case_note_add(*, case_id: int, actor: User, note: str) -> CaseEvent:
    """A note on the timeline; `@username` tells that colleague."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write the note.")})
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("store").get(pk=case_id)
        if not can_see(case, actor):
            raise PermissionDenied(_("You may not work this case."))
        return event_record(case=case, kind=CaseEventKind.NOTE, actor=actor, note=note)


def _snapshot(case: Case) -> dict:
    return {"failure_type": case.failure_type.code if case.failure_type else None,
            "severity": case.severity, "emotion": case.emotion or None,
            "flags": sorted(case.flags or []), "level": case.level}


def _checklist_refit(*, case: Case) -> None:
    """After a failure-type change: add the template items the new type has, drop the not-done
    items that only the old type had."""
    wanted = {t.code: t for t, types in _checklist_templates()
              if not types or case.failure_type_id in types}
    present = {item.code: item for item in case.checklist.all()}
    ChecklistItem.objects.filter(
        case=case, done_at__isnull=True,
        pk__in=[item.pk for code, item in present.items() if code not in wanted]).delete()
    ChecklistItem.objects.bulk_create([
        ChecklistItem(case=case, code=t.code, title=t.title, title_en=t.title_en,
                      position=t.position, required=t.required)
        for code, t in wanted.items() if code not in present])


def case_triage_correct(*, case_id: int, actor: User, changes: dict, note: str = "") -> Case:
    """The owner (or someone senior) corrects what triage read: failure type (a FailureType or
    None), severity, emotion ("" for none) and flags. Each changed field is one timeline event
    (before → after, who); the level, owner, checklist and — when it was triage's own —
    the severity follow. The escalation targets and the quote are read from the case, so they
    follow too."""
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be corrected.") for f in unknown})
    if "severity" in changes and changes["severity"] not in Severity.values:
        raise ValidationError({"severity": _("Unknown severity.")})
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related(
            "failure_type", "store").get(pk=case_id)
        if not can_correct(case, actor):
            raise PermissionDenied(_("Only the case's owner or someone senior may correct it."))
        before = _snapshot(case)
        triage_severity = severity_for(score=case.score_before, flags=set(case.flags or []),
                                       emotion=case.emotion)
        if "failure_type" in changes:
            case.failure_type = changes["failure_type"]
        if "emotion" in changes:
            case.emotion = changes["emotion"] or ""
        if "flags" in changes:
            # VIP is the customer's, not something triage read.
            keep = {Flag.VIP} & set(case.flags or [])
            case.flags = sorted((set(changes["flags"]) - {Flag.VIP}) | keep)
        if "severity" in changes:
            case.severity = changes["severity"]
        elif case.severity == triage_severity:
            case.severity = severity_for(score=case.score_before, flags=set(case.flags),
                                         emotion=case.emotion)
        case.level = level_for(score=case.score_before, flags=set(case.flags))
        after = _snapshot(case)
        changed = [f for f in (*CORRECTABLE_FIELDS, "level") if before[f] != after[f]]
        if not changed:
            return case
        if after["level"] != before["level"]:
            owners, _node, _role = people_at_or_above(node=case.store,
                                                      role=LEVEL_OWNER_ROLE[case.level])
            case.owner = owners[0] if owners else case.owner
        case.triage = {**(case.triage or {}), "corrected": sorted(
            set((case.triage or {}).get("corrected", [])) | {f for f in changed
                                                            if f in CORRECTABLE_FIELDS})}
        # Not a state change: a plain update of these columns, as cases_raise_level does.
        Case.objects.filter(pk=case.pk).update(
            failure_type=case.failure_type, emotion=case.emotion, flags=case.flags,
            severity=case.severity, level=case.level, owner=case.owner, triage=case.triage)
        if before["failure_type"] != after["failure_type"]:
            _checklist_refit(case=case)
        at = timezone.now()
        events_record([
            CaseEvent(case=case, kind=CaseEventKind.CORRECTED, actor=actor, note=note, at=at,
                      data={"field": name, "from": before[name], "to": after[name],
                            "by_hand": name in changes})
            for name in changed])
    return case
