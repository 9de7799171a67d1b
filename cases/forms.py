import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from org.models import NodeKind, OrgNode
from org.selectors import user_visible_nodes

from .models import Emotion, FailureType, Flag, Level, Severity, State
from .phones import phone_normalize

SENDABLE = [(f.value, f.label) for f in Flag if f.value not in {"repeat_repair",
                                                                 "multiple_repair", "vip"}]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, min_length=2, max_length=100,
                        widget=forms.TextInput(attrs={
                            "type": "search", "enterkeyhint": "search",
                            "placeholder": _("Case no., name, phone, plate, VIN, repair order")}))
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states"))] + State.choices)
    level = forms.ChoiceField(label=_("Level"), required=False,
                              choices=[("", _("All levels"))] + Level.choices)
    store = forms.ModelChoiceField(label=_("Store"), required=False,
                                   queryset=OrgNode.objects.none(), to_field_name="code",
                                   empty_label=_("All stores"))
    failure_type = forms.ModelChoiceField(label=_("Failure type"), required=False,
                                          queryset=FailureType.objects.filter(active=True),
                                          to_field_name="code", empty_label=_("All types"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = user_visible_nodes(user=user).filter(kind=NodeKind.STORE)

    def filters(self) -> dict:
        data = self.cleaned_data
        out = {k: data[k] for k in ("q", "state", "level") if data.get(k)}
        if data.get("store"):
            out["store"] = data["store"].code
        if data.get("failure_type"):
            out["failure_type"] = data["failure_type"].code
        if data.get("overdue"):
            out["overdue"] = True
        return out


class IncidentForm(forms.Form):
    """An SA's incident report, built to be filled on a phone in under a minute."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=OrgNode.objects.none(),
                                   to_field_name="code")
    customer_name = forms.CharField(label=_("Customer name"), max_length=120)
    customer_phone = forms.CharField(label=_("Phone"), max_length=32, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))
    customer_external_id = forms.CharField(label=_("Customer number (if known)"), max_length=100,
                                           required=False)
    vip = forms.BooleanField(label=_("VIP"), required=False)
    failure_type = forms.ModelChoiceField(label=_("What went wrong"),
                                          queryset=FailureType.objects.filter(active=True))
    description = forms.CharField(label=_("What happened"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    flags = forms.MultipleChoiceField(label=_("Also"), choices=SENDABLE, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    score = forms.IntegerField(label=_("Score (0–10, if given)"), min_value=0, max_value=10,
                               required=False,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    # Made when the form is shown: the same form sent again (Back, then submit) opens no
    # second case.
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    confirm_new = forms.BooleanField(
        label=_("The customer has an open case: open a separate one anyway"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stores = user_visible_nodes(user=user).filter(kind=NodeKind.STORE)
        self.fields["store"].queryset = stores
        if user.node and user.node.kind == NodeKind.STORE:
            self.fields["store"].initial = user.node.code
        if not self.is_bound:
            self.fields["idempotency_key"].initial = uuid.uuid4().hex
        if stores.count() == 1:
            self.fields["store"].widget = forms.HiddenInput()
            self.fields["store"].initial = stores.first().code

    def clean_customer_phone(self) -> str:
        return phone_normalize(self.cleaned_data.get("customer_phone"))

class TriageCorrectionForm(forms.Form):
    """The owner corrects what triage read; unchanged fields are left alone."""

    failure_type = forms.ModelChoiceField(label=_("Failure type"), required=False,
                                          queryset=FailureType.objects.filter(active=True),
                                          to_field_name="code", empty_label=_("None"))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    emotion = forms.ChoiceField(label=_("Emotion"), required=False,
                                choices=[("", _("None"))] + Emotion.choices)
    flags = forms.MultipleChoiceField(label=_("Flags"), required=False,
                                      choices=[(f.value, f.label) for f in Flag if f != Flag.VIP],
                                      widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Why"), max_length=5000, required=False)

    @classmethod
    def for_case(cls, case, data=None):
        return cls(data, initial={
            "failure_type": case.failure_type.code if case.failure_type else "",
            "severity": case.severity, "emotion": case.emotion,
            "flags": [f for f in case.flags or [] if f != Flag.VIP]})

    def changes(self, case) -> dict:
        """Only what differs from the case, so that one change is one event."""
        data = self.cleaned_data
        out = {}
        if data["failure_type"] != case.failure_type:
            out["failure_type"] = data["failure_type"]
        if data["severity"] != case.severity:
            out["severity"] = data["severity"]
        if (data["emotion"] or "") != (case.emotion or ""):
            out["emotion"] = data["emotion"]
        if set(data["flags"]) != set(case.flags or []) - {Flag.VIP}:
            out["flags"] = data["flags"]
        return out


class CorrectionReportForm(forms.Form):
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=36, initial=12,
                                required=False)
