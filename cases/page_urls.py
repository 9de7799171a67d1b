"""The SOP's pages on a case (plan, checklist waivers, owner and watchers), included at the site
root by `recovery/urls.py`."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/plan/", views.case_plan_submit, name="case-plan"),
    path("cases/<int:case_id>/checklist/<int:item_id>/waive/", views.checklist_waive,
         name="case-checklist-waive"),
]
