"""URLs of the reading pages and the JSON API for essays and topics."""

from django.urls import path

app_name = "essays"

urlpatterns: list = []
