"""Content Security Policy header.

Django 6 ships ContentSecurityPolicyMiddleware driven by ``SECURE_CSP``; on Django 5.2 (the release
that still runs on Python 3.11) the same setting is applied by the small fallback below. Pages use no
inline script or style, so the policy needs no nonce.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

try:  # Django 6.0 and later
    from django.middleware.csp import ContentSecurityPolicyMiddleware
except ImportError:  # pragma: no cover - exercised only on Django 5.2

    class ContentSecurityPolicyMiddleware:  # type: ignore[no-redef]
        header = "Content-Security-Policy"

        def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
            self.get_response = get_response

        def __call__(self, request: HttpRequest) -> HttpResponse:
            response = self.get_response(request)
            policy = settings.SECURE_CSP
            if policy and self.header not in response:
                response[self.header] = "; ".join(
                    f"{directive} {' '.join(values)}" for directive, values in policy.items()
                )
            return response


__all__ = ["ContentSecurityPolicyMiddleware"]
