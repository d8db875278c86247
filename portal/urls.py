"""Root URL configuration of the essay portal."""

from django.contrib import admin
from django.urls import include, path

from portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("essays.urls")),
    path("", include("search.urls")),
]

# Chinese 404 page for the site, JSON error bodies under /api/.
handler404 = "essays.views.page_not_found"
# A database or search outage met outside a view is a 503; otherwise the Chinese 500.
handler500 = "portal.errors.server_error"
