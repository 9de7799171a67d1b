from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Notification
from .services import notifications_mark_read


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
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                max_length=500)


class NotificationListApi(GenericAPIView):
    serializer_class = NotificationOut
    queryset = Notification.objects.none()  # for the schema; rows are the caller's own

    def get(self, request):
        qs = Notification.objects.filter(recipient=request.user)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(NotificationOut(page, many=True).data)


class NotificationMarkReadApi(APIView):
    @extend_schema(request=MarkReadIn, responses={200: None})
    def post(self, request):
        data = MarkReadIn(data=request.data)
        data.is_valid(raise_exception=True)
        count = notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": count})
