from django.contrib import admin

from org.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import BusinessHours, Deadline, Escalation, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["kind", "window", "clock", "anchor", "target", "warn_ratio"]


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    list_display = ["__str__", "store", "opens_at", "closes_at", "days"]
    list_select_related = ["store"]
    raw_id_fields = ["store"]


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
