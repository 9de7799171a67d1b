from django.db.models import QuerySet

from cases.selectors import case_scope
from org.models import User

from .models import Attachment


def attachments_for(*, case) -> QuerySet[Attachment]:
    return Attachment.objects.filter(case=case).select_related("uploaded_by")


def attachment_get(*, user: User, attachment_id: int) -> Attachment:
    """Raises Attachment.DoesNotExist when its case is outside the user's scope."""
    return Attachment.objects.select_related("case").get(
        pk=attachment_id, case__in=case_scope(user=user).values("pk"))
