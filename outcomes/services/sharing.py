"""Who the person lets help with their record: permission given to another account, and withdrawn."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from outcomes import access
from outcomes.models import (
    Helper,
    Profile,
)
from outcomes.services._common import (
    OutcomesRefused,
    _audit,
)


def _find_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    if not identifier:
        return None
    found = User.objects.filter(username__iexact=identifier, is_active=True).first()
    if found is None and "@" in identifier:
        matches = list(User.objects.filter(email__iexact=identifier, is_active=True)[:2])
        found = matches[0] if len(matches) == 1 else None
    return found


@transaction.atomic
def grant_helper(
    *, person: User, actor: User, identifier: str, request: HttpRequest | None = None
) -> Helper:
    access.require(
        access.can_manage_helpers(actor, person.pk), "Only the person can give permission."
    )
    helper = _find_user(identifier)
    if helper is None:
        raise OutcomesRefused("No account has that username or email address", field="identifier")
    if helper.pk == person.pk:
        raise OutcomesRefused("Enter someone else's username or email address", field="identifier")
    existing = Helper.objects.filter(person=person, helper=helper, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    grant = Helper.objects.create(person=person, helper=helper)
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        grant,
        person,
        f"Let {helper.get_full_name()} answer and review for them",
        request,
    )
    return grant


@transaction.atomic
def revoke_helper(*, grant: Helper, actor: User, request: HttpRequest | None = None) -> None:
    access.require(
        access.can_manage_helpers(actor, grant.person_id), "Only the person can do this."
    )
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        # Without permission they can no longer write on the record: they stop holding the pen
        # on their account (the plan still names them until someone changes it).
        Profile.objects.filter(
            person_id=grant.person_id, pen_holder_account_id=grant.helper_id
        ).update(pen_holder_account=None)
        _audit(
            actor,
            AuditEvent.Action.UPDATE,
            grant,
            grant.person,
            "Withdrew a helper's permission",
            request,
        )
