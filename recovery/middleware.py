"""Request-size guard in front of every view."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE with 413 before anything reads it. Django
    checks that limit only when it parses a form; DRF's JSON parser reads the raw stream."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.method == "POST" and request.path.endswith("/attachments/"):
            limit = settings.ATTACHMENT_UPLOAD_MAX_BYTES  # files; the form fields stay small
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is None or length <= limit:
            return self.get_response(request)
        message = _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
