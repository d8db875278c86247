"""Root URL configuration of the essay portal."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("essays.urls")),
    path("", include("search.urls")),
]

# Chinese 404 page for the site, JSON error bodies under /api/.
handler404 = "essays.views.page_not_found"
