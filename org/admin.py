from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import OrgNode, User
from .pii import phone_mask
from .selectors import user_scope_path


class ScopedAdminMixin:
    """Staff see in the admin only what lies under their node, like everywhere else.
    `scope_path` names the path of the row's node."""

    scope_path = "store__path"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = user_scope_path(user=request.user)
        if scope is None:
            return qs.none()
        return qs.filter(**{f"{self.scope_path}__startswith": scope}) if scope else qs


class ReadOnlyAdminMixin:
    """Records that are written by the product only (audit trail, history)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaskedPhoneFormMixin:
    """The phone field shows the masked number; typing a new one replaces it, leaving the
    masked text as it is keeps the stored number."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "phone" in self.fields:
            self.initial["phone"] = phone_mask(self.instance.phone)
            self.fields["phone"].help_text = _(
                "Shown masked. Type a new number to replace it; leave it as it is to keep "
                "the stored one.")

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        stored = self.instance.phone
        return stored if stored and phone == phone_mask(stored) else phone


class MaskedPhoneAdminMixin:
    """Nobody reads a full phone number in the admin (issue 9): the list shows `masked_phone`,
    the edit form the masked value, and a view-only page `masked_phone` instead of the field."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (MaskedPhoneFormMixin, form), {})

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "masked_phone"]

    def get_fieldsets(self, request, obj=None):
        editable = obj is None or self.has_change_permission(request, obj)
        return [(name, {**options, "fields": self._phone_fields(options["fields"], editable)})
                for name, options in super().get_fieldsets(request, obj)]

    @staticmethod
    def _phone_fields(fields, editable: bool) -> list:
        fields = [f for f in fields if f != "masked_phone"]
        return fields if editable else ["masked_phone" if f == "phone" else f for f in fields]

    @admin.display(description=_("phone"))
    def masked_phone(self, obj) -> str:
        return phone_mask(obj.phone)


@admin.register(OrgNode)
class OrgNodeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "path"
    list_display = ["code", "name", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(MaskedPhoneAdminMixin, ScopedAdminMixin, BaseUserAdmin):
    scope_path = "node__path"
    list_display = ["username", "get_full_name", "role", "node", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Organisation"), {"fields": ["role", "node",
                                                                            "phone"]}),)
