from django.contrib import admin

from org.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "recipient__node__path"
    list_display = ["created_at", "recipient", "kind", "title", "urgent", "read_at"]
    list_filter = ["kind", "urgent"]
