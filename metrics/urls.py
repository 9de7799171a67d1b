"""Metrics endpoints under /api/v1/."""

from django.urls import path

from .api import MetricsApi

urlpatterns = [
    path("metrics/", MetricsApi.as_view(), name="api-metrics"),
]
