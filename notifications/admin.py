from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from org.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
)
from .outbox import delivery_resend


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["channel", "endpoint", "status", "attempts", "next_attempt_at", "sent_at",
              "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "recipient__node__path"
    list_display = ["created_at", "recipient", "kind", "title", "urgent", "read_at"]
    list_filter = ["kind", "urgent"]
    list_select_related = ["recipient"]
    inlines = [DeliveryInline]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["at", "ok", "retryable", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "notification__recipient__node__path"
    list_display = ["created_at", "key", "channel", "status", "attempts", "next_attempt_at",
                    "sent_at", "last_error"]
    list_filter = ["status", "channel", "notification__kind"]
    list_select_related = ["notification"]
    search_fields = ["key", "notification__case__number"]
    inlines = [AttemptInline]
    actions = ["resend"]

    @admin.action(description=_("Re-send the selected failed deliveries"))
    def resend(self, request, queryset):
        with transaction.atomic():
            count = sum(delivery_resend(delivery=d)
                        for d in queryset.filter(status=DeliveryStatus.FAILED))
        self.message_user(request, ngettext("%d delivery queued again.",
                                            "%d deliveries queued again.", count) % count,
                          messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "user__node__path"
    list_display = ["user", "language", "email", "sms", "quiet_start", "quiet_end"]
    list_filter = ["language", "email", "sms"]
    autocomplete_fields = ["user"]
    search_fields = ["user__username"]


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "node", "kind", "url", "secret", "language", "kinds", "urgent_only",
                  "active"]
        # Masked on screen like a password.
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "node__path"
    form = WebhookEndpointForm
    list_display = ["name", "node", "kind", "language", "urgent_only", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
