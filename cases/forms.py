from django import forms
from django.utils.translation import gettext_lazy as _

from org.models import NodeKind, OrgNode
from org.selectors import user_visible_nodes

from .models import FailureType, Flag, Level, State

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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stores = user_visible_nodes(user=user).filter(kind=NodeKind.STORE)
        self.fields["store"].queryset = stores
        if user.node and user.node.kind == NodeKind.STORE:
            self.fields["store"].initial = user.node.code
        if stores.count() == 1:
            self.fields["store"].widget = forms.HiddenInput()
            self.fields["store"].initial = stores.first().code
