"""Input forms of the compensation pages. Shape only: limits and routing live in the services."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .calculator import TIERS

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


class OfferForm(forms.Form):
    """The option the customer chose, or the catalog items ticked one by one."""

    tier = forms.ChoiceField(required=False, choices=[(t, t) for t in TIERS])
    items = forms.MultipleChoiceField(label=_("Items"), required=False, choices=())
    note = forms.CharField(label=_("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    customer_loss = forms.DecimalField(label=_("Customer's own loss (CNY, optional)"),
                                       required=False, **MONEY,
                                       widget=forms.NumberInput(attrs={"inputmode": "decimal",
                                                                       "step": "0.01"}))

    def __init__(self, *args, item_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(c, c) for c in item_codes]

    def clean(self):
        data = super().clean()
        if bool(data.get("tier")) == bool(data.get("items")):
            raise forms.ValidationError(_("Choose one option, or tick the items."))
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ChangeForm(forms.Form):
    """The approver's change: the offer's rows (item code and value, a blank value taking the
    catalog's) or a new total, and the reason, which is required."""

    total_value = forms.DecimalField(label=_("New amount (CNY)"), required=False, **MONEY,
                                     widget=forms.NumberInput(attrs={"inputmode": "decimal",
                                                                     "step": "0.01"}))
    reason = forms.CharField(label=_("Reason for the change"), max_length=2000)

    def __init__(self, data=None, *args, item_codes=(), **kwargs):
        super().__init__(data, *args, **kwargs)
        self.item_codes = set(item_codes)
        self.rows = list(zip(data.getlist("code"), data.getlist("value"), strict=False)) \
            if data is not None and hasattr(data, "getlist") else []

    def clean(self):
        data = super().clean()
        money = forms.DecimalField(**MONEY)
        items, errors = [], []
        for code, value in self.rows:
            if not code:
                continue
            if code not in self.item_codes:
                errors.append(_("Unknown item: %(code)s") % {"code": code})
                continue
            try:
                items.append((code, money.clean(value) if value.strip() else None))
            except forms.ValidationError as exc:
                errors.extend(f"{code}: {m}" for m in exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        if bool(items) == (data.get("total_value") is not None):
            raise forms.ValidationError(_("Edit the items, or give a new total."))
        data["items"] = items or None
        return data
