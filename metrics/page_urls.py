"""Metrics pages at the site root."""

from django.urls import path

from . import views

urlpatterns = [
    path("metrics/", views.dashboard, name="metrics-dashboard"),
    path("metrics/cases/", views.kpi_cases, name="metrics-cases"),
    path("metrics/review/", views.review, name="metrics-review"),
]
