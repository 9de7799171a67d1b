from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]
