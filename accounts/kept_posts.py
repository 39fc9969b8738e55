"""Nothing typed is lost when a session ends (WCAG 2.2.1, issue 13).

A form sent after the session ended used to reach a view that sent the browser to the sign-in page,
and what the person had typed was gone. `KeepPostAcrossSignInMiddleware` notices that redirect,
keeps the posted fields server-side in the new (anonymous) session under a one-time token, and
adds the token to the sign-in address. Signing in as the same person who was signed in before
leads to a page that shows what was kept and sends it on to where it was going; anyone else
signing in on that browser never sees it.

Never kept: password-like fields, the CSRF token, files. Kept answers expire after
`KEPT_POST_SECONDS` (and with the session itself, which ends after SESSION_COOKIE_AGE idle).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

SESSION_KEY = "hub_kept_posts"
KEPT_POST_SECONDS = 60 * 60
MAX_KEPT = 3
MAX_KEPT_CHARS = 200_000
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Fields never kept: passwords and other secrets, and the old CSRF token.
SECRET_FIELD = re.compile(r"pass|pwd|secret|token|csrf|otp|\bpin\b", re.IGNORECASE)
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


@dataclass(frozen=True)
class KeptPost:
    token: str
    path: str
    fields: list[tuple[str, str]]
    at: float


def _previous_user_id(request: HttpRequest) -> str | None:
    """Who was signed in on this browser before the session ended: read from the ended session's
    own row, which the database-backed session engines keep until `clearsessions` removes it."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    get_model = getattr(store_class, "get_model_class", None)
    if get_model is None:
        return None  # cache or cookie sessions: no record of the ended session to trust
    row = get_model().objects.filter(session_key=key).first()
    if row is None:
        return None
    try:
        data = store_class().decode(row.session_data)
    except Exception:
        return None
    user_id = data.get("_auth_user_id")
    return str(user_id) if user_id is not None else None


def keepable_fields(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, values in request.POST.lists()
        if not SECRET_FIELD.search(name)
        for value in values
    ]


def keep_post(request: HttpRequest) -> str | None:
    """Keep this POST's fields for the person who was signed in; return the one-time token, or
    None when there is nobody to keep it for or nothing to keep."""
    owner = _previous_user_id(request)
    fields = keepable_fields(request)
    if owner is None or not fields:
        return None
    if sum(len(n) + len(v) for n, v in fields) > MAX_KEPT_CHARS:
        return None
    token = secrets.token_urlsafe(24)
    kept = _live(request)
    kept[token] = {"owner": owner, "path": request.path, "fields": fields, "at": time.time()}
    while len(kept) > MAX_KEPT:
        del kept[min(kept, key=lambda t: kept[t]["at"])]
    request.session[SESSION_KEY] = kept
    return token


def _live(request: HttpRequest) -> dict[str, Any]:
    kept = request.session.get(SESSION_KEY) or {}
    now = time.time()
    return {t: k for t, k in kept.items() if now - k.get("at", 0) < KEPT_POST_SECONDS}


def peek(request: HttpRequest, token: str | None) -> KeptPost | None:
    """The kept POST for this token if the signed-in person is the one it was kept for."""
    if not token or not TOKEN_PATTERN.match(token) or not request.user.is_authenticated:
        return None
    item = _live(request).get(token)
    if item is None or item["owner"] != str(request.user.pk):
        return None
    return KeptPost(
        token=token,
        path=item["path"],
        fields=[(str(n), str(v)) for n, v in item["fields"]],
        at=item["at"],
    )


def take(request: HttpRequest, token: str | None) -> KeptPost | None:
    """Like `peek`, and the token is used up: it cannot be used again."""
    found = peek(request, token)
    kept = _live(request)
    if token in kept:
        del kept[token]
        request.session[SESSION_KEY] = kept
    return found


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class KeepPostAcrossSignInMiddleware:
    """Goes after AuthenticationMiddleware in settings.MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code in {301, 302, 303, 307}
            and request.content_type in FORM_TYPES
            and not request.user.is_authenticated
        ):
            sign_in = resolve_url(settings.LOGIN_URL)
            location = response.get("Location", "")
            if urlsplit(location).path == sign_in and request.path != sign_in:
                token = keep_post(request)
                if token:
                    response["Location"] = with_query(location, resume=token)
        return response
