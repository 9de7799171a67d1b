"""Escalation pages, included at the site root by `recovery/urls.py`."""

from django.urls import path

from . import views

urlpatterns = [
    path("escalations/", views.escalations_inbox, name="escalations"),
]
