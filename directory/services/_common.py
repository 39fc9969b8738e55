"""What the directory's services share: the error they raise and the role check."""

from __future__ import annotations

from accounts.models import User
from directory import permissions


class DirectoryError(Exception):
    """A request the directory refuses, with a message for the person who made it."""


def require_moderator(user: User) -> None:
    """Refuse (DirectoryError) anyone who is not a coordinator or administrator."""
    if not permissions.is_moderator(user):
        raise DirectoryError("Only a coordinator can moderate.")
