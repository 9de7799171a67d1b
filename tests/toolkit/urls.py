"""The site's URLs plus the toolkit pages, until `recovery/urls.py` includes them."""

from django.urls import include, path

from recovery.urls import urlpatterns as site

urlpatterns = [*site, path("", include("toolkit.page_urls"))]
