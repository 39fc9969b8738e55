"""Who acts for a provider: the organisations a person is a member of."""

from __future__ import annotations

from accounts.models import User
from directory.models import Organization, OrganizationMember


def organizations_of(user: User) -> list[Organization]:
    return [
        m.organization
        for m in OrganizationMember.objects.filter(user=user).select_related("organization")
    ]


def add_member(*, organization: Organization, user: User) -> None:
    OrganizationMember.objects.get_or_create(organization=organization, user=user)
