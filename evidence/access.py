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


SESSION_ROLES = (Role.COMMISSIONER, Role.ADMINISTRATOR, Role.COORDINATOR)


def can_record_sessions(user: Any) -> bool:
    """Coordinators run co-production sessions, so they record them too."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*SESSION_ROLES))
