"""Toolkit pages, included at the site root by `recovery/urls.py`."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<id:case_id>/letter/", views.letter_page, name="case-letter"),
    path("cases/<id:case_id>/contacts/", views.contact_add, name="case-contact-add"),
    path("cases/<id:case_id>/contact/", views.contact_phone, name="case-contact-phone"),
    path("cases/<id:case_id>/rescore/", views.rescore_add, name="case-rescore"),
    path("cases/<id:case_id>/emotion/", views.emotion_save, name="case-emotion"),
    path("cases/<id:case_id>/root-cause/", views.root_cause_save, name="case-root-cause"),
    path("phrases/check/", views.phrase_check, name="phrase-check"),
]
