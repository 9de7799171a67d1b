from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import OrgNode, User
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


@admin.register(OrgNode)
class OrgNodeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "path"
    list_display = ["code", "name", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    scope_path = "node__path"
    list_display = ["username", "get_full_name", "role", "node", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Organisation"), {"fields": ["role", "node",
                                                                            "phone"]}),)
