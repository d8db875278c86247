"""URLs of the reading pages, the site-wide discovery files and the JSON API for essays
and topics."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from essays import views
from essays.api import views as api_views
from essays.feeds import EssayFeed
from essays.sitemaps import SITEMAPS

app_name = "essays"

urlpatterns = [
    path("", views.home, name="home"),
    path("essays/", views.essay_list, name="essay-list"),
    path("essays/<int:pk>/", views.essay_detail, name="essay-detail"),
    path(
        "essays/<int:pk>/cite.<str:fmt>",
        views.essay_citation_export,
        name="essay-citation-export",
    ),
    path(
        "essays/<int:pk>/references.<str:fmt>",
        views.essay_references_export,
        name="essay-references-export",
    ),
    path("collections/<int:pk>/", views.collection_detail, name="collection-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("feeds/essays.atom", EssayFeed(), name="feed"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/essays/", api_views.essay_list, name="api-essay-list"),
    path("api/essays/<int:pk>/", api_views.essay_detail, name="api-essay-detail"),
    path("api/topics/", api_views.topic_list, name="api-topic-list"),
]
