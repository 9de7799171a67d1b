"""Upload and read attachments. Every read goes through the case scope: a file of a case the
user cannot see does not exist (404); there is no public URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import ChecklistItem
from cases.permissions import may_record_onsite
from cases.views import scoped_case
from toolkit.models import Contact

from . import serializers as s
from .models import Attachment
from .selectors import attachment_get, attachments_for
from .services import attachment_add, attachment_share_set


def case_sections(request, case) -> dict:
    return {"attachments": attachments_for(case=case).select_related("checklist_item"),
            "may_attach": may_record_onsite(case, request.user)}


def _linked(case, *, checklist_item_id, contact_id) -> dict:
    """The checklist item and contact named by id, on this case only (else a field error)."""
    linked = {}
    if checklist_item_id:
        linked["checklist_item"] = ChecklistItem.objects.filter(
            pk=checklist_item_id, case=case).first()
        if linked["checklist_item"] is None:
            raise ValidationError({"checklist_item": [_("This item is not on this case.")]})
    if contact_id:
        linked["contact"] = Contact.objects.filter(pk=contact_id, case=case).first()
        if linked["contact"] is None:
            raise ValidationError({"contact": [_("This contact is not on this case.")]})
    return linked


def _file_response(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=attachment.content_type,
                            as_attachment=attachment.kind == "video",
                            filename=attachment.original_name or None)
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    # A PDF opened in the browser runs no script of its own against this site.
    response["Content-Security-Policy"] = "sandbox"
    return response


def _scoped_attachment(request, attachment_id: int) -> Attachment:
    try:
        return attachment_get(user=request.user, attachment_id=attachment_id)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def attachment_file(request, attachment_id: int):
    return _file_response(_scoped_attachment(request, attachment_id))


@login_required
@require_POST
def case_attachment_add(request, case_id: int):
    case = scoped_case(request, case_id)
    upload = request.FILES.get("photo") or request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a photo, video or PDF first."))
        return redirect("case-page", case_id=case.pk)
    try:
        attachment_add(actor=request.user, case=case, upload=upload,
                       note=request.POST.get("note", ""),
                       **_linked(case, checklist_item_id=_int(request.POST.get("checklist_item")),
                                 contact_id=_int(request.POST.get("contact"))))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("File added."))
    return redirect(reverse("case-page", kwargs={"case_id": case.pk}) + "#attachments")


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


class CaseAttachmentsApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=s.AttachmentOut(many=True))
    def get(self, request, case_id: int):
        case = scoped_case(request, case_id)
        return Response(s.AttachmentOut(attachments_for(case=case), many=True).data)

    @extend_schema(request={"multipart/form-data": s.AttachmentIn},
                   responses={201: s.AttachmentOut})
    def post(self, request, case_id: int):
        case = scoped_case(request, case_id)
        data_in = s.AttachmentIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        try:
            attachment = attachment_add(
                actor=request.user, case=case, upload=data["file"], note=data["note"],
                **_linked(case, checklist_item_id=data["checklist_item"],
                          contact_id=data["contact"]))
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict if hasattr(exc, "error_dict")
                                     else exc.messages) from exc
        return Response(s.AttachmentOut(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentFileApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, attachment_id: int):
        return _file_response(_scoped_attachment(request, attachment_id))


@login_required
@require_POST
def attachment_share(request, attachment_id: int):
    attachment = _scoped_attachment(request, attachment_id)
    try:
        attachment_share_set(actor=request.user, attachment=attachment,
                             shared=request.POST.get("shared") == "1")
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(reverse("case-page", args=[attachment.case_id]) + "#attachments")
