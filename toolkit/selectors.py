"""Reads of the toolkit. Every case or customer a user touches goes through the scope here:
the store scope of `cases.selectors` plus the cases the user is on the recovery team of."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from cases.models import ACTIVE_STATES, Case, Customer, Level, ServiceRecord
from cases.selectors import case_scope
from escalation.deadlines import FOLLOWUP_DEADLINES
from escalation.models import Deadline, DeadlineKind
from org.models import ROLE_RANK, NodeKind, Role, User
from org.selectors import user_scope_path

from .models import (
    ONE_WAY_CHANNELS,
    CarePolicy,
    CaseProfile,
    Contact,
    ContactOutcome,
    ContactPurpose,
    CustomerProfile,
    EmotionAdvice,
    RootCause,
    StockItem,
    StockThreshold,
    TeamMember,
)
from .remedies import compensation_received
from .scope import team_case_ids


def case_visible_scope(*, user: User) -> QuerySet[Case]:
    return case_scope(user=user) | Case.objects.filter(pk__in=team_case_ids(user=user))


def case_visible(*, user: User, case_id: int) -> Case:
    """Raises Case.DoesNotExist (API 404) when the user may not see the case."""
    return case_visible_scope(user=user).select_related(
        "store", "customer", "owner", "failure_type", "service_record").get(pk=case_id)


def contacts_for(*, case: Case) -> QuerySet[Contact]:
    return Contact.objects.filter(case=case).select_related("by")


def first_contact_logged(case: Case) -> bool:
    """The SOP's contact guard: a conversation with the customer on a two-way channel, logged
    by someone allowed to make the first call (on an L2+ case a service manager or above)."""
    contacts = case.contacts.filter(outcome=ContactOutcome.REACHED).exclude(
        channel__in=ONE_WAY_CHANNELS)
    if case.level != Level.L1:
        contacts = contacts.filter(Q(by__is_superuser=True) | Q(by__role__in=[
            role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.SERVICE_MANAGER]]))
    return contacts.exists()


def satisfaction_confirmed(case: Case) -> bool:
    """A callback or follow-up in which the customer said they are satisfied."""
    return case.contacts.filter(
        satisfied=True, outcome=ContactOutcome.REACHED,
        purpose__in=[ContactPurpose.CALLBACK, ContactPurpose.FOLLOW_UP]).exists()


def followup_deadline_due(*, case: Case, at: datetime) -> Deadline | None:
    """The follow-up deadline a touch at `at` meets: the earliest one still waiting, once its
    window has opened. The 3-day window opens at resolution, the 7-day one when the 3-day one
    falls due, the 30-day one when the 7-day one does. One touch meets one deadline, so each of
    the seed's three follow-ups (message, call, invitation) needs its own contact."""
    if case.resolved_at is None:
        return None
    rows = Deadline.objects.filter(case=case, kind__in=FOLLOWUP_DEADLINES,
                                   cancelled_at__isnull=True,
                                   due_at__gt=case.resolved_at).order_by("due_at")
    opens = case.resolved_at
    for row in rows:
        if row.met_at is None:
            return row if at >= opens else None
        opens = row.due_at
    return None


def team_for(*, case: Case) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(case=case).select_related("user", "user__node")


def case_profile_for(*, case: Case) -> CaseProfile | None:
    return CaseProfile.objects.filter(case=case).select_related("updated_by").first()


def emotion_advice(*, emotion: str) -> str:
    row = EmotionAdvice.objects.filter(emotion=emotion).first()
    if row is None:
        return ""
    english = (translation.get_language() or "").startswith("en")
    return row.advice_en if english and row.advice_en else row.advice


def root_cause_for(*, case: Case) -> RootCause | None:
    return (RootCause.objects.filter(case=case)
            .select_related("department", "action_owner", "updated_by").first())


# ---------------------------------------------------------------- customer 360


def customer_get(*, user: User, customer_id: int) -> Customer:
    """Only customers with a case the user can see; raises Customer.DoesNotExist otherwise."""
    visible = case_visible_scope(user=user).filter(customer_id=customer_id)
    if not visible.exists():
        raise Customer.DoesNotExist
    return Customer.objects.get(pk=customer_id)


@dataclass
class CareReminder:
    kind: str
    due: date
    case_id: int | None
    done: bool


@dataclass
class Customer360:
    customer: Customer
    profile: CustomerProfile | None
    cases: list[Case]
    visits: list[ServiceRecord]
    repeat_problems: list[dict]
    compensation_received: Decimal | None
    care_reminders: list[CareReminder] = field(default_factory=list)


def _birthday_in(birthday: date, year: int) -> date:
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February in a common year: greet on the 28th
        return date(year, 2, 28)


def _next_birthday(birthday: date, today: date) -> date:
    this_year = _birthday_in(birthday, today.year)
    return this_year if this_year >= today else _birthday_in(birthday, today.year + 1)


def care_reminders(*, customer: Customer, profile: CustomerProfile | None, cases: list[Case],
                   today: date) -> list[CareReminder]:
    """Birthday greetings and the 30-day maintenance invitation (001 step 6), as follow-ups: a
    reminder is done once a contact with its purpose has been logged."""
    reminders = []
    if profile and profile.birthday:
        due = _next_birthday(profile.birthday, today)
        if due - today <= timedelta(days=CarePolicy.current().birthday_lead_days):
            greeted = Contact.objects.filter(case__customer=customer,
                                             purpose=ContactPurpose.BIRTHDAY,
                                             at__date__gte=due - timedelta(days=30)).exists()
            reminders.append(CareReminder(kind=ContactPurpose.BIRTHDAY, due=due, case_id=None,
                                          done=greeted))
    invitations = Deadline.objects.filter(
        case__in=[c.pk for c in cases], kind=DeadlineKind.FOLLOWUP_30D,
        cancelled_at__isnull=True).order_by("due_at")
    invited = set(Contact.objects.filter(case__in=[c.pk for c in cases],
                                         purpose=ContactPurpose.MAINTENANCE)
                  .values_list("case_id", flat=True))
    for deadline in invitations:
        reminders.append(CareReminder(
            kind=ContactPurpose.MAINTENANCE, due=timezone.localdate(deadline.due_at),
            case_id=deadline.case_id, done=deadline.case_id in invited))
    return sorted(reminders, key=lambda r: r.due)


def customer_360(*, user: User, customer_id: int, today: date | None = None) -> Customer360:
    """The customer and their profile, with the cases, visits and compensation the user may see:
    nothing of what happened at stores outside the user's scope."""
    customer = customer_get(user=user, customer_id=customer_id)
    profile = CustomerProfile.objects.filter(customer=customer).first()
    cases = list(case_visible_scope(user=user).filter(customer=customer)
                 .select_related("store").order_by("-triggered_at"))
    scope = user_scope_path(user=user)
    visits = ServiceRecord.objects.filter(customer=customer).select_related("store")
    if scope != "":
        # Visits at stores in the user's scope, and at the stores of team cases.
        in_scope = Q(store__path__startswith=scope) if scope else Q(pk__in=[])
        visits = visits.filter(in_scope | Q(store__in={c.store_id for c in cases}))
    # Same problem = same service type (the rule `cases.triage` uses for repeat_repair).
    repeat = (visits.exclude(service_type="")
              .values("service_type").annotate(visits=Count("pk")).filter(visits__gte=2)
              .order_by("-visits", "service_type"))
    visits = list(visits.order_by("-visit_at", "-pk"))
    return Customer360(
        customer=customer, profile=profile, cases=cases,
        visits=visits, repeat_problems=list(repeat),
        compensation_received=compensation_received(customer=customer,
                                                    case_ids=[c.pk for c in cases]),
        care_reminders=care_reminders(customer=customer, profile=profile, cases=cases,
                                      today=today or timezone.localdate()),
    )


# ---------------------------------------------------------------- root-cause report


def root_cause_report(*, user: User, date_from: date | None = None,
                      date_to: date | None = None) -> dict:
    """Cases with a root cause in the user's scope, triggered in [from, to], grouped by cause
    category and by responsible department; open corrective actions past their due date."""
    rows = RootCause.objects.filter(case__in=case_visible_scope(user=user))
    if date_from:
        rows = rows.filter(case__triggered_at__date__gte=date_from)
    if date_to:
        rows = rows.filter(case__triggered_at__date__lte=date_to)
    by_category = rows.values("category").annotate(cases=Count("pk")).order_by("-cases",
                                                                                "category")
    by_department = (rows.values("department__code", "department__name",
                                 "department__name_en")
                     .annotate(cases=Count("pk")).order_by("-cases", "department__code"))
    overdue = rows.filter(action_due__lt=timezone.localdate(),
                          case__state__in=ACTIVE_STATES).count()
    return {"total": rows.count(), "by_category": list(by_category),
            "by_department": list(by_department), "actions_overdue": overdue}


# ---------------------------------------------------------------- remedy stock


def _with_threshold(qs: QuerySet[StockItem]) -> QuerySet[StockItem]:
    default = StockThreshold.objects.filter(item_code=OuterRef("item_code")).values("threshold")
    return qs.annotate(threshold=Coalesce("low_threshold", Subquery(default[:1]), Value(0)))


def stock_list(*, user: User, store_code: str | None = None) -> QuerySet[StockItem]:
    scope = user_scope_path(user=user)
    qs = StockItem.objects.select_related("store").filter(store__kind=NodeKind.STORE)
    if scope is None:
        return qs.none()
    if scope:
        qs = qs.filter(store__path__startswith=scope)
    if store_code:
        qs = qs.filter(store__code=store_code)
    return _with_threshold(qs).annotate(
        low=ExpressionWrapper(Q(quantity__lte=F("threshold")), output_field=BooleanField()))


def stock_low(*, user: User | None = None) -> QuerySet[StockItem]:
    """Items at or below their threshold: all of them, or those in the user's scope."""
    qs = (stock_list(user=user) if user is not None
          else _with_threshold(StockItem.objects.select_related("store")))
    return qs.filter(quantity__lte=F("threshold"))
