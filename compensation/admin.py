"""Configuration is edited here; offers and approvals are read-only, and the one bulk action
decides through the service, so the admin can never approve above the user's limit."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.services import TransitionConflict
from org.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import (
    Approval,
    AuthorityLimit,
    BasePlan,
    BasePlanItem,
    CoefficientFactor,
    CompensationPolicy,
    GuidanceRange,
    IssuedCompensation,
    Offer,
    OfferLine,
    RemedyItem,
)
from .services import approval_approve


@admin.register(RemedyItem)
class RemedyItemAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "name", "name_en", "dimension", "level", "value",
                    "value_max", "order_share", "variable", "fits", "segments", "active"]
    list_display_links = ["code"]
    list_filter = ["dimension", "level", "active", "variable"]
    search_fields = ["code", "name", "name_en"]


class BasePlanItemInline(admin.TabularInline):
    model = BasePlanItem
    extra = 1


@admin.register(BasePlan)
class BasePlanAdmin(admin.ModelAdmin):
    list_display = ["failure_type", "severity", "description"]
    list_filter = ["failure_type", "severity"]
    inlines = [BasePlanItemInline]


@admin.register(CoefficientFactor)
class CoefficientFactorAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "value"]
    list_editable = ["value"]
    list_filter = ["kind"]


@admin.register(GuidanceRange)
class GuidanceRangeAdmin(admin.ModelAdmin):
    list_display = ["severity", "minimum", "maximum"]


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(admin.ModelAdmin):
    list_display = ["role", "limit", "decision_window"]


@admin.register(CompensationPolicy)
class CompensationPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "coefficient_scheme", "loss_multiplier", "customer_window",
                    "fallback_failure_type", "retry_delay"]

    def has_add_permission(self, request):
        return not CompensationPolicy.objects.exists()


class OfferLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OfferLine
    fields = ["code", "name", "dimension", "value"]
    readonly_fields = fields
    extra = 0


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "tier", "status", "total_value", "proposed_by", "created_at",
                    "outside_range", "under_loss"]
    list_filter = ["status", "tier"]
    inlines = [OfferLineInline]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "amount", "approver_role", "approver_node", "status", "due_at",
                    "escalations", "decided_by"]
    list_filter = ["status", "approver_role"]
    actions = ["approve_selected"]

    @admin.action(description=_("Approve the selected requests (within your authority)"))
    def approve_selected(self, request, queryset):
        approved, refused = 0, []
        for approval in queryset:
            try:
                approval_approve(approval_id=approval.pk, actor=request.user)
                approved += 1
            except (PermissionDenied, TransitionConflict, ValidationError) as exc:
                refused.append(f"{approval}: {exc}")
        if approved:
            self.message_user(request, ngettext("%(n)d request approved.",
                                                "%(n)d requests approved.", approved)
                              % {"n": approved}, messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)


@admin.register(IssuedCompensation)
class IssuedCompensationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "name", "value", "issued_at", "issued_by"]
    search_fields = ["case__number", "code"]
