"""The predicates of ``evidence.access`` as a table of roles: commissioners and administrators
use the evidence pages; coordinators record co-production sessions too. Anything without a
signed-in user (an anonymous visitor, or no user at all) may do neither."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.roles import Role
from directory.tests import factories as f
from evidence import access

ROLE_TABLE = [
    # role, can_use, can_record_sessions
    (Role.COMMISSIONER, True, True),
    (Role.ADMINISTRATOR, True, True),
    (Role.COORDINATOR, False, True),
    (Role.BROKER, False, False),
    (Role.PROVIDER, False, False),
    (Role.PERSON, False, False),
    (Role.MODERATOR, False, False),
    (None, False, False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "use", "sessions"), ROLE_TABLE)
def test_roles(role: str | None, use: bool, sessions: bool) -> None:
    """Each role's answer, for a signed-in user holding just that role (or none)."""
    user = f.user(role)
    assert access.can_use(user) is use
    assert access.can_record_sessions(user) is sessions


@pytest.mark.django_db
def test_superuser() -> None:
    """A superuser holds the administrator role: both."""
    superuser = f.user(None, is_superuser=True)
    assert access.can_use(superuser) is True
    assert access.can_record_sessions(superuser) is True


@pytest.mark.parametrize("nobody", [None, object(), AnonymousUser()])
def test_no_signed_in_user(nobody: object) -> None:
    """No user, an object that is not a user, or an anonymous visitor: neither, and no error."""
    assert access.can_use(nobody) is False
    assert access.can_record_sessions(nobody) is False
