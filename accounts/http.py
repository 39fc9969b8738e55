"""The signed-in person behind a request, typed.

``request.user`` is a ``User`` or an ``AnonymousUser``; views behind ``login_required`` know it is
a ``User`` but the type checker does not. One function says so, and checks it, instead of each
app casting (or ignoring the type) on its own.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, who must be signed in (the view is behind ``login_required``).

    Raises PermissionDenied (a 403, never a 500) if a view forgot ``login_required``."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("Sign in to use this page.")
    return user
