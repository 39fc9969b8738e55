"""Read-only look-ups the connect app needs for onward referrals. Owned by connect; reads the
directory's tables and writes nothing."""

from __future__ import annotations

from accounts.models import User
from directory.models import OrganizationMember, Service
from directory.selectors import public_services


def referrable_service(service_id: str) -> Service | None:
    """A public service by id, or None if it is not (or no longer) public."""
    return public_services().filter(pk=service_id).select_related("organization").first()


def service_name(service_id: str) -> str:
    service = Service.objects.filter(pk=service_id).only("name").first()
    return service.name if service else "a service no longer listed"


def acts_for_service(user: User, service_id: str) -> bool:
    """The user is a member of the organisation that runs this service."""
    return (
        user.is_authenticated
        and OrganizationMember.objects.filter(
            user=user, organization__services__pk=service_id
        ).exists()
    )


def service_contact_emails(service_id: str) -> list[str]:
    members = OrganizationMember.objects.filter(organization__services__pk=service_id)
    return sorted({m.user.email for m in members.select_related("user") if m.user.email})
