from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from org.admin import ReadOnlyAdminMixin
from org.selectors import user_scope_path

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """View only, for everyone including superusers: the trail is written by the product."""

    list_display = ["at", "actor", "action", "model", "object_repr", "changed_fields"]
    list_filter = ["action", "model"]
    list_select_related = ["actor"]
    search_fields = ["object_repr", "model", "actor__username"]
    date_hierarchy = "at"
    fields = ["at", "actor", "source", "action", "model", "object_pk", "object_repr",
              "changes_table"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Settings belong to the whole network: only those who see all of it read their history.
        qs = super().get_queryset(request)
        return qs if user_scope_path(user=request.user) == "" else qs.none()

    @admin.display(description=_("fields"))
    def changed_fields(self, obj) -> str:
        return ", ".join(obj.changes)

    @admin.display(description=_("changes"))
    def changes_table(self, obj) -> str:
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                                ((name, before, after)
                                 for name, (before, after) in obj.changes.items()))
        return format_html("<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
                           _("field"), _("before"), _("after"), rows)
