from django.contrib import admin

from org.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import CustomerLink, CustomerReply, PortalPolicy


@admin.register(PortalPolicy)
class PortalPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "link_valid_for", "slot_days", "slot_times"]


@admin.register(CustomerLink)
class CustomerLinkAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "channel", "created_by", "created_at", "expires_at", "revoked_at",
                    "last_opened_at"]
    list_filter = ["channel"]
    list_select_related = ["case", "created_by"]


@admin.register(CustomerReply)
class CustomerReplyAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["case", "chosen_at", "visit_at", "score", "rescored_at"]
    list_select_related = ["case"]
