from django.urls import path  # noqa: F401  (views are added as the app is built)

app_name = "befriending"
urlpatterns: list = []
