from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Delivery, Notification, NotificationPreference, SendMode
from .outbox import delivery_resend
from .selectors import deliveries_failed, notification_list, notification_unread_count
from .services import notifications_mark_read, preference_update


class NotificationOut(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()
    case = serializers.IntegerField(source="case_id", allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "urgent", "case", "created_at", "read",
                  "read_at"]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class MarkReadIn(serializers.Serializer):
    # Bounded to a database id: a larger number overflowed the query (a 500).
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                required=False,
                                max_length=500)


class NotificationListApi(GenericAPIView):
    serializer_class = NotificationOut
    queryset = Notification.objects.none()  # for the schema; rows are the caller's own

    @extend_schema(parameters=[OpenApiParameter("unread", bool, required=False)],
                   responses=NotificationOut(many=True))
    def get(self, request):
        unread = request.query_params.get("unread")
        qs = notification_list(user=request.user,
                               unread=None if unread is None else unread in {"1", "true"})
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(NotificationOut(page, many=True).data)


class UnreadCountOut(serializers.Serializer):
    unread = serializers.IntegerField()


class NotificationUnreadCountApi(APIView):
    @extend_schema(responses={200: UnreadCountOut})
    def get(self, request):
        return Response({"unread": notification_unread_count(user=request.user)})


class NotificationMarkReadApi(APIView):
    @extend_schema(request=MarkReadIn, responses={200: None})
    def post(self, request):
        data = MarkReadIn(data=request.data)
        data.is_valid(raise_exception=True)
        count = notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": count})


# A pattern, not an enum: two fields share the choice set, and drf-spectacular warns about a
# shared enum component unless settings name it (ENUM_NAME_OVERRIDES).
@extend_schema_field({"type": "string", "pattern": f"^({'|'.join(SendMode.values)})$",
                      "description": ", ".join(f"{v}: {label}" for v, label in SendMode.choices)})
class SendModeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=SendMode.choices, **kwargs)


# A wall-clock time in the user's zone ("22:00:00"): OpenAPI's `format: time` means an RFC 3339
# time with a UTC offset, which this is not.
@extend_schema_field({"type": "string", "nullable": True,
                      "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"})
class ClockTimeField(serializers.TimeField):
    pass


class PreferenceSerializer(serializers.ModelSerializer):
    email = SendModeField(required=False)
    sms = SendModeField(required=False)
    quiet_start = ClockTimeField(required=False, allow_null=True)
    quiet_end = ClockTimeField(required=False, allow_null=True)

    class Meta:
        model = NotificationPreference
        fields = ["language", "email", "sms", "quiet_start", "quiet_end"]


class NotificationPreferenceApi(APIView):
    @extend_schema(responses={200: PreferenceSerializer})
    def get(self, request):
        preference = (NotificationPreference.objects.filter(user=request.user).first()
                      or NotificationPreference(user=request.user))
        return Response(PreferenceSerializer(preference).data)

    @extend_schema(request=PreferenceSerializer, responses={200: PreferenceSerializer})
    def put(self, request):
        data = PreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference = preference_update(user=request.user, **data.validated_data)
        return Response(PreferenceSerializer(preference).data)


class DeliveryOut(serializers.ModelSerializer):
    case = serializers.IntegerField(source="notification.case_id", allow_null=True)
    recipient = serializers.CharField(source="notification.recipient.username")
    endpoint = serializers.CharField(source="endpoint.name", allow_null=True, default=None)

    class Meta:
        model = Delivery
        fields = ["id", "key", "channel", "status", "attempts", "last_error", "created_at",
                  "case", "recipient", "endpoint"]


class DeliveryFailedListApi(GenericAPIView):
    """Deliveries that gave up (staff): what the dashboard shows."""

    permission_classes = [IsAdminUser]
    serializer_class = DeliveryOut
    queryset = Delivery.objects.none()  # for the schema; rows come from the selector

    @extend_schema(responses=DeliveryOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(deliveries_failed(user=request.user))
        return self.get_paginated_response(DeliveryOut(page, many=True).data)


class DeliveryResendApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={200: None})
    def post(self, request, delivery_id: int):
        delivery = get_object_or_404(deliveries_failed(user=request.user), pk=delivery_id)
        resent = delivery_resend(delivery=delivery)
        back = request.POST.get("next", "")
        # The dashboard's plain form comes back to the page it was posted from.
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(back)
        return Response({"resent": resent})
