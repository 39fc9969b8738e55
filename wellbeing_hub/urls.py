from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from wellbeing_hub import pages
from wellbeing_hub.health import health


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


urlpatterns = [
    path("", home, name="home"),
    path("health", health, name="health"),
    path("accessibility-statement/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("cookies/", pages.cookies, name="cookies"),
    path("contact/", pages.contact, name="contact"),
    path("service-feedback/", pages.feedback, name="feedback"),
    path("account/", include("accounts.urls")),
    path("account/session/", include("accounts.session_urls")),
    path("find-support/", include("directory.urls")),
    path("api/oruk/", include("directory.api_urls")),
    path("support-plan/", include("budgets.urls")),
    path("time-bank/", include("timebank.urls")),
    path("have-your-say/", include("participation.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("evidence/", include("evidence.urls")),
    path("feedback/", include("voice.urls")),
    path("connect/", include("connect.urls")),
    path("shared-lives/", include("sharedlives.urls")),
    path("befriending/", include("befriending.urls")),
    path("admin/", admin.site.urls),
    # GOV.UK Frontend's compiled CSS asks for its fonts and images under /assets/.
    path(
        "assets/<path:asset>",
        RedirectView.as_view(url=static("govuk/assets/") + "%(asset)s", permanent=True),
    ),
]
