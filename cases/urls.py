"""The SOP's API on a case (plan, checklist waivers, owner and watchers), included under
`/api/v1/` by `recovery/urls.py`."""

from django.urls import path

from . import api

urlpatterns = [
    path("cases/<id:case_id>/plan/", api.CasePlanApi.as_view(), name="api-case-plan"),
    path("cases/<id:case_id>/owner/", api.CaseOwnerApi.as_view(), name="api-case-owner"),
    path("cases/<id:case_id>/watchers/", api.CaseWatchersApi.as_view(),
         name="api-case-watchers"),
    path("cases/<id:case_id>/notes/", api.CaseNotesApi.as_view(), name="api-case-notes"),
    path("cases/<id:case_id>/checklist/<id:item_id>/waive/", api.ChecklistWaiveApi.as_view(),
         name="api-case-checklist-waive"),
]
