"""Onboarding checks are one of the listed kinds: the column holds a code of at most 20
characters, which SQLite would let a label through and PostgreSQL refuses with a 500."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.roles import Role
from directory.models import OnboardingCheck
from directory.services import DirectoryError, onboarding
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_check_that_is_not_listed_is_refused_and_nothing_is_written() -> None:
    coordinator = f.user(Role.COORDINATOR)
    org = f.organization()
    with pytest.raises(DirectoryError, match="Choose one of the onboarding checks listed"):
        onboarding.record_onboarding_check(
            coordinator=coordinator,
            organization=org,
            check_name="Public liability insurance",  # the label, not the code
            confirmed_on=date(2026, 1, 5),
            expires_on=None,
        )
    assert not OnboardingCheck.objects.exists()


@pytest.mark.parametrize("kind", OnboardingCheck.Check.values)
def test_every_listed_check_is_recorded(kind: str) -> None:
    check = onboarding.record_onboarding_check(
        coordinator=f.user(Role.COORDINATOR),
        organization=f.organization(),
        check_name=kind,
        confirmed_on=date(2026, 1, 5),
        expires_on=date(2027, 1, 5),
    )
    assert check.check_name == kind
