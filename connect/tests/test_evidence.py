"""The two reads the evidence pages use: onward referrals declined for lack of capacity (by the
provider with the reason "No space", or automatically after the deadline) per service, and how
many different people link workers supported in a period. Boundaries: the first day counted, the
day before it, and a referral that never reached a first conversation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accounts.roles import Role
from connect import selectors
from connect.models import OnwardReferral, Referral, ReferringOrganisation
from connect.services._common import ConnectError
from connect.services.consent import record_consent
from connect.services.onward import answer_onward, decline_overdue, refer_onward
from connect.services.referrals import make_referral, set_status
from directory.models import Service
from directory.tests import factories as f

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def world() -> dict[str, Any]:
    gp = f.user(Role.PERSON)
    practice = ReferringOrganisation.objects.create(name="Hill Street Surgery", kind="gp_practice")
    practice.staff.add(gp)
    worker = f.user(Role.LINK_WORKER)
    org = f.organization()
    lunch = f.service(organization_=org, name="Lunch club")
    walk = f.service(organization_=org, name="Walking group")
    provider = f.provider_user(org)
    return {
        "gp": gp,
        "practice": practice,
        "worker": worker,
        "lunch": lunch,
        "walk": walk,
        "provider": provider,
    }


def _referral(world: dict[str, Any], received: dt.date = DAY) -> Referral:
    person = f.user(Role.PERSON)
    referral = make_referral(
        actor=world["gp"],
        person=person,
        source=Referral.Source.GP_PRACTICE,
        organisation=world["practice"],
        reason="Lonely since moving",
        today=received,
    )
    record_consent(
        actor=world["worker"],
        referral=referral,
        share_back=True,
        onward=True,
        outcomes=True,
        on=received,
    )
    return referral


def _onward(world: dict[str, Any], service: Service, sent: dt.date = DAY) -> OnwardReferral:
    return refer_onward(
        actor=world["worker"], referral=_referral(world, sent), service_id=service.pk, today=sent
    )


def test_declined_for_capacity_counts_no_space_and_automatic_declines_per_service(
    world: dict[str, Any],
) -> None:
    answer = dt.date(2026, 3, 10)
    for _ in range(2):
        answer_onward(
            actor=world["provider"],
            onward=_onward(world, world["lunch"]),
            accept=False,
            decline_reason="capacity",
            today=answer,
        )
    # Not capacity: another reason, and an acceptance, are not counted.
    answer_onward(
        actor=world["provider"],
        onward=_onward(world, world["lunch"]),
        accept=False,
        decline_reason="not_suitable",
        today=answer,
    )
    answer_onward(
        actor=world["provider"], onward=_onward(world, world["walk"]), accept=True, today=answer
    )
    # Unanswered: declined automatically on day 15.
    _onward(world, world["walk"])
    assert decline_overdue(dt.date(2026, 3, 17)) == 1

    rows = selectors.declined_for_capacity(dt.date(2026, 3, 10))
    assert rows == [
        {"service_id": world["lunch"].pk, "service_name": "Lunch club", "count": 2},
        {"service_id": world["walk"].pk, "service_name": "Walking group", "count": 1},
    ]
    # The day after the provider's answers: only the automatic decline (answered 17 March) is left.
    assert selectors.declined_for_capacity(dt.date(2026, 3, 11)) == [
        {"service_id": world["walk"].pk, "service_name": "Walking group", "count": 1}
    ]
    assert selectors.declined_for_capacity(dt.date(2026, 3, 18)) == []


def test_a_provider_decline_needs_a_reason_from_the_list(world: dict[str, Any]) -> None:
    onward = _onward(world, world["lunch"])
    with pytest.raises(ConnectError) as err:
        answer_onward(actor=world["provider"], onward=onward, accept=False)
    assert err.value.field == "decline_reason"
    with pytest.raises(ConnectError) as err:
        answer_onward(actor=world["provider"], onward=onward, accept=False, decline_reason="other")
    assert err.value.field == "reason"
    answer_onward(actor=world["provider"], onward=onward, accept=False, decline_reason="capacity")
    onward.refresh_from_db()
    assert onward.decline_reason == "capacity" and onward.status == "declined"


def test_people_supported_counts_people_in_support_during_the_period(world: dict[str, Any]) -> None:
    start, end = dt.date(2026, 4, 1), dt.date(2026, 4, 30)
    # Supported: first conversation on the last day of the period.
    a = _referral(world)
    set_status(actor=world["worker"], referral=a, status="first_conversation", on=end)
    # Not yet: first conversation the day after the period.
    b = _referral(world)
    set_status(
        actor=world["worker"], referral=b, status="first_conversation", on=end + dt.timedelta(1)
    )
    # Closed on the first day of the period: still supported that day.
    c = _referral(world)
    set_status(actor=world["worker"], referral=c, status="first_conversation", on=DAY)
    set_status(actor=world["worker"], referral=c, status="closed", on=start)
    # Closed the day before the period: not counted.
    d = _referral(world)
    set_status(actor=world["worker"], referral=d, status="first_conversation", on=DAY)
    set_status(actor=world["worker"], referral=d, status="closed", on=start - dt.timedelta(1))
    # Never reached a first conversation: contacted only, then declined.
    e = _referral(world)
    set_status(actor=world["worker"], referral=e, status="contacted", on=start)
    # The same person referred twice counts once.
    again = make_referral(
        actor=world["gp"],
        person=a.person,
        source="gp_practice",
        organisation=world["practice"],
        reason="Again",
        today=DAY,
    )
    set_status(actor=world["worker"], referral=again, status="first_conversation", on=start)

    assert selectors.people_supported(start, end) == 2
    assert selectors.people_supported(end + dt.timedelta(1), end + dt.timedelta(1)) == 2  # a, b
    with pytest.raises(ValueError):
        selectors.people_supported(end, start)


def test_on_open_caseload_only_while_the_referral_is_open(world: dict[str, Any]) -> None:
    referral = _referral(world)
    assert not selectors.on_open_caseload(world["worker"], referral.person_id)  # not picked up
    set_status(actor=world["worker"], referral=referral, status="contacted", on=DAY)
    assert selectors.on_open_caseload(world["worker"], referral.person_id)
    assert not selectors.on_open_caseload(f.user(Role.LINK_WORKER), referral.person_id)
    set_status(actor=world["worker"], referral=referral, status="closed", on=DAY)
    assert not selectors.on_open_caseload(world["worker"], referral.person_id)
