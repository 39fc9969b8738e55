"""Navigation by role: each person sees the parts of the platform their roles use."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, url name, roles that see it; empty = everyone)
NAVIGATION: list[tuple[str, str, frozenset[str]]] = [
    ("Find support", "directory:search", frozenset()),
    ("Your support", "budgets:home", frozenset({"*"})),
    ("Time bank", "timebank:home", frozenset()),
    ("Have your say", "participation:home", frozenset()),
    ("Your outcomes", "outcomes:home", frozenset({"*"})),
    ("Your account", "accounts:home", frozenset({"*"})),
    ("Your listings", "directory:provider-home", frozenset({Role.PROVIDER})),
    ("Enquiries", "directory:inbox", frozenset({"*"})),
    ("Moderation", "directory:moderation", frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})),
    ("Evidence", "evidence:home", frozenset({Role.COMMISSIONER, Role.ADMINISTRATOR})),
]


def navigation_for(request: HttpRequest) -> list[NavItem]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    items = []
    for label, name, roles in NAVIGATION:
        if roles and not signed_in:
            continue
        if roles and "*" not in roles and not user.has_role(*roles):  # type: ignore[union-attr]
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append(NavItem(label, url, current))
    return items
