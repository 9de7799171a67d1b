"""The customer's page (`/c/<token>/`, no login) and the case page's customer-page actions."""

from django.urls import path

from . import views

urlpatterns = [
    path("c/<str:token>/", views.portal_page, name="portal-page"),
    path("c/<str:token>/choice/", views.portal_choice, name="portal-choice"),
    path("c/<str:token>/visit/", views.portal_visit, name="portal-visit"),
    path("c/<str:token>/rescore/", views.portal_rescore, name="portal-rescore"),
    path("c/<str:token>/photos/<id:attachment_id>/", views.portal_photo, name="portal-photo"),
    path("cases/<id:case_id>/customer-link/", views.case_link_send, name="case-link-send"),
    path("cases/<id:case_id>/customer-link/revoke/", views.case_link_revoke,
         name="case-link-revoke"),
    path("cases/<id:case_id>/customer-consent/", views.case_consent, name="case-consent"),
]
