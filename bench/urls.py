"""The portal's URLs plus the benchmark's reference points (only under bench.settings)."""

from django.urls import path

from bench import views
from portal import urls as portal_urls

urlpatterns = [
    path("bench/floor/", views.floor, name="bench-floor"),
    path("bench/icontains/", views.icontains_search, name="bench-icontains"),
    *portal_urls.urlpatterns,
]

handler404 = portal_urls.handler404
handler500 = getattr(portal_urls, "handler500", "django.views.defaults.server_error")
