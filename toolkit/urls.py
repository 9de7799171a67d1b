"""Recovery toolkit endpoints under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("phrases/check/", api.PhraseCheckApi.as_view(), name="api-phrases-check"),
    path("cases/<id:case_id>/contacts/", api.ContactListApi.as_view(), name="api-case-contacts"),
    path("cases/<id:case_id>/rescore/", api.RescoreApi.as_view(), name="api-case-rescore"),
    path("cases/<id:case_id>/root-cause/", api.RootCauseApi.as_view(),
         name="api-case-root-cause"),
    path("cases/<id:case_id>/team/", api.TeamApi.as_view(), name="api-case-team"),
    path("cases/<id:case_id>/team/<id:member_id>/", api.TeamMemberApi.as_view(),
         name="api-case-team-member"),
    path("cases/<id:case_id>/emotion/", api.EmotionApi.as_view(), name="api-case-emotion"),
    path("cases/<id:case_id>/visit/", api.VisitApi.as_view(), name="api-case-visit"),
    path("cases/<id:case_id>/words/<str:kind>/", api.WordsApi.as_view(),
         name="api-case-words"),
    path("customers/<id:customer_id>/", api.CustomerApi.as_view(), name="api-customer"),
    path("reports/root-causes/", api.RootCauseReportApi.as_view(),
         name="api-report-root-causes"),
    path("stock/", api.StockListApi.as_view(), name="api-stock"),
    path("stock/receive/", api.StockReceiveApi.as_view(), name="api-stock-receive"),
]
