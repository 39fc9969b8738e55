from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.navigation import navigation_for


def site(request: HttpRequest) -> dict[str, Any]:
    """The area's name and the navigation for the signed-in person's roles, on every page."""
    return {
        "area_name": settings.AREA_NAME,
        "navigation": navigation_for(request),
    }
