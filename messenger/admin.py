from django.contrib import admin

from org.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import MessengerCard, MessengerIdentity


@admin.register(MessengerIdentity)
class MessengerIdentityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "user__node__path"
    list_display = ["user", "platform", "external_id", "active"]
    list_filter = ["platform", "active"]
    search_fields = ["user__username", "external_id"]
    autocomplete_fields = ["user"]


@admin.register(MessengerCard)
class MessengerCardAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "case__store__path"
    list_display = ["created_at", "subject", "case", "user", "platform", "sent_at", "used_at",
                    "action"]
    list_filter = ["platform", "subject", "action"]
    exclude = ["nonce"]
