"""Who is referred: an existing account found by email, or a new one invited to set a password."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import grant_role, record_audit
from connect.models import Invitation
from connect.permissions import may_refer_others
from connect.services._common import ConnectError

INVITATION_DAYS = 28


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unique_username(email: str) -> str:
    stem = "".join(ch for ch in email.split("@")[0].lower() if ch.isalnum())[:20] or "person"
    while True:
        candidate = f"{stem}-{secrets.token_hex(3)}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


def find_or_invite_person(
    *, actor: User, name: str, email: str, request: HttpRequest | None = None
) -> tuple[User, str | None]:
    """The person being referred, found by email address. One active account with that address:
    that account (the name given is not used to change it). None: an account is made with no
    password, and a one-time token (returned, only its hash kept) lets them set one. Two or more
    accounts share the address: refused, as we cannot tell which person is meant."""
    if not may_refer_others(actor):
        raise ConnectError(
            "email", "Only link workers and GP practice or hospital staff can refer someone else"
        )
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ConnectError(
            "email", "Enter the person's email address, like name@example.com"
        ) from None
    matches = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    if len(matches) == 1:
        return matches[0], None
    if len(matches) > 1:
        raise ConnectError(
            "email",
            "More than one account uses this email address: ask the link worker team to make "
            "this referral",
        )
    if not name.strip():
        raise ConnectError("name", "Enter the person's name")
    person = User.objects.create_user(
        username=_unique_username(email), email=email, display_name=name.strip()[:150]
    )
    person.set_unusable_password()
    person.save()
    grant_role(person, Role.PERSON)
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        person=person,
        token_hash=_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=person,
        subject=person,
        summary="Account made for a person referred for social prescribing (invited to set a "
        "password)",
        request=request,
    )
    return person, token


def invitation_for(token: str) -> Invitation | None:
    found = Invitation.objects.select_related("person").filter(token_hash=_hash(token)).first()
    if found is None or found.used_at is not None or found.expires_at <= timezone.now():
        return None
    return found


@transaction.atomic
def accept_invitation(*, token: str, password: str, request: HttpRequest | None = None) -> User:
    invitation = invitation_for(token)
    if invitation is None:
        raise ConnectError("token", "This link has expired or been used. Ask your link worker")
    person = invitation.person
    try:
        validate_password(password, person)
    except ValidationError as error:
        raise ConnectError("password", " ".join(error.messages)) from None
    person.set_password(password)
    person.save()
    invitation.used_at = timezone.now()
    invitation.save()
    record_audit(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        target=person,
        subject=person,
        summary="Set a password from a social prescribing invitation",
        request=request,
    )
    return person
