"""Compensation pages, included at the site root by `recovery/urls.py`."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<id:case_id>/offers/", views.offer_add, name="case-offer-add"),
    path("cases/<id:case_id>/compensate/", views.instant_compensation, name="case-compensate"),
    path("cases/<id:case_id>/onsite/", views.onsite_submit, name="case-onsite"),
    path("offers/<id:offer_id>/issue/", views.offer_issue, name="offer-issue"),
    path("approvals/", views.approvals_queue, name="approvals"),
    path("approvals/<id:approval_id>/approve/", views.approval_approve_submit,
         name="approval-approve"),
    path("approvals/<id:approval_id>/reject/", views.approval_reject_submit,
         name="approval-reject"),
    path("approvals/<id:approval_id>/change/", views.approval_change_submit,
         name="approval-change"),
]
