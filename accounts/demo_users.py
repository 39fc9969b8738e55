"""Demo sign-ins: one made-up person for each role, for `make demo` (``wellbeing-hub demo``).

``create_demo_users()`` makes (or, run again, resets) one account per :class:`accounts.roles.Role`
with an obviously fictional name and an ``example.org`` address, and returns their sign-ins so the
command can print them. The provider is a member of the demo area's deliberately made Saturday
activity provider (``directory.demo_area.SATURDAY_ORGANISATION_NAME``), so the provider pages have
something to manage; run ``directory.demo_area.generate_area`` first.

Passwords: a new random one per person per run (``secrets.token_urlsafe``), unless the password
source (the environment by default) has ``WELLBEING_DEMO_PASSWORD``, which then serves for all of
them (handy for a shared demo or a browser test). Accounts are made with
``User.objects.create_user``, so the password is hashed by the first of ``PASSWORD_HASHERS``:
Argon2 in every mode but the test suite. Never run this against a production database: the
demo administrator is a superuser.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role

PASSWORD_VARIABLE = "WELLBEING_DEMO_PASSWORD"  # noqa: S105 (a variable name, not a password)
EMAIL_DOMAIN = "example.org"

# role -> (username, display name). The names say "demo" so nobody takes them for real people.
DEMO_PEOPLE: dict[Role, tuple[str, str]] = {
    Role.PERSON: ("demo-person", "Pat Sample (demo person)"),
    Role.CARER: ("demo-carer", "Chris Sample (demo carer)"),
    Role.PROVIDER: ("demo-provider", "Hazel Ashdown (demo provider)"),
    Role.BROKER: ("demo-broker", "Bea Broker (demo support planner)"),
    Role.COORDINATOR: ("demo-coordinator", "Cody Ordinator (demo coordinator)"),
    Role.COMMISSIONER: ("demo-commissioner", "Kim Missioner (demo commissioner)"),
    Role.ADMINISTRATOR: ("demo-admin", "Ada Min (demo administrator)"),
    Role.MODERATOR: ("demo-moderator", "Mo Derator (demo voice moderator)"),
    Role.LINK_WORKER: ("demo-link-worker", "Lin Kworker (demo link worker)"),
    Role.SHARED_LIVES_WORKER: ("demo-shared-lives", "Sam Lives (demo Shared Lives worker)"),
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str

    def __iter__(self) -> Iterator[str]:
        """A login unpacks as (role, username, password)."""
        return iter((self.role, self.username, self.password))


def demo_password(password_source: Mapping[str, str] | None = None) -> str | None:
    """The fixed demo password from the source (the environment by default), or None."""
    source = os.environ if password_source is None else password_source
    value = (source.get(PASSWORD_VARIABLE) or "").strip()
    return value or None


@transaction.atomic
def create_demo_users(password_source: Mapping[str, str] | None = None) -> list[DemoLogin]:
    """Make or reset one demo account per role; return their sign-ins in Role order."""
    from directory.demo_area import saturday_organisation
    from directory.services import add_member

    fixed = demo_password(password_source)
    organisation = saturday_organisation()
    logins = []
    for role in Role:
        username, display_name = DEMO_PEOPLE[role]
        password = fixed or secrets.token_urlsafe(12)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                email=f"{username}@{EMAIL_DOMAIN}",
                password=password,
                display_name=display_name,
            )
        else:
            user.set_password(password)
            user.display_name = display_name
            user.is_active = True
        if role == Role.ADMINISTRATOR:
            user.is_staff = user.is_superuser = True
        user.save()
        grant_role(user, role)
        if role == Role.PROVIDER:
            add_member(organization=organisation, user=user)
        logins.append(DemoLogin(str(role), username, password))
    return logins
