"""Metrics pages at the site root."""

urlpatterns: list = []
