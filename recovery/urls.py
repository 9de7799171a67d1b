from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token

from cases import api as cases_api
from cases import views as case_views

from .converters import IdConverter

# Before the apps' URL modules are included: they name ids `<id:…>`.
register_converter(IdConverter, "id")

api_v1 = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("survey-responses/", cases_api.SurveyResponseCreateApi.as_view(),
         name="api-survey-responses"),
    path("cases/", cases_api.CaseListApi.as_view(), name="api-cases"),
    path("cases/<id:case_id>/", cases_api.CaseDetailApi.as_view(), name="api-case"),
    path("cases/<id:case_id>/transitions/<str:name>/", cases_api.CaseTransitionApi.as_view(),
         name="api-case-transition"),
    path("cases/<id:case_id>/checklist/<id:item_id>/", cases_api.ChecklistItemApi.as_view(),
         name="api-case-checklist"),
    path("cases/<id:case_id>/severity/", cases_api.CaseSeverityApi.as_view(),
         name="api-case-severity"),
    path("triage/corrections/", cases_api.TriageCorrectionsApi.as_view(),
         name="api-triage-corrections"),
    path("", include("cases.urls")),
    path("", include("notifications.urls")),
    path("", include("escalation.urls")),
    path("", include("compensation.urls")),
    path("", include("toolkit.urls")),
    path("", include("metrics.urls")),
    path("", include("attachments.urls")),
    path("", include("portal.urls")),
]

handler400 = "recovery.api.bad_request"
handler404 = "recovery.api.not_found"

urlpatterns = [
    path("", case_views.dashboard, name="dashboard"),
    path("", include("cases.page_urls")),
    path("", include("toolkit.page_urls")),
    path("", include("metrics.page_urls")),
    path("", include("notifications.page_urls")),
    path("", include("compensation.page_urls")),
    path("", include("escalation.page_urls")),
    path("", include("attachments.page_urls")),
    path("", include("messenger.urls")),
    path("", include("portal.page_urls")),
    path("incidents/new/", case_views.incident_new, name="incident-new"),
    path("cases/<id:case_id>/", case_views.case_page, name="case-page"),
    path("cases/<id:case_id>/transitions/<str:name>/", case_views.case_transition_submit,
         name="case-transition"),
    path("cases/<id:case_id>/triage/", case_views.case_triage_submit, name="case-triage"),
    path("triage/corrections/", case_views.triage_corrections_page, name="triage-corrections"),
    path("cases/<id:case_id>/checklist/<id:item_id>/", case_views.checklist_toggle,
         name="case-checklist"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its start script as a file of its own (`?script`): the Content Security
    # Policy runs no inline script. Its assets come from drf-spectacular-sidecar, on this site.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", case_views.healthz, name="healthz"),
]
