"""Uploads: the type from the content (never the name or the browser's word), the size by
kind, photos re-encoded smaller (which also drops their location data)."""

import io
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from cases.models import Case, ChecklistItem
from cases.permissions import can_act, may_record_onsite
from org.models import User
from toolkit.models import Contact

from .models import Attachment, AttachmentKind, AttachmentPolicy

# (kind, content type) from the first bytes of the file.
_ISO_BRANDS = {b"qt  ": "video/quicktime"}
MAX_PIXELS = 60_000_000  # a larger photo is a decompression bomb, not a phone picture


def sniff(head: bytes) -> tuple[str, str] | None:
    if head.startswith(b"\xff\xd8\xff"):
        return AttachmentKind.IMAGE, "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentKind.IMAGE, "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return AttachmentKind.IMAGE, "image/webp"
    if head.startswith(b"%PDF-"):
        return AttachmentKind.PDF, "application/pdf"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return None  # HEIC photos: Pillow cannot shrink them; phones send JPEG to a browser
        return AttachmentKind.VIDEO, _ISO_BRANDS.get(brand, "video/mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return AttachmentKind.VIDEO, "video/webm"
    return None


def _shrunk_jpeg(upload, max_side: int) -> bytes:
    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError({"file": [_("This photo is too large.")]})
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError({"file": [_("This photo cannot be read.")]}) from exc
    return out.getvalue()


@transaction.atomic
def attachment_add(*, actor: User, case: Case, upload, note: str = "",
                   checklist_item: ChecklistItem | None = None,
                   contact: Contact | None = None) -> Attachment:
    """Store one upload on a case the actor works. The caller has scoped the case."""
    if not may_record_onsite(case, actor):
        raise PermissionDenied(_("Only those who work this case can add files to it."))
    if checklist_item is not None and checklist_item.case_id != case.pk:
        raise ValidationError({"checklist_item": [_("This item is not on this case.")]})
    if contact is not None and contact.case_id != case.pk:
        raise ValidationError({"contact": [_("This contact is not on this case.")]})
    upload.seek(0)
    found = sniff(upload.read(16))
    upload.seek(0)
    if found is None:
        raise ValidationError({"file": [_("Only photos (JPEG, PNG, WebP), videos (MP4, MOV, "
                                          "WebM) and PDF documents can be added.")]})
    kind, content_type = found
    policy = AttachmentPolicy.current()
    if upload.size > policy.max_bytes(kind):
        raise ValidationError({"file": [_("The file is larger than %(mb)d MB.") % {
            "mb": policy.max_bytes(kind) // (1024 * 1024)}]})
    attachment = Attachment(case=case, checklist_item=checklist_item, contact=contact,
                            kind=kind, content_type=content_type, uploaded_by=actor,
                            original_name=os.path.basename(upload.name or "")[:200],
                            note=note[:200])
    if kind == AttachmentKind.IMAGE:
        content = ContentFile(_shrunk_jpeg(upload, policy.image_max_side), name="photo.jpg")
        attachment.content_type = "image/jpeg"
    else:
        content = upload
    attachment.size = content.size
    attachment.file.save(content.name or "upload", content, save=False)
    attachment.save()
    return attachment


def attachment_share_set(*, actor: User, attachment: Attachment, shared: bool) -> Attachment:
    """Show a photo on the customer's page, or stop showing it. The caller has scoped it."""
    if not can_act(attachment.case, actor):
        raise PermissionDenied(_("Only those who work this case can share its photos."))
    if shared and attachment.kind != AttachmentKind.IMAGE:
        raise ValidationError({"shared": [_("Only photos can be shown to the customer.")]})
    attachment.shared_with_customer = shared
    attachment.save(update_fields=["shared_with_customer"])
    return attachment
