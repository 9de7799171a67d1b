from django.urls import reverse
from rest_framework import serializers

from .models import Attachment


class AttachmentIn(serializers.Serializer):
    file = serializers.FileField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    checklist_item = serializers.IntegerField(required=False, allow_null=True, default=None)
    contact = serializers.IntegerField(required=False, allow_null=True, default=None)


class AttachmentOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None,
                                        allow_null=True)

    class Meta:
        model = Attachment
        fields = ["id", "kind", "content_type", "size", "original_name", "note",
                  "checklist_item", "contact", "uploaded_by", "uploaded_at", "url",
                  "shared_with_customer"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        """The file, through the API (checks the caller's scope on every read)."""
        return reverse("api-attachment-file", kwargs={"attachment_id": obj.pk})
