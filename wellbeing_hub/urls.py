from django.contrib import admin
from django.shortcuts import render
from django.urls import include, path


def home(request):  # type: ignore[no-untyped-def]
    return render(request, "home.html")


urlpatterns = [
    path("", home, name="home"),
    path("account/", include("accounts.urls")),
    path("find-support/", include("directory.urls")),
    path("api/oruk/", include("directory.api_urls")),
    path("admin/", admin.site.urls),
]
