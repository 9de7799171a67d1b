"""API-wide error mapping: services raise domain errors, the API answers with the right status,
and the schema says which statuses each operation can answer."""

import re

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views import defaults
from django_fsm import ConcurrentTransition
from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.services import TransitionConflict


def bad_request(request, exception):
    """A request Django refuses before any view reads it (a form body with more fields than
    DATA_UPLOAD_MAX_NUMBER_FIELDS, a malformed multipart body) answers in JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def not_found(request, exception):
    """A path under /api/ that names nothing (`/api/v1/cases/abc/`) answers in JSON like every
    other API error; pages keep Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, (TransitionConflict, ConcurrentTransition)):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField()


class AutoSchema(openapi.AutoSchema):
    """Documents the error answers of every operation next to its success ones: 400 with field
    errors where input is read, 413/415 for a body too large or not JSON or a form, 401/403
    behind authentication, 404 where the path names an object (or a page), 409 where a write
    meets a case, an approval or an offer in the wrong state."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, body in self._error_bodies():
            if code not in responses:
                responses[code] = self._get_response_for_code(body, code, direction=direction)
        return responses

    def _error_bodies(self):
        path_names = set(re.findall(r"{(\w+)}", self.path))
        writes = self.method not in ("GET", "HEAD", "OPTIONS")
        queried = any(p["in"] == "query" and p["name"] != "page" for p in self._get_parameters())
        if writes or queried:
            yield "400", OpenApiTypes.OBJECT
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            yield "413", ErrorOut
            yield "415", ErrorOut
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            yield "401", ErrorOut
            yield "403", ErrorOut
        if path_names or self._get_paginator():
            yield "404", ErrorOut
        if writes and path_names & {"case_id", "approval_id", "offer_id"}:
            yield "409", ErrorOut
