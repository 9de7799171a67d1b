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
    total_value = forms.DecimalField(label=_("New amount (CNY)"), **MONEY,
                                     widget=forms.NumberInput(attrs={"inputmode": "decimal",
                                                                     "step": "0.01"}))
