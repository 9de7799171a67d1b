"""Compensation endpoints under /api/v1/ (quote, offers, approvals)."""

from django.urls import path

from . import api

urlpatterns = [
    path("compensation/quote/", api.QuoteApi.as_view(), name="api-compensation-quote"),
    path("cases/<id:case_id>/quote/", api.CaseQuoteApi.as_view(), name="api-case-quote"),
    path("cases/<id:case_id>/offers/", api.CaseOffersApi.as_view(), name="api-case-offers"),
    path("cases/<id:case_id>/onsite/", api.CaseOnsiteApi.as_view(), name="api-case-onsite"),
    path("offers/<id:offer_id>/issue/", api.OfferIssueApi.as_view(), name="api-offer-issue"),
    path("approvals/", api.ApprovalListApi.as_view(), name="api-approvals"),
    path("approvals/<id:approval_id>/", api.ApprovalCardApi.as_view(), name="api-approval"),
    path("approvals/<id:approval_id>/approve/", api.ApprovalApproveApi.as_view(),
         name="api-approval-approve"),
    path("approvals/<id:approval_id>/reject/", api.ApprovalRejectApi.as_view(),
         name="api-approval-reject"),
    path("approvals/<id:approval_id>/change/", api.ApprovalChangeApi.as_view(),
         name="api-approval-change"),
]
