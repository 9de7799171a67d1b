"""Writes of the toolkit. Each change to a case leaves a CaseEvent (kind "note", `data.toolkit`
names what changed); notes and messages go through the phrase checker before they are saved."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import ACTIVE_STATES, Case, CaseEventKind, State
from cases.permissions import can_act, can_manage_team, can_see, may_make_first_contact
from cases.services import TransitionConflict, case_rescore, case_transition, event_record
from escalation.deadlines import deadlines_meet
from escalation.models import DeadlineKind
from org.models import NodeKind, OrgNode, Role, User
from org.selectors import user_can_see_node

from .models import (
    DELIVERED_OUTCOMES,
    MAX_WHYS,
    ONE_WAY_CHANNELS,
    CaseProfile,
    CauseCategory,
    Channel,
    Contact,
    ContactOutcome,
    ContactPurpose,
    CustomerProfile,
    Department,
    Emotion,
    RootCause,
    StockItem,
    StockMovement,
    StockReason,
    TeamMember,
    TeamRole,
)
from .phrases import PhraseWarning, phrases_check
from .selectors import case_visible_scope, customer_get, followup_deadline_due

MAX_CLOCK_SKEW = timezone.timedelta(minutes=5)


@dataclass
class Screened:
    """A write and the phrase warnings its text raised (saved anyway unless strict)."""

    obj: Any
    warnings: list[PhraseWarning]


def _screen(*, text: str, strict: bool, field: str) -> list[PhraseWarning]:
    """Warn by default; refuse the text when the caller asked for strict checking."""
    warnings = phrases_check(text=text)
    if strict and warnings:
        raise ValidationError({field: [
            _("%(match)s — %(explanation)s Say instead: %(suggestion)s")
            % {"match": w.match, "explanation": w.explanation, "suggestion": w.suggestion}
            for w in warnings
        ]})
    return warnings


def _locked_case(*, case_id: int, actor: User, may) -> Case:
    case = Case.objects.select_for_update().select_related("store").get(pk=case_id)
    if not can_see(case, actor):
        raise Case.DoesNotExist
    if not may(case, actor):
        raise PermissionDenied(_("You may not work this case."))
    return case


def _record(*, case: Case, actor: User, what: str, note: str = "", at: datetime | None = None,
            **data) -> None:
    event_record(case=case, kind=CaseEventKind.NOTE, actor=actor, note=note,
                 data={"toolkit": what, **data}, at=at)


def _not_in_future(*, at: datetime, field: str) -> None:
    if at > timezone.now() + MAX_CLOCK_SKEW:
        raise ValidationError({field: [_("This time is in the future.")]})


# ---------------------------------------------------------------- contact log


def _contact_validate(*, case: Case, channel: str, outcome: str, at: datetime) -> None:
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    if outcome not in ContactOutcome.values:
        raise ValidationError({"outcome": [_("Unknown outcome.")]})
    if channel in ONE_WAY_CHANNELS and outcome != ContactOutcome.SENT:
        raise ValidationError({"outcome": [_("An SMS or a letter can only be sent.")]})
    if outcome == ContactOutcome.SENT and channel in {Channel.PHONE, Channel.VISIT}:
        raise ValidationError({"outcome": [_("A call or a visit is not sent.")]})
    _not_in_future(at=at, field="at")
    if at < case.triggered_at:
        raise ValidationError({"at": [_("The case did not exist yet at this time.")]})


def contact_log(*, case_id: int, actor: User, channel: str, outcome: str,
                at: datetime | None = None, note: str = "",
                purpose: str = ContactPurpose.OTHER, satisfied: bool = False,
                strict: bool = False) -> Screened:
    """Log one touch. The first conversation with the customer (outcome `reached` on a two-way
    channel) makes the case `contacted`, which meets the 2 h deadline: the contact is written
    first, since the transition's guard asks for it. A touch the customer got while the case is
    resolved or following up meets the follow-up deadline that is due (see
    `followup_deadline_due`). While the case is open, only a service manager or above may log a
    contact on an L2+ case: the first call is theirs (SPEC §3). `satisfied` records that the
    customer confirmed being satisfied, in a callback or follow-up they were reached in."""
    warnings = _screen(text=note, strict=strict, field="note")
    at = at or timezone.now()
    with transaction.atomic():
        case = _locked_case(case_id=case_id, actor=actor, may=can_see)
        if case.state == State.CLOSED:
            raise TransitionConflict(_("The case is closed."))
        if purpose not in ContactPurpose.values:
            raise ValidationError({"purpose": [_("Unknown purpose.")]})
        _contact_validate(case=case, channel=channel, outcome=outcome, at=at)
        if satisfied and (outcome != ContactOutcome.REACHED or purpose not in {
                ContactPurpose.CALLBACK, ContactPurpose.FOLLOW_UP}):
            raise ValidationError({"satisfied": [_(
                "Only a customer reached in a callback or follow-up can confirm being "
                "satisfied.")]})
        if case.state == State.OPEN and not may_make_first_contact(case, actor):
            raise PermissionDenied(_("The first contact of an L2+ case must be made by a "
                                     "service manager or above, not delegated."))
        contact = Contact.objects.create(case=case, channel=channel, purpose=purpose,
                                         outcome=outcome, note=note, by=actor, at=at,
                                         satisfied=satisfied)
        met = ""
        if (case.state == State.OPEN and outcome == ContactOutcome.REACHED
                and channel not in ONE_WAY_CHANNELS):
            case_transition(case_id=case.pk, name="contact", actor=actor, note=note, at=at)
            met = DeadlineKind.CONTACT
        elif case.state in {State.RESOLVED, State.FOLLOWING_UP} and outcome in DELIVERED_OUTCOMES:
            deadline = followup_deadline_due(case=case, at=at)
            if deadline is not None:
                deadlines_meet(case=case, kinds=[deadline.kind], at=at)
                met = deadline.kind
        if met:
            Contact.objects.filter(pk=contact.pk).update(met_deadline=met)
            contact.met_deadline = met
        _record(case=case, actor=actor, what="contact", note=note, at=at, contact=contact.pk,
                channel=channel, outcome=outcome, purpose=purpose, met_deadline=met,
                **({"satisfied": True} if satisfied else {}))
    return Screened(obj=contact, warnings=warnings)


# ---------------------------------------------------------------- re-score


def rescore_record(*, case_id: int, actor: User, score: int, at: datetime | None = None,
                   note: str = "", strict: bool = False) -> Screened:
    """The customer's new score, recorded by hand (a callback). A new survey response for the
    same customer and store is linked by intake (`cases.services`) through the same
    `case_rescore`."""
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise ValidationError({"score": [_("Give a score from 0 to 10.")]})
    warnings = _screen(text=note, strict=strict, field="note")
    at = at or timezone.now()
    with transaction.atomic():
        case = _locked_case(case_id=case_id, actor=actor, may=can_act)
        if case.state not in ACTIVE_STATES:
            raise TransitionConflict(_("The case is closed; reopen it first."))
        _not_in_future(at=at, field="at")
        case = case_rescore(case=case, score=score, at=at, actor=actor, note=note)
    return Screened(obj=case, warnings=warnings)


# ---------------------------------------------------------------- customer profile


def customer_profile_update(*, customer_id: int, actor: User, birthday: date | None,
                            vehicle: str = "", preferences: str = "") -> CustomerProfile:
    """Anyone who sees one of the customer's cases may keep the profile; the change is noted on
    the customer's active cases in the user's view."""
    customer = customer_get(user=actor, customer_id=customer_id)
    if birthday and birthday > timezone.localdate():
        raise ValidationError({"birthday": [_("A birthday cannot be in the future.")]})
    with transaction.atomic():
        profile, _created = CustomerProfile.objects.update_or_create(
            customer=customer, defaults={"birthday": birthday, "vehicle": vehicle,
                                         "preferences": preferences, "updated_by": actor,
                                         "updated_at": timezone.now()})
        active = case_visible_scope(user=actor).filter(customer=customer,
                                                       state__in=ACTIVE_STATES)
        for case in active:
            _record(case=case, actor=actor, what="customer_profile",
                    birthday=birthday.isoformat() if birthday else None, vehicle=vehicle)
    return profile


# ---------------------------------------------------------------- root cause


def _whys_clean(whys: list) -> list[str]:
    if not isinstance(whys, list) or not all(isinstance(w, str) for w in whys):
        raise ValidationError({"whys": [_("Give a list of answers.")]})
    cleaned = [w.strip() for w in whys]
    if not cleaned or len(cleaned) > MAX_WHYS or not all(cleaned):
        raise ValidationError({"whys": [_("Give one to five non-empty answers.")]})
    return cleaned


def root_cause_set(*, case_id: int, actor: User, category: str, whys: list[str],
                   root_cause: str = "", department: Department | None = None,
                   corrective_action: str = "", action_owner: User | None = None,
                   action_due: date | None = None) -> RootCause:
    """Record (or revise) the 5-Why analysis. A corrective action needs an owner who can see the
    case and a due date."""
    if category not in CauseCategory.values:
        raise ValidationError({"category": [_("Unknown cause category.")]})
    whys = _whys_clean(whys)
    if corrective_action.strip() and (action_owner is None or action_due is None):
        raise ValidationError({"corrective_action": [
            _("A corrective action needs an owner and a due date.")]})
    if department is not None and not department.active:
        raise ValidationError({"department": [_("This department is no longer used.")]})
    with transaction.atomic():
        case = _locked_case(case_id=case_id, actor=actor, may=can_act)
        if action_owner is not None and not can_see(case, action_owner):
            raise ValidationError({"action_owner": [_("The owner must be able to see the case.")]})
        if action_due and action_due < timezone.localdate(case.triggered_at):
            raise ValidationError({"action_due": [_("The due date is before the case.")]})
        row, created = RootCause.objects.update_or_create(case=case, defaults={
            "category": category, "whys": whys, "root_cause": root_cause.strip(),
            "department": department, "corrective_action": corrective_action.strip(),
            "action_owner": action_owner, "action_due": action_due, "updated_by": actor,
            "updated_at": timezone.now()})
        _record(case=case, actor=actor, what="root_cause", note=row.root_cause,
                created=created, category=category,
                department=department.code if department else None,
                action_owner=action_owner.pk if action_owner else None,
                action_due=action_due.isoformat() if action_due else None)
    return row


# ---------------------------------------------------------------- recovery team


def team_member_add(*, case_id: int, actor: User, user: User, role: str) -> TeamMember:
    """Seed 001 能力5: leader (a service manager or above), technical lead, customer-service
    specialist, senior SA. The member then sees this case, wherever their own node is."""
    if role not in TeamRole.values:
        raise ValidationError({"role": [_("Unknown team role.")]})
    if not user.is_active or not user.role:
        raise ValidationError({"user": [_("Only active staff with a role can join a team.")]})
    if role == TeamRole.LEADER and not user.has_rank(Role.SERVICE_MANAGER):
        raise ValidationError({"role": [_("The leader is a service manager or above.")]})
    with transaction.atomic():
        case = _locked_case(case_id=case_id, actor=actor, may=can_manage_team)
        if case.state == State.CLOSED:
            raise TransitionConflict(_("The case is closed."))
        if TeamMember.objects.filter(case=case, user=user).exists():
            raise ValidationError({"user": [_("Already on the team.")]})
        if role == TeamRole.LEADER and TeamMember.objects.filter(
                case=case, role=TeamRole.LEADER).exists():
            raise ValidationError({"role": [_("The team already has a leader.")]})
        try:
            with transaction.atomic():
                member = TeamMember.objects.create(case=case, user=user, role=role,
                                                   added_by=actor)
        except IntegrityError as exc:  # a concurrent add of the same person or leader
            raise ValidationError({"user": [_("Already on the team.")]}) from exc
        _record(case=case, actor=actor, what="team_add", note=str(member), user=user.pk,
                role=role)
    return member


def team_member_remove(*, case_id: int, actor: User, member_id: int) -> None:
    with transaction.atomic():
        case = _locked_case(case_id=case_id, actor=actor, may=can_manage_team)
        member = TeamMember.objects.select_related("user").get(case=case, pk=member_id)
        note = str(member)
        member.delete()
        _record(case=case, actor=actor, what="team_remove", note=note, user=member.user_id,
                role=member.role)


# ---------------------------------------------------------------- emotion and visit


def _profile_locked(case: Case) -> CaseProfile:
    profile, _created = CaseProfile.objects.get_or_create(case=case)
    return CaseProfile.objects.select_for_update().get(pk=profile.pk)


def case_emotion_set(*, case_id: int, actor: User, emotion: str, note: str = "",
                     strict: bool = False) -> Screened:
    if emotion not in Emotion.values:
        raise ValidationError({"emotion": [_("Unknown emotion type.")]})
    warnings = _screen(text=note, strict=strict, field="note")
    with transaction.atomic():
        case = _locked_case(case_id=case_id, actor=actor, may=can_act)
        profile = _profile_locked(case)
        before = profile.emotion
        profile.emotion, profile.emotion_note = emotion, note
        profile.updated_by, profile.updated_at = actor, timezone.now()
        profile.save()
        _record(case=case, actor=actor, what="emotion", note=note, before=before, after=emotion)
    return Screened(obj=profile, warnings=warnings)


def case_visit_set(*, case_id: int, actor: User, visit_at: datetime | None) -> CaseProfile:
    """The booked visit the scripts and the letter name (001: "明天上午10点,我亲自上门")."""
    with transaction.atomic():
        case = _locked_case(case_id=case_id, actor=actor, may=can_act)
        if visit_at and visit_at < case.triggered_at:
            raise ValidationError({"visit_at": [_("The visit is before the case.")]})
        profile = _profile_locked(case)
        profile.visit_at, profile.updated_by, profile.updated_at = visit_at, actor, timezone.now()
        profile.save()
        _record(case=case, actor=actor, what="visit",
                visit_at=visit_at.isoformat() if visit_at else None)
    return profile


# ---------------------------------------------------------------- remedy stock


def _stock_locked(*, store: OrgNode, item_code: str) -> StockItem | None:
    return StockItem.objects.select_for_update().filter(store=store, item_code=item_code).first()


def stock_issue(*, store: OrgNode, item_code: str, quantity: int, actor: User | None,
                case: Case | None = None) -> StockItem | None:
    """Take `quantity` of an item out of the store's stock when it is handed to a customer.
    Items the store does not keep stock of (no row) are not counted: returns None. Raises
    ValidationError when there is not enough. Call inside the issuing transaction."""
    if quantity < 1:
        raise ValidationError({"quantity": [_("Issue at least one.")]})
    with transaction.atomic():
        stock = _stock_locked(store=store, item_code=item_code)
        if stock is None:
            return None
        if stock.quantity < quantity:
            raise ValidationError({"stock": [
                _("Not enough %(name)s at %(store)s: %(left)d left, %(asked)d asked.")
                % {"name": stock.name, "store": store.code, "left": stock.quantity,
                   "asked": quantity}]})
        stock.quantity -= quantity
        stock.save(update_fields=["quantity"])
        StockMovement.objects.create(stock=stock, delta=-quantity, reason=StockReason.ISSUE,
                                     case=case, actor=actor)
    return stock


def stock_receive(*, store: OrgNode, item_code: str, quantity: int, actor: User,
                  reason: str = StockReason.RECEIVE, name: str = "",
                  note: str = "") -> StockItem:
    """Stock arrives (or a loaner car comes back). A store manager or above of the store, or
    someone above it, restocks; the first delivery of a code creates its row."""
    if store.kind != NodeKind.STORE:
        raise ValidationError({"store": [_("Stock is kept by stores.")]})
    if not user_can_see_node(user=actor, node=store) or not actor.has_rank(Role.SERVICE_MANAGER):
        raise PermissionDenied(_("You may not restock this store."))
    if reason not in {StockReason.RECEIVE, StockReason.RETURN}:
        raise ValidationError({"reason": [_("Unknown reason.")]})
    if quantity < 1:
        raise ValidationError({"quantity": [_("Receive at least one.")]})
    with transaction.atomic():
        stock = _stock_locked(store=store, item_code=item_code)
        if stock is None:
            if reason == StockReason.RETURN:
                raise ValidationError({"item_code": [_("This store keeps no such item.")]})
            stock = StockItem.objects.create(store=store, item_code=item_code,
                                             name=name or item_code)
        stock.quantity += quantity
        stock.save(update_fields=["quantity"])
        StockMovement.objects.create(stock=stock, delta=quantity, reason=reason, actor=actor,
                                     note=note)
    return stock
