from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .selectors import case_list_rows, keyset_page


class CaseKeysetPagination(BasePagination):
    """`?cursor=` pages in the list's order (newest first); `next` is null on the last page.
    No total: counting a million cases would cost more than the page."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            rows, self.next_cursor = keyset_page(
                queryset, after=request.query_params.get(self.cursor_query_param),
                size=settings.REST_FRAMEWORK["PAGE_SIZE"], rows=case_list_rows)
        except ValueError as exc:
            raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from exc
        return rows

    def get_paginated_response(self, data):
        next_url = None
        if self.next_cursor:
            next_url = replace_query_param(self.request.build_absolute_uri(),
                                           self.cursor_query_param, self.next_cursor)
        return Response({"next": next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {"type": "object", "required": ["results"], "properties": {
            "next": {"type": "string", "format": "uri", "nullable": True},
            "results": schema,
        }}

    def get_schema_operation_parameters(self, view):
        return [{"name": self.cursor_query_param, "required": False, "in": "query",
                 "description": "The `next` link's cursor.", "schema": {"type": "string"}}]
