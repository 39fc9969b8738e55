"""The timeout warning's settings, for the base layout (GOV.UK timeout warning pattern)."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()

# WCAG 2.2.1 asks for at least 20 seconds to answer; GOV.UK warns 2 minutes before the end.
DEFAULT_WARNING_SECONDS = 120


@register.simple_tag
def session_timeout() -> dict[str, int]:
    """Seconds until an idle session ends, and how long before that the warning opens."""
    seconds = int(settings.SESSION_COOKIE_AGE)
    warning = int(getattr(settings, "SESSION_TIMEOUT_WARNING_SECONDS", DEFAULT_WARNING_SECONDS))
    warning = max(1, min(warning, seconds // 2 or 1))
    return {"seconds": seconds, "warning": warning, "minutes": max(1, seconds // 60)}
