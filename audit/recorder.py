"""Every change to a configurable table is recorded, whatever made it — the admin, the API, a
shell or a command — because it is taken from the model signals rather than from each screen.
The actor is the user of the request in progress (`AuditActorMiddleware`); outside a request
(shell, command, worker) the actor is empty. Changes made with `QuerySet.update()` send no
signal; settings are edited through forms and services that save rows, never in bulk."""

from contextvars import ContextVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest

from org.pii import phone_mask

from .models import AuditAction, AuditRecord

current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)

# The audited tables (every configurable number and the people's roles and permissions), each
# with the fields that change as bookkeeping rather than by anyone's decision.
AUDITED: dict[str, frozenset[str]] = {
    "auth.Group": frozenset(),
    "org.User": frozenset({"last_login"}),
    "org.OrgNode": frozenset(),
    "cases.IntakePolicy": frozenset(),
    "cases.SopPolicy": frozenset(),
    "cases.LexiconEntry": frozenset(),
    "cases.FailureType": frozenset(),
    "cases.ChecklistTemplateItem": frozenset(),
    "cases.IntakeSource": frozenset(),
    "compensation.RemedyItem": frozenset(),
    "compensation.BasePlan": frozenset(),
    "compensation.BasePlanItem": frozenset(),
    "compensation.CoefficientFactor": frozenset(),
    "compensation.GuidanceRange": frozenset(),
    "compensation.AuthorityLimit": frozenset(),
    "compensation.CompensationPolicy": frozenset(),
    "escalation.SlaPolicy": frozenset(),
    "escalation.BusinessHours": frozenset(),
    "metrics.KpiTarget": frozenset(),
    "metrics.ProbabilityBand": frozenset(),
    "notifications.NotificationPreference": frozenset(),
    "notifications.WebhookEndpoint": frozenset(),
    "toolkit.PhrasePattern": frozenset(),
    "toolkit.WordTemplate": frozenset(),
    "toolkit.EmotionAdvice": frozenset(),
    "toolkit.Department": frozenset(),
    "toolkit.StockThreshold": frozenset(),
    "toolkit.CarePolicy": frozenset(),
    # The quantity has its own history (StockMovement); the name and threshold are settings.
    "toolkit.StockItem": frozenset({"quantity"}),
    # The sweep intervals; beat itself bumps the run counters on every run.
    "django_celery_beat.PeriodicTask": frozenset({"last_run_at", "total_run_count",
                                                  "date_changed"}),
    "django_celery_beat.IntervalSchedule": frozenset(),
}
HIDDEN = frozenset({"password", "secret"})  # recorded as changed, never with the value
MASKED = frozenset({"phone"})


def _normal(field, value):
    # A value set in code ("3000") and the same value read back (Decimal) are one value.
    try:
        return field.to_python(value)
    except ValidationError:
        return value


def _state(instance) -> dict:
    ignored = AUDITED[instance._meta.label]
    return {f.name: _normal(f, f.value_from_object(instance))
            for f in instance._meta.concrete_fields if f.name not in ignored}


def _shown(name: str, value):
    if value is None:
        return None
    if name in HIDDEN:
        return "***"
    return phone_mask(value) if name in MASKED else value


def _changes(before: dict, after: dict) -> dict:
    return {name: [_shown(name, before.get(name)), _shown(name, value)]
            for name, value in after.items() if before.get(name) != value}


def _record(*, action: str, instance, changes: dict) -> None:
    request = current_request.get()
    user = getattr(request, "user", None)
    AuditRecord.objects.create(
        actor_id=user.pk if user is not None and user.is_authenticated else None,
        source=request.path[:200] if request is not None else "",
        action=action, model=instance._meta.label, object_pk=str(instance.pk),
        object_repr=str(instance)[:200], changes=changes)


def _before_save(sender, instance, raw, update_fields, **kwargs):
    instance._audit_before = None
    if raw or instance._state.adding:
        return
    if update_fields is not None and set(update_fields) <= AUDITED[sender._meta.label]:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = _state(old) if old is not None else None


def _after_save(sender, instance, created, raw, **kwargs):
    if raw:
        return
    if created:
        _record(action=AuditAction.CREATE, instance=instance,
                changes=_changes({}, {k: v for k, v in _state(instance).items()
                                      if v is not None}))
        return
    before = getattr(instance, "_audit_before", None)
    changes = _changes(before, _state(instance)) if before is not None else {}
    if changes:
        _record(action=AuditAction.UPDATE, instance=instance, changes=changes)


def _after_delete(sender, instance, **kwargs):
    before = {k: v for k, v in _state(instance).items() if v is not None}
    _record(action=AuditAction.DELETE, instance=instance,
            changes={name: [_shown(name, value), None] for name, value in before.items()})


def _related_ids(instance, name: str) -> list:
    return sorted(getattr(instance, name).values_list("pk", flat=True))


def _m2m_changed(sender, instance, action, reverse, **kwargs):
    """A many-to-many setting (a checklist step's failure types, a user's groups) as one
    before → after list of ids per add, remove or clear."""
    if reverse or instance._meta.label not in AUDITED:
        return
    name = next((f.name for f in instance._meta.many_to_many
                 if f.remote_field.through is sender), None)
    if name is None:
        return
    if action.startswith("pre_"):
        instance._audit_related = _related_ids(instance, name)
        return
    before, after = getattr(instance, "_audit_related", None), _related_ids(instance, name)
    if before != after:
        _record(action=AuditAction.UPDATE, instance=instance, changes={name: [before, after]})


def connect() -> None:
    for label in AUDITED:
        model = apps.get_model(label)
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"audit-pre-{label}")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"audit-post-{label}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"audit-del-{label}")
    m2m_changed.connect(_m2m_changed, dispatch_uid="audit-m2m")
