"""The SOP's pages on a case (plan, checklist waivers, owner and watchers), included at the site
root by `recovery/urls.py`."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<id:case_id>/plan/", views.case_plan_submit, name="case-plan"),
    path("cases/<id:case_id>/owner/", views.case_owner_submit, name="case-owner"),
    path("cases/<id:case_id>/watchers/", views.case_watchers_submit, name="case-watchers"),
    path("cases/<id:case_id>/notes/", views.case_note_submit, name="case-notes"),
    path("cases/<id:case_id>/checklist/<id:item_id>/waive/", views.checklist_waive,
         name="case-checklist-waive"),
]
