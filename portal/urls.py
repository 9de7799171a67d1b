"""Customer-page endpoints under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("cases/<id:case_id>/customer-link/", api.CustomerLinkApi.as_view(),
         name="api-case-customer-link"),
]
