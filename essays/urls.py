"""URLs of the reading pages and the JSON API for essays and topics."""

from django.urls import path

from essays import views
from essays.api import views as api_views

app_name = "essays"

urlpatterns = [
    path("", views.home, name="home"),
    path("essays/<int:pk>/", views.essay_detail, name="essay-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("api/essays/", api_views.essay_list, name="api-essay-list"),
    path("api/essays/<int:pk>/", api_views.essay_detail, name="api-essay-detail"),
    path("api/topics/", api_views.topic_list, name="api-topic-list"),
]
