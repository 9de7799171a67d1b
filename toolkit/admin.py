from django.contrib import admin

from org.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import (
    CarePolicy,
    CaseProfile,
    Contact,
    CustomerProfile,
    Department,
    EmotionAdvice,
    PhrasePattern,
    RootCause,
    StockItem,
    StockMovement,
    StockThreshold,
    TeamMember,
    WordTemplate,
)

# ---------------------------------------------------------------- configuration (data)


@admin.register(PhrasePattern)
class PhrasePatternAdmin(admin.ModelAdmin):
    list_display = ["code", "category", "pattern", "suggestion", "active"]
    list_filter = ["category", "active"]
    search_fields = ["code", "pattern", "suggestion"]


@admin.register(WordTemplate)
class WordTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "language"]
    list_filter = ["kind", "language"]


@admin.register(EmotionAdvice)
class EmotionAdviceAdmin(admin.ModelAdmin):
    list_display = ["emotion", "advice"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "active"]
    list_filter = ["active"]


@admin.register(StockThreshold)
class StockThresholdAdmin(admin.ModelAdmin):
    list_display = ["item_code", "threshold"]


@admin.register(CarePolicy)
class CarePolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "birthday_lead_days"]

    def has_add_permission(self, request):
        return not CarePolicy.objects.exists()


# ---------------------------------------------------------------- case data (scoped)


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "channel", "purpose", "outcome", "by", "at", "met_deadline"]
    list_filter = ["channel", "outcome", "purpose"]
    list_select_related = ["case", "by"]
    search_fields = ["case__number", "note"]


@admin.register(RootCause)
class RootCauseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "category", "department", "action_owner", "action_due"]
    list_filter = ["category", "department"]
    list_select_related = ["case", "department", "action_owner"]
    raw_id_fields = ["case", "action_owner", "updated_by"]


@admin.register(TeamMember)
class TeamMemberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "role", "user", "added_at"]
    list_filter = ["role"]
    list_select_related = ["case", "user"]
    raw_id_fields = ["case", "user", "added_by"]


@admin.register(CaseProfile)
class CaseProfileAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "emotion", "visit_at", "updated_at"]
    list_filter = ["emotion"]
    raw_id_fields = ["case", "updated_by"]


@admin.register(CustomerProfile)
class CustomerProfileAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "customer__cases__store__path"
    list_display = ["customer", "birthday", "vehicle", "updated_at"]
    search_fields = ["customer__name", "customer__external_id"]
    raw_id_fields = ["customer", "updated_by"]

    def get_queryset(self, request):
        # A customer with several cases in scope would be listed once per case.
        return super().get_queryset(request).distinct()


@admin.register(StockItem)
class StockItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["store", "item_code", "name", "quantity", "low_threshold"]
    list_filter = ["item_code", "store"]
    list_select_related = ["store"]

    def get_readonly_fields(self, request, obj=None):
        # After creation the quantity moves only through the stock services (with history).
        return ["quantity"] if obj else []


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "stock__store__path"
    list_display = ["stock", "delta", "reason", "case", "actor", "at"]
    list_filter = ["reason"]
    list_select_related = ["stock__store", "case", "actor"]
