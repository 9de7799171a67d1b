from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read/", api.NotificationMarkReadApi.as_view(),
         name="api-notifications-read"),
    path("notifications/unread-count/", api.NotificationUnreadCountApi.as_view(),
         name="api-notifications-unread-count"),
    path("notifications/preferences/", api.NotificationPreferenceApi.as_view(),
         name="api-notifications-preferences"),
    path("notifications/deliveries/failed/", api.DeliveryFailedListApi.as_view(),
         name="api-deliveries-failed"),
    path("notifications/deliveries/<id:delivery_id>/resend/", api.DeliveryResendApi.as_view(),
         name="api-delivery-resend"),
]
