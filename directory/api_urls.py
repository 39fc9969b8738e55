from django.urls import path

from directory import api

app_name = "oruk-api"
urlpatterns = [
    path("", api.root, name="root"),
]
