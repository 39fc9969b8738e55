"""The home page section for link workers (new referrals, their caseload, declined onward
referrals with the automatic ones flagged) and for services (referrals to answer)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.roles import Role
from connect import worklists
from connect.models import Referral, ReferringOrganisation
from connect.services.consent import record_consent
from connect.services.onward import decline_overdue, refer_onward
from connect.services.referrals import make_referral, set_status
from directory.tests import factories as f

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def test_link_worker_and_service_sections() -> None:
    gp = f.user(Role.PERSON)
    practice = ReferringOrganisation.objects.create(name="Hill Street Surgery", kind="gp_practice")
    practice.staff.add(gp)
    worker = f.user(Role.LINK_WORKER)
    org = f.organization()
    service = f.service(organization_=org, name="Lunch club")
    provider = f.provider_user(org)
    assert worklists.sections_for(f.user(Role.BROKER)) == []
    referrals = [
        make_referral(
            actor=gp,
            person=f.user(Role.PERSON),
            source=Referral.Source.GP_PRACTICE,
            organisation=practice,
            reason="Lonely",
            today=DAY + dt.timedelta(days=i),
        )
        for i in range(3)
    ]
    mine = referrals[0]
    record_consent(actor=worker, referral=mine, share_back=True, onward=True, outcomes=True, on=DAY)
    set_status(actor=worker, referral=mine, status="first_conversation", on=DAY)
    refer_onward(actor=worker, referral=mine, service_id=service.pk, today=DAY)

    (section,) = worklists.sections_for(worker)
    new, caseload, declined = section.tasks
    assert (new.count, new.when) == (2, DAY + dt.timedelta(days=1))
    assert caseload.count == 1 and declined.count == 0
    (inbox,) = worklists.sections_for(provider)
    assert inbox.tasks[0].count == 1 and inbox.tasks[0].when == DAY + dt.timedelta(days=14)

    decline_overdue(DAY + dt.timedelta(days=15))
    declined = worklists.declined_task(worker, today=DAY + dt.timedelta(days=15))
    assert (declined.count, declined.overdue) == (1, 1)
    assert worklists.declined_task(worker, today=DAY + dt.timedelta(days=30)).count == 0
    assert worklists.sections_for(provider) == []
