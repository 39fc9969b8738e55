"""Reads about accounts for other parts of the platform."""

from __future__ import annotations

from accounts.models import User


def emails_for_role(role: str) -> list[str]:
    """The email addresses of active people who hold ``role`` (for messages to staff)."""
    return sorted(
        set(
            User.objects.filter(groups__name=role, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
