"""Compensation pages, included at the site root by `recovery/urls.py`."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/offers/", views.offer_add, name="case-offer-add"),
    path("cases/<int:case_id>/compensate/", views.instant_compensation, name="case-compensate"),
    path("cases/<int:case_id>/onsite/", views.onsite_submit, name="case-onsite"),
    path("offers/<int:offer_id>/issue/", views.offer_issue, name="offer-issue"),
    path("approvals/", views.approvals_queue, name="approvals"),
    path("approvals/<int:approval_id>/approve/", views.approval_approve_submit,
         name="approval-approve"),
    path("approvals/<int:approval_id>/reject/", views.approval_reject_submit,
         name="approval-reject"),
    path("approvals/<int:approval_id>/change/", views.approval_change_submit,
         name="approval-change"),
]
