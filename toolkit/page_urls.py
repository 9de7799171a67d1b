"""Toolkit pages, included at the site root by `recovery/urls.py`."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/letter/", views.letter_page, name="case-letter"),
]
