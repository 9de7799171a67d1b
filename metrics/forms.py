from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.selectors import people
from org.models import User
from org.selectors import user_visible_nodes


class MetricsFilterForm(forms.Form):
    """Period and node of the dashboard (the same rules as the API)."""

    to = forms.DateField(label=_("To"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}))
    node = forms.ModelChoiceField(label=_("Node"), required=False, queryset=None,
                                  to_field_name="code", empty_label=_("My whole scope"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"from": forms.DateField(label=_("From"), required=False,
                                               widget=forms.DateInput(attrs={"type": "date"})),
                       **self.fields}
        self.fields["node"].queryset = user_visible_nodes(user=user)


def month_parse(value: str | None) -> date | None:
    """'YYYY-MM' → its first day; None when missing or malformed."""
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        year, month = (int(p) for p in value.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return None


class ReviewActionForm(forms.Form):
    action = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due = forms.DateField(label=_("Due"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, node, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people(User.objects.filter(
            is_active=True, node__path__startswith=node.path)).order_by("username")
