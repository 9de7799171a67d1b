from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.models import Case, ServiceRecord
from cases.permissions import sees_phone
from cases.selectors import people
from cases.serializers import past_time, plausible_time
from org.models import NodeKind, OrgNode, User
from org.pii import phone_for

from .models import (
    MAX_WHYS,
    CaseProfile,
    CauseCategory,
    Channel,
    Contact,
    ContactOutcome,
    ContactPurpose,
    Department,
    Emotion,
    RootCause,
    StockItem,
    StockReason,
    TeamMember,
    TeamRole,
    WordKind,
    WordLanguage,
)
from .schema import InlineChoiceField


class UserBriefOut(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    node = serializers.CharField(source="node.code", default=None, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "node"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class PhraseWarningOut(serializers.Serializer):
    code = serializers.CharField()
    category = serializers.CharField()
    label = serializers.CharField()
    match = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    explanation = serializers.CharField()
    suggestion = serializers.CharField()


class PhraseCheckIn(serializers.Serializer):
    text = serializers.CharField(max_length=10000, allow_blank=True)


class PhraseCheckOut(serializers.Serializer):
    ok = serializers.BooleanField()
    warnings = PhraseWarningOut(many=True)


# ---------------------------------------------------------------- contacts


class ContactIn(serializers.Serializer):
    channel = InlineChoiceField(choices=Channel.choices)
    outcome = InlineChoiceField(choices=ContactOutcome.choices)
    purpose = serializers.ChoiceField(choices=ContactPurpose.choices, default=ContactPurpose.OTHER)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                   validators=[past_time])
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    satisfied = serializers.BooleanField(
        required=False, default=False,
        help_text=_("The customer, reached in a callback or follow-up, confirms being satisfied "
                    "(lets the case close as recovered)."))
    strict = serializers.BooleanField(required=False, default=False,
                                      help_text=_("Refuse the note when the checker warns."))


class ContactOut(serializers.ModelSerializer):
    by = UserBriefOut()
    channel = InlineChoiceField(choices=Channel.choices)
    outcome = InlineChoiceField(choices=ContactOutcome.choices)

    class Meta:
        model = Contact
        fields = ["id", "channel", "purpose", "outcome", "note", "by", "at", "met_deadline",
                  "satisfied", "created_at"]


class ContactCreatedOut(ContactOut):
    warnings = PhraseWarningOut(many=True)

    class Meta(ContactOut.Meta):
        fields = [*ContactOut.Meta.fields, "warnings"]


# ---------------------------------------------------------------- re-score


class RescoreIn(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=10)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                   validators=[past_time])
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    strict = serializers.BooleanField(required=False, default=False)


class RescoreOut(serializers.ModelSerializer):
    warnings = PhraseWarningOut(many=True)

    class Meta:
        model = Case
        fields = ["id", "number", "state", "score_before", "score_after", "rescored_at",
                  "warnings"]


# ---------------------------------------------------------------- customer 360


class CustomerProfileIn(serializers.Serializer):
    birthday = serializers.DateField(allow_null=True)
    vehicle = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    preferences = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                        default="")


class CustomerCaseOut(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")

    class Meta:
        model = Case
        fields = ["id", "number", "store", "state", "level", "severity", "flags", "outcome",
                  "score_before", "score_after", "triggered_at", "closed_at"]


class VisitOut(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")

    class Meta:
        model = ServiceRecord
        fields = ["id", "store", "order_number", "service_type", "advisor", "technician",
                  "visit_at", "amount"]


class RepeatProblemOut(serializers.Serializer):
    service_type = serializers.CharField()
    visits = serializers.IntegerField()


class CareReminderOut(serializers.Serializer):
    kind = serializers.CharField()
    due = serializers.DateField()
    case_id = serializers.IntegerField(allow_null=True)
    done = serializers.BooleanField()


class Customer360Out(serializers.Serializer):
    id = serializers.IntegerField(source="customer.pk")
    external_id = serializers.CharField(source="customer.external_id", allow_null=True)
    name = serializers.CharField(source="customer.name")
    phone = serializers.SerializerMethodField()
    vip = serializers.BooleanField(source="customer.vip")
    segment = serializers.CharField(source="customer.segment")
    birthday = serializers.DateField(source="profile.birthday", default=None, allow_null=True)
    vehicle = serializers.CharField(source="profile.vehicle", default="")
    preferences = serializers.CharField(source="profile.preferences", default="")
    cases = CustomerCaseOut(many=True)
    visits = VisitOut(many=True)
    repeat_problems = RepeatProblemOut(many=True)
    compensation_received = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True,
        help_text=_("Compensation issued over all cases; null when unavailable."))
    care_reminders = CareReminderOut(many=True)

    def get_phone(self, obj) -> str:
        """The full number for someone who works one of the customer's cases, masked else."""
        request = self.context.get("request")
        full = request is not None and any(sees_phone(c, request.user) for c in obj.cases)
        return phone_for(obj.customer.phone, full=full)


# ---------------------------------------------------------------- root cause


class RootCauseIn(serializers.Serializer):
    category = serializers.ChoiceField(choices=CauseCategory.choices)
    whys = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1,
                                 max_length=MAX_WHYS)
    root_cause = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                       default="")
    department = serializers.SlugRelatedField(slug_field="code", allow_null=True,
                                              required=False, default=None,
                                              queryset=Department.objects.filter(active=True))
    corrective_action = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                              default="")
    action_owner = serializers.PrimaryKeyRelatedField(queryset=people(User.objects.filter(
        is_active=True)), allow_null=True, required=False, default=None)
    action_due = serializers.DateField(allow_null=True, required=False, default=None)


class DepartmentOut(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en"]


class RootCauseOut(serializers.ModelSerializer):
    department = DepartmentOut(allow_null=True)
    action_owner = UserBriefOut(allow_null=True)
    updated_by = UserBriefOut(allow_null=True)

    class Meta:
        model = RootCause
        fields = ["category", "whys", "root_cause", "department", "corrective_action",
                  "action_owner", "action_due", "updated_by", "updated_at"]


class RootCauseReportIn(serializers.Serializer):
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)

    def to_internal_value(self, data):
        # Query strings say `from` and `to`, which are Python keywords.
        data = {"date_from": data.get("from"), "date_to": data.get("to")}
        return super().to_internal_value({k: v for k, v in data.items() if v})

    def validate(self, attrs):
        if attrs["date_from"] and attrs["date_to"] and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"from": _("`from` is after `to`.")})
        return attrs


class CategoryCountOut(serializers.Serializer):
    category = serializers.CharField()
    cases = serializers.IntegerField()


class DepartmentCountOut(serializers.Serializer):
    department = serializers.CharField(source="department__code", allow_null=True)
    name = serializers.CharField(source="department__name", allow_null=True)
    name_en = serializers.CharField(source="department__name_en", allow_null=True)
    cases = serializers.IntegerField()


class RootCauseReportOut(serializers.Serializer):
    total = serializers.IntegerField()
    by_category = CategoryCountOut(many=True)
    by_department = DepartmentCountOut(many=True)
    actions_overdue = serializers.IntegerField()


# ---------------------------------------------------------------- team


class TeamMemberIn(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=people(User.objects.filter(is_active=True)))
    role = InlineChoiceField(choices=TeamRole.choices)


class TeamMemberOut(serializers.ModelSerializer):
    user = UserBriefOut()
    role = InlineChoiceField(choices=TeamRole.choices)

    class Meta:
        model = TeamMember
        fields = ["id", "user", "role", "added_at"]


class TeamMemberDeleteIn(serializers.Serializer):
    member = serializers.IntegerField()


# ---------------------------------------------------------------- emotion and visit


class EmotionIn(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=Emotion.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    strict = serializers.BooleanField(required=False, default=False)


class EmotionOut(serializers.Serializer):
    emotion = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    advice = serializers.CharField(allow_blank=True)
    updated_by = UserBriefOut(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    warnings = PhraseWarningOut(many=True)


class VisitIn(serializers.Serializer):
    visit_at = serializers.DateTimeField(allow_null=True, validators=[plausible_time])


class VisitBookedOut(serializers.ModelSerializer):
    class Meta:
        model = CaseProfile
        fields = ["visit_at", "updated_at"]


# ---------------------------------------------------------------- words


class WordsIn(serializers.Serializer):
    lang = serializers.ChoiceField(choices=WordLanguage.choices, required=False,
                                   default=WordLanguage.ZH_HANS)


class MissingFactOut(serializers.Serializer):
    fact = serializers.CharField(help_text="Give it as a query parameter of this name.")
    label = serializers.CharField()


class WordsOut(serializers.Serializer):
    kind = InlineChoiceField(choices=WordKind.choices)
    language = serializers.CharField()
    text = serializers.CharField(help_text="A fact the case lacks shows as a blank (＿＿＿＿).")
    warnings = PhraseWarningOut(many=True)
    missing = MissingFactOut(many=True)


# ---------------------------------------------------------------- stock


class StockFilterIn(serializers.Serializer):
    store = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    low = serializers.BooleanField(required=False, default=False)


class StockOut(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    threshold = serializers.IntegerField()
    low = serializers.BooleanField()

    class Meta:
        model = StockItem
        fields = ["id", "store", "item_code", "name", "quantity", "threshold", "low"]


class StockReceiveIn(serializers.Serializer):
    store = serializers.SlugRelatedField(
        slug_field="code", queryset=OrgNode.objects.filter(kind=NodeKind.STORE))
    item_code = serializers.SlugField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=10000)
    reason = serializers.ChoiceField(choices=[(StockReason.RECEIVE, StockReason.RECEIVE.label),
                                              (StockReason.RETURN, StockReason.RETURN.label)],
                                     default=StockReason.RECEIVE)
    name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
