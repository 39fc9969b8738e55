"""The demo content seeds through the services, is clearly fictional, and a second run changes
nothing; its reports show both published and hidden figures."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from connect import demo, selectors
from connect.models import OnwardReferral, Referral, ReferringOrganisation
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_demo_seeds_once_with_fictional_names() -> None:
    org = f.organization(name="Saturday Club (demo)")
    for name in ("Lunch club (demo)", "Walking group (demo)", "Craft circle (demo)"):
        f.service(organization_=org, name=name)
    users = {
        "link_worker": f.user(Role.LINK_WORKER),
        "provider": f.provider_user(org),
        "administrator": f.user(Role.ADMINISTRATOR),
        "person": f.user(Role.PERSON),
    }
    demo.seed_demo(users)
    count = Referral.objects.count()
    assert count == 19
    assert all("(demo)" in o.name for o in ReferringOrganisation.objects.all())
    assert all(
        "(demo)" in r.person.get_full_name()
        for r in Referral.objects.exclude(person=users["person"])
    )
    statuses = set(OnwardReferral.objects.values_list("status", flat=True))
    assert {"accepted", "attended", "declined", "auto_declined"} <= statuses
    assert selectors.declined_for_capacity(Referral.objects.order_by("received_on")[0].received_on)
    by_practice = selectors.report("practice")
    assert any(line.referrals.suppressed for line in by_practice)
    assert any(not line.referrals.suppressed and line.group for line in by_practice)
    total = by_practice[-1]
    assert total.group is None and total.paired.value == 9 and total.mean_change is not None
    demo.seed_demo(users)
    assert Referral.objects.count() == count
