import copy
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from org.models import NodeKind, OrgNode, User
from org.pii import phone_for
from org.selectors import store_by_code

from .models import (
    COMPUTED_FLAGS,
    Case,
    CaseEvent,
    ChecklistItem,
    CustomerLanguage,
    Emotion,
    FailureType,
    Flag,
    Level,
    Outcome,
    Segment,
    Severity,
    State,
)
from .permissions import sees_phone
from .phones import phone_normalize
from .selectors import case_progress, people
from .services import transition_options

SENDABLE_FLAGS = [f for f in Flag.values if f not in COMPUTED_FLAGS]
MAX_FUTURE_SKEW = timezone.timedelta(minutes=5)
# A year typed wrong (0256) is refused, not stored: no event of ours is that old.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def plausible_time(value):
    if value and value < EARLIEST_TIME:
        raise serializers.ValidationError(_("This time is too far in the past."))
    return value


def past_time(value):
    """A time something happened: not in the future, not before 2000."""
    if value and value > timezone.now() + MAX_FUTURE_SKEW:
        raise serializers.ValidationError(_("This time is in the future."))
    return plausible_time(value)


class StoreCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=OrgNode.objects.filter(kind=NodeKind.STORE),
                         **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid")
        store = store_by_code(str(data))
        if store is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return store


_per_thread = threading.local()


def _built_once(cls):
    """An instance of the serializer `cls`, built once per thread: its fields are bound once."""
    built = _per_thread.__dict__.get(cls)
    if built is None:
        built = _per_thread.__dict__[cls] = cls()
    return built


class InputSerializer(serializers.Serializer):
    """Input whose fields are copied shallowly per use. DRF deep-copies a serializer's declared
    fields each time it is built, re-running every field's __init__: a cost each survey
    response paid for some twenty fields. bind() sets name and parent on the copy; what the
    copies share (validator lists, a list field's child) is only read while validating, so a
    shallow copy is the same thing for less. Not for fields that keep state or use the
    serializer's context."""

    def get_fields(self):
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    @classmethod
    def validated(cls, data) -> dict:
        """`cls(data=data)`'s validated data, or its 400 as `is_valid(raise_exception=True)`
        raises it, from an instance built once per thread (binding the fields cost more than
        validating). Only for serializers without context."""
        serializer = _built_once(cls)
        for done in ("_validated_data", "_errors", "_data"):
            serializer.__dict__.pop(done, None)
        serializer.initial_data = data
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def _output_copies(fields: dict) -> dict:
    """Fields for one use of a read-only serializer: copied shallowly, as `InputSerializer`'s
    (every survey response's answer paid for re-running some forty fields' __init__). A nested
    serializer, a list's included, is still deep-copied, so that it is bound to its own parent
    and reads its own context."""
    return {name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer)
            else copy.copy(field) for name, field in fields.items()}


class OutputSerializer(serializers.Serializer):
    """A read-only answer with shallowly copied fields (`_output_copies`)."""

    def get_fields(self):
        return _output_copies(self._declared_fields)

    @classmethod
    def represent(cls, instance) -> dict:
        """`cls(instance).data` from an instance built once per thread (as `validated`): a
        survey response's answer spent more binding its fields than reading the response."""
        serializer = _built_once(cls)
        serializer.__dict__.pop("_data", None)
        serializer.instance = instance
        return serializer.data


class ModelOutputSerializer(serializers.ModelSerializer):
    """A read-only ModelSerializer whose fields are built from the model once per class, then
    copied per use (`_output_copies`): a list page paid for building them on every request."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = cls._fields_built = super().get_fields()
        return _output_copies(built)


class LanguageField(serializers.ChoiceField):
    """A language code as Django writes it ("zh-hans"); BCP 47's "zh-Hans" is the same."""

    def to_internal_value(self, data):
        return super().to_internal_value(data.lower() if isinstance(data, str) else data)


class CustomerIn(InputSerializer):
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name = serializers.CharField(max_length=120)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                  help_text=_("Validated and stored one way (China by default): "
                                              "13812345678, +86 138-1234-5678 are one number."))
    vip = serializers.BooleanField(required=False, default=False)
    segment = serializers.ChoiceField(choices=Segment.choices, required=False)
    plate = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    vin = serializers.CharField(max_length=17, required=False, allow_blank=True, default="")
    vehicle_model = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                          default="")
    language = LanguageField(
        choices=CustomerLanguage.choices, required=False,
        help_text=_("The language of the customer's messages and page; left out, the one on "
                    "record (Simplified Chinese for a new customer)."))

    def validate_phone(self, value: str) -> str:
        return phone_normalize(value)


class SurveyCustomerIn(CustomerIn):
    external_id = serializers.CharField(max_length=100)


class ServiceRecordIn(InputSerializer):
    order_number = serializers.CharField(max_length=60)
    service_type = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                         default="")
    advisor = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    technician = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                       default="")
    visit_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                         validators=[plausible_time])
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0,
                                      required=False, allow_null=True, default=None)
    plate = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    vin = serializers.CharField(max_length=17, required=False, allow_blank=True, default="")
    vehicle_model = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                          default="")
    mileage = serializers.IntegerField(min_value=0, max_value=2_000_000, required=False,
                                       allow_null=True, default=None)


class SurveyResponseIn(InputSerializer):
    source = serializers.SlugField(max_length=50)
    external_id = serializers.CharField(max_length=100)
    store = StoreCodeField()
    score = serializers.IntegerField(min_value=0, max_value=10, required=False, allow_null=True,
                                     default=None)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    responded_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                             validators=[past_time])
    customer = SurveyCustomerIn()
    service_record = ServiceRecordIn(required=False, allow_null=True, default=None)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=SENDABLE_FLAGS),
                                  required=False, default=list, max_length=20)


# Parts of the case's answers that other apps provide (escalation: deadlines and escalations),
# registered in their `AppConfig.ready()` by name; each `build() -> Field`. The serializers
# name them where they go in the answer (`provided`).
DEADLINES = "deadlines"
ESCALATIONS = "escalations"
_provided: dict[str, Callable[[], serializers.Field]] = {}


def case_field_provide(name: str, build: Callable[[], serializers.Field]) -> None:
    _provided[name] = build


class ProvidedFields:
    """A serializer with the `provided` fields other apps provide: after its own, or in the
    order of `field_order`."""

    provided: tuple[str, ...] = ()
    field_order: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        for name in self.provided:
            fields[name] = _provided[name]()
        if self.field_order:
            fields = {name: fields[name] for name in self.field_order}
        return fields


class BlankAsNullField(serializers.CharField):
    """A code stored as "" for none, answered as null."""

    def to_representation(self, value):
        return value or None


@extend_schema_field({"type": "object", "additionalProperties": True,
                      "description": "What set each flag, the failure type and the emotion: "
                                     "the phrase and the rule (see docs/triage.md)."})
class TriageWhyField(serializers.JSONField):
    pass


class CaseSummaryOut(ProvidedFields, OutputSerializer):
    provided = (DEADLINES,)

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True, allow_null=True)
    level = serializers.ChoiceField(choices=Level.choices, read_only=True)
    severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    state = serializers.ChoiceField(choices=State.choices, read_only=True)
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    failure_type = serializers.CharField(source="failure_type.code", default=None,
                                         allow_null=True, read_only=True)
    emotion = BlankAsNullField(read_only=True, allow_null=True)
    triage = TriageWhyField(read_only=True)


class SurveyResponseOut(OutputSerializer):
    id = serializers.IntegerField(read_only=True)
    source = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    store = serializers.CharField(source="store.code", read_only=True)
    customer = serializers.CharField(source="customer.external_id", read_only=True,
                                     allow_null=True)
    score = serializers.IntegerField(read_only=True, allow_null=True)
    comment = serializers.CharField(read_only=True)
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    responded_at = serializers.DateTimeField(read_only=True)
    received_at = serializers.DateTimeField(read_only=True)
    rescore = serializers.BooleanField(read_only=True)
    case = CaseSummaryOut(allow_null=True, read_only=True)


class ChecklistItemOut(ModelOutputSerializer):
    done = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "title", "title_en", "position", "done", "done_at", "required",
                  "waived_at", "waive_reason"]

    def get_done(self, obj) -> bool:
        return obj.done_at is not None


class CaseEventOut(ModelOutputSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "from_state", "to_state", "note", "data", "at"]


_WHEN = serializers.DateTimeField()


class CaseListPageOut(serializers.ListSerializer):
    """A page of the case list, row by row, without DRF's field objects per value: for 50 rows
    they cost more than the page's queries. Says what `CaseListOut` declares (and the case's
    detail says: tests/test_search.py)."""

    def to_representation(self, data):
        return [{
            "id": c.id, "number": c.number, "source": c.source, "store": c.store.code,
            "customer": c.customer.name, "plate": c.customer.plate,
            "failure_type": c.failure_type.code if c.failure_type else None,
            "level": c.level, "severity": c.severity, "state": c.state, "outcome": c.outcome,
            "flags": c.flags, "score_before": c.score_before, "score_after": c.score_after,
            "triggered_at": _WHEN.to_representation(c.triggered_at),
            "owner": c.owner.username if c.owner else None, "progress": case_progress(c),
        } for c in data]


class CaseListOut(ModelOutputSerializer):
    store = serializers.CharField(source="store.code")
    customer = serializers.CharField(source="customer.name")
    failure_type = serializers.CharField(source="failure_type.code", default=None,
                                         allow_null=True)
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True)
    progress = serializers.SerializerMethodField()
    plate = serializers.CharField(source="customer.plate")

    class Meta:
        model = Case
        fields = ["id", "number", "source", "store", "customer", "plate", "failure_type",
                  "level", "severity", "state", "outcome", "flags", "score_before",
                  "score_after", "triggered_at", "owner", "progress"]
        read_only_fields = fields
        list_serializer_class = CaseListPageOut

    def get_progress(self, obj) -> int:
        return case_progress(obj)


class CustomerOut(serializers.Serializer):
    external_id = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    vip = serializers.BooleanField()
    segment = serializers.CharField()
    plate = serializers.CharField()
    vin = serializers.CharField()
    vehicle_model = serializers.CharField()
    language = serializers.CharField()


class ServiceRecordOut(serializers.Serializer):
    order_number = serializers.CharField()
    service_type = serializers.CharField()
    visit_at = serializers.DateTimeField(allow_null=True)
    plate = serializers.CharField()
    vin = serializers.CharField()
    vehicle_model = serializers.CharField()
    mileage = serializers.IntegerField(allow_null=True)


class TransitionBlockedOut(serializers.Serializer):
    name = serializers.CharField()
    reason = serializers.CharField()


_DETAIL_FIELDS = (*CaseListOut.Meta.fields,
                  "service_record", "description", "plan", "received_at", "contacted_at",
                  "resolved_at", "closed_at", "rescored_at", "emotion", "triage", DEADLINES,
                  "checklist", "timeline", ESCALATIONS, "allowed_transitions",
                  "blocked_transitions", "watchers")


class CaseDetailOut(ProvidedFields, CaseListOut):
    customer = serializers.SerializerMethodField()
    emotion = BlankAsNullField(read_only=True, allow_null=True)
    triage = TriageWhyField(read_only=True)
    checklist = ChecklistItemOut(many=True, read_only=True)
    timeline = CaseEventOut(many=True, read_only=True, source="events")
    allowed_transitions = serializers.SerializerMethodField()
    blocked_transitions = serializers.SerializerMethodField()
    watchers = serializers.SerializerMethodField()
    service_record = ServiceRecordOut(read_only=True, allow_null=True)

    provided = (DEADLINES, ESCALATIONS)
    field_order = _DETAIL_FIELDS

    class Meta(CaseListOut.Meta):
        fields = [f for f in _DETAIL_FIELDS if f not in (DEADLINES, ESCALATIONS)]
        read_only_fields = fields
        list_serializer_class = serializers.ListSerializer

    @extend_schema_field(CustomerOut)
    def get_customer(self, obj) -> dict:
        """The full phone number for those who may work the case, masked for the rest."""
        data = dict(CustomerOut(obj.customer).data)
        data["phone"] = phone_for(obj.customer.phone,
                                  full=sees_phone(obj, self.context["request"].user))
        return data

    def get_watchers(self, obj) -> list[str]:
        """Usernames of the people who receive the case's notifications besides its owner."""
        return [w.user.username for w in obj.watchers.all()]

    def _options(self, obj) -> list[tuple[str, str | None]]:
        return transition_options(obj, self.context["request"].user)

    def get_allowed_transitions(self, obj) -> list[str]:
        return [name for name, reason in self._options(obj) if reason is None]

    @extend_schema_field(TransitionBlockedOut(many=True))
    def get_blocked_transitions(self, obj) -> list[dict]:
        """Transitions the user may run from this state once the SOP's guard is satisfied."""
        return [{"name": name, "reason": reason} for name, reason in self._options(obj) if reason]


class IncidentIn(serializers.Serializer):
    store = StoreCodeField(required=False)
    customer = CustomerIn()
    failure_type = serializers.SlugRelatedField(slug_field="code",
                                                queryset=FailureType.objects.filter(active=True),
                                                required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=5000)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=SENDABLE_FLAGS),
                                  required=False, default=list, max_length=20)
    score = serializers.IntegerField(min_value=0, max_value=10, required=False, allow_null=True,
                                     default=None)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                            validators=[past_time])


class TransitionIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False,
        help_text=_("`close` only. `recovered` needs a re-score at or above the promoter line "
                    "or a follow-up contact in which the customer confirms being satisfied "
                    "(else 409); without it: recovered when earned, lost after a low re-score, "
                    "else retained."))
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="",
                                   help_text=_("`reopen` only, and required there."))
    plan = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="",
                                 help_text=_("`propose` only: the written plan, saved on the case "
                                             "(needed when no offer was made)."))


class ReassignIn(serializers.Serializer):
    owner = serializers.SlugRelatedField(slug_field="username", queryset=people(
        User.objects.filter(is_active=True)), help_text=_("The new owner's username."))
    reason = serializers.CharField(max_length=2000)


class WatcherIn(serializers.Serializer):
    user = serializers.SlugRelatedField(slug_field="username", queryset=people(
        User.objects.filter(is_active=True)), required=False, default=None, allow_null=True,
        help_text=_("Username; empty: the caller."))


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000,
                                 help_text=_("`@username` notifies that colleague."))


class PlanIn(serializers.Serializer):
    plan = serializers.CharField(max_length=5000)


class ChecklistWaiveIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True,
                                   help_text=_("Why the item does not apply; empty un-waives."))



class ChecklistItemIn(serializers.Serializer):
    done = serializers.BooleanField(default=True)


class SeverityIn(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


CORRECTABLE_FLAGS = [f for f in Flag.values if f != Flag.VIP]


class CaseCorrectionIn(serializers.Serializer):
    """PATCH /cases/{id}/: only the fields sent are corrected."""

    failure_type = serializers.SlugRelatedField(
        slug_field="code", queryset=FailureType.objects.filter(active=True), required=False,
        allow_null=True)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    emotion = serializers.ChoiceField(choices=Emotion.choices, required=False, allow_null=True,
                                      allow_blank=True)
    # Plain strings checked here: a second choice set named "flags" would collide in the schema.
    flags = serializers.ListField(child=serializers.CharField(max_length=30), required=False,
                                  max_length=20, help_text=", ".join(CORRECTABLE_FLAGS))
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    def validate_flags(self, value):
        unknown = sorted(set(value) - set(CORRECTABLE_FLAGS))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown or not correctable flags: %(flags)s") % {"flags": ", ".join(unknown)})
        return value

    def validate(self, attrs):
        if not set(attrs) - {"note"}:
            raise serializers.ValidationError(
                _("Send at least one of failure_type, severity, emotion, flags."))
        return attrs


class CorrectionReportIn(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=36, required=False, default=12)


class CorrectionRowOut(serializers.Serializer):
    month = serializers.CharField()
    store = serializers.CharField()
    cases = serializers.IntegerField(help_text="Cases opened at the store that month.")
    corrections = serializers.DictField(child=serializers.IntegerField(),
                                        help_text="Cases corrected, per field.")
    accuracy = serializers.DictField(child=serializers.FloatField(),
                                     help_text="Share of the month's cases not corrected.")


class CaseFilterIn(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.choices, required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    store = serializers.CharField(max_length=32, required=False)
    failure_type = serializers.CharField(max_length=40, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(min_length=2, max_length=100, required=False, allow_blank=True,
                              help_text=_("Case number, customer name, phone, plate, VIN or "
                                          "repair order; partial matches."))
