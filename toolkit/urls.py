"""Recovery toolkit endpoints under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("phrases/check/", api.PhraseCheckApi.as_view(), name="api-phrases-check"),
    path("cases/<int:case_id>/contacts/", api.ContactListApi.as_view(), name="api-case-contacts"),
    path("cases/<int:case_id>/rescore/", api.RescoreApi.as_view(), name="api-case-rescore"),
    path("cases/<int:case_id>/root-cause/", api.RootCauseApi.as_view(),
         name="api-case-root-cause"),
    path("cases/<int:case_id>/team/", api.TeamApi.as_view(), name="api-case-team"),
    path("cases/<int:case_id>/team/<int:member_id>/", api.TeamMemberApi.as_view(),
         name="api-case-team-member"),
    path("cases/<int:case_id>/emotion/", api.EmotionApi.as_view(), name="api-case-emotion"),
    path("cases/<int:case_id>/visit/", api.VisitApi.as_view(), name="api-case-visit"),
    path("cases/<int:case_id>/words/<str:kind>/", api.WordsApi.as_view(),
         name="api-case-words"),
    path("customers/<int:customer_id>/", api.CustomerApi.as_view(), name="api-customer"),
    path("reports/root-causes/", api.RootCauseReportApi.as_view(),
         name="api-report-root-causes"),
    path("stock/", api.StockListApi.as_view(), name="api-stock"),
    path("stock/receive/", api.StockReceiveApi.as_view(), name="api-stock-receive"),
]
