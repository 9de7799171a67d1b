from django.contrib import admin

from org.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import Deadline, Escalation, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["kind", "window", "anchor", "target", "warn_ratio"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "kind", "due_at", "met_at", "warned_at", "escalated_at",
                    "cancelled_at"]
    list_filter = ["kind"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "kind", "from_level", "to_level", "target", "fired_at"]
    list_filter = ["kind", "target"]
