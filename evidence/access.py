"""Who may use the evidence pages: commissioners build and read the evidence; administrators too.
Nothing here shows a named person, so no caseload applies."""

from __future__ import annotations

from typing import Any

from accounts.roles import Role

ROLES = (Role.COMMISSIONER, Role.ADMINISTRATOR)


class NotAllowed(Exception):
    pass


def can_use(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*ROLES))
