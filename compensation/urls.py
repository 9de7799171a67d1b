"""Compensation endpoints under /api/v1/ (quote, offers, approvals)."""

urlpatterns: list = []
