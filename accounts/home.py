"""Each person's home page after signing in (issue 13): staff see what needs doing, residents
keep their own account page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from accounts import views


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return views.home(request)
