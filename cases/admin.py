from django.contrib import admin

from org.admin import MaskedPhoneAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin

from .models import (
    Case,
    CaseEvent,
    ChecklistItem,
    ChecklistTemplateItem,
    Customer,
    FailureType,
    IntakePolicy,
    IntakeSource,
    LexiconEntry,
    ServiceRecord,
    SopPolicy,
    SurveyResponse,
)


@admin.register(IntakePolicy)
class IntakePolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "score_threshold"]


@admin.register(SopPolicy)
class SopPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "promoter_line"]


@admin.register(IntakeSource)
class IntakeSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "account", "signed_only", "active"]
    list_filter = ["signed_only", "active"]
    raw_id_fields = ["account"]


@admin.register(LexiconEntry)
class LexiconEntryAdmin(admin.ModelAdmin):
    list_display = ["phrase", "language", "kind", "value", "weight", "active"]
    list_editable = ["weight", "active"]
    list_filter = ["language", "kind", "value", "active"]
    search_fields = ["phrase", "value", "note"]


@admin.register(FailureType)
class FailureTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "active"]


@admin.register(ChecklistTemplateItem)
class ChecklistTemplateItemAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "title", "title_en", "required", "active"]
    list_display_links = ["code"]
    filter_horizontal = ["failure_types"]


@admin.register(Customer)
class CustomerAdmin(MaskedPhoneAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "cases__store__path"
    list_display = ["name", "external_id", "masked_phone", "vip", "segment"]
    search_fields = ["name", "external_id"]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["order_number", "store", "customer", "service_type", "visit_at", "amount"]
    search_fields = ["order_number"]
    raw_id_fields = ["customer"]


class ChecklistInline(admin.TabularInline):
    model = ChecklistItem
    fields = ["title", "done_at", "done_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["at", "kind", "actor", "from_state", "to_state", "note"]
    readonly_fields = fields
    extra = 0


@admin.register(Case)
class CaseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: cases change through their transitions (the pages and the API)."""

    list_display = ["number", "store", "customer", "level", "severity", "state", "triggered_at"]
    list_filter = ["state", "level", "severity", "source"]
    search_fields = ["number", "customer__name"]
    inlines = [ChecklistInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["at", "case", "kind", "actor", "from_state", "to_state"]
    list_filter = ["kind"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["source", "external_id", "store", "score", "case", "rescore", "received_at"]
    list_filter = ["source", "rescore"]
    search_fields = ["external_id"]
