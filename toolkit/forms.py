"""Input forms of the toolkit pages. They check shape only; the services hold the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import User

from .models import (
    MAX_WHYS,
    CauseCategory,
    Channel,
    ContactOutcome,
    ContactPurpose,
    Department,
    Emotion,
)

MAX_FUTURE_SKEW = timezone.timedelta(minutes=5)


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices,
                                initial=Channel.PHONE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices,
                                initial=ContactOutcome.REACHED)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ContactPurpose.choices,
                                initial=ContactPurpose.OTHER)
    at = forms.DateTimeField(label=_("When (empty: now)"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label=_("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    satisfied = forms.BooleanField(label=_("The customer confirms being satisfied"),
                                   required=False)

    def clean_at(self):
        at = self.cleaned_data.get("at")
        if at and at > timezone.now() + MAX_FUTURE_SKEW:
            raise forms.ValidationError(_("This time is in the future."))
        return at


class RescoreForm(forms.Form):
    score = forms.IntegerField(label=_("New score (0–10)"), min_value=0, max_value=10,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class EmotionForm(forms.Form):
    emotion = forms.ChoiceField(label=_("Emotion type"), choices=Emotion.choices)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RootCauseForm(forms.Form):
    category = forms.ChoiceField(label=_("Cause category"), choices=CauseCategory.choices)
    root_cause = forms.CharField(label=_("Root cause"), max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    department = forms.ModelChoiceField(label=_("Responsible department"), required=False,
                                        queryset=Department.objects.filter(active=True),
                                        to_field_name="code")
    corrective_action = forms.CharField(label=_("Corrective action"), max_length=2000,
                                        required=False, widget=forms.Textarea(attrs={"rows": 2}))
    action_owner = forms.ModelChoiceField(label=_("Action owner"), required=False,
                                          queryset=User.objects.none())
    action_due = forms.DateField(label=_("Due date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["action_owner"].queryset = owners
        for n in range(1, MAX_WHYS + 1):
            self.fields[f"why{n}"] = forms.CharField(
                label=_("Why %(n)s") % {"n": n}, max_length=500, required=(n == 1))
        # Whys first, the way the 5-Why sheet reads.
        order = [f"why{n}" for n in range(1, MAX_WHYS + 1)]
        self.order_fields(order + [f for f in self.fields if f not in order])

    @property
    def why_fields(self):
        return [self[f"why{n}"] for n in range(1, MAX_WHYS + 1)]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        whys = [data[f"why{n}"] for n in range(1, MAX_WHYS + 1)]
        # Keep the chain: stop at the first blank answer.
        chain = []
        for why in whys:
            if not why.strip():
                break
            chain.append(why)
        return {"category": data["category"], "whys": chain, "root_cause": data["root_cause"],
                "department": data["department"],
                "corrective_action": data["corrective_action"],
                "action_owner": data["action_owner"], "action_due": data["action_due"]}

    @classmethod
    def initial_from(cls, row) -> dict:
        if row is None:
            return {}
        initial = {"category": row.category, "root_cause": row.root_cause,
                   "department": row.department.code if row.department else None,
                   "corrective_action": row.corrective_action,
                   "action_owner": row.action_owner_id, "action_due": row.action_due}
        for n, why in enumerate(row.whys or [], start=1):
            initial[f"why{n}"] = why
        return initial


class PhraseCheckForm(forms.Form):
    note = forms.CharField(max_length=10000, required=False)
