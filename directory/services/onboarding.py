"""Onboarding checks: a coordinator records a dated check of a provider (insurance,
safeguarding policy...), shown on its page as a badge until it is due for renewal."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from accounts.models import User
from directory.models import OnboardingCheck, Organization
from directory.services._common import DirectoryError, require_moderator


@transaction.atomic
def record_onboarding_check(
    *,
    coordinator: User,
    organization: Organization,
    check_name: str,
    confirmed_on: date,
    expires_on: date | None,
    note: str = "",
) -> OnboardingCheck:
    require_moderator(coordinator)
    if check_name not in OnboardingCheck.Check.values:
        raise DirectoryError("Choose one of the onboarding checks listed.")
    if expires_on is not None and expires_on <= confirmed_on:
        raise DirectoryError("The renewal date must be after the date the check was confirmed.")
    check, _ = OnboardingCheck.objects.update_or_create(
        organization=organization,
        check_name=check_name,
        defaults={
            "confirmed_on": confirmed_on,
            "expires_on": expires_on,
            "confirmed_by": coordinator,
            "note": note,
        },
    )
    return check
