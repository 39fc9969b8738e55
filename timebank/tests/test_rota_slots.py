"""Issue 19, rotas: members see rota dates, take a date nobody covers, give one back or swap it;
the person helped sees who is coming; a date that was done is credited exactly once through the
ledger, a missed one is recorded with no credit; coordinators keep their powers."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import TypedDict

import pytest
from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from timebank import selectors
from timebank.models import Exchange, LedgerTransaction, Member, Rota, RotaSlot, RotaVisit
from timebank.services._common import TimebankRefused
from timebank.services.rotas import (
    assign_to_rota,
    create_rota,
    give_back_rota_slot,
    plan_for,
    record_rota_visit,
    take_rota_slot,
)
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


def _weekday_after(days: int, weekday: int = 1) -> date:
    d = timezone.localdate() + timedelta(days=days)
    return d + timedelta(days=(weekday - d.weekday()) % 7)


class RotaWorld(TypedDict):
    """A weekly rota helping Bea, with Alf and Cas as members who may cover it."""

    coordinator: User
    bea: Member
    alf: Member
    cas: Member
    rota: Rota


@pytest.fixture
def setup() -> RotaWorld:
    coordinator = tb.coordinator()
    bea = tb.member(by=coordinator, name="Bea")
    alf = tb.member(by=coordinator, name="Alf")
    cas = tb.member(by=coordinator, name="Cas")
    first = _weekday_after(3)
    rota = create_rota(
        coordinator=coordinator,
        title="Lift to the hospital",
        weekday=first.weekday(),
        start_time=time(9, 30),
        duration_minutes=120,
        first_date=first,
        end_date=first + timedelta(weeks=3),
        receiver=bea,
    )
    return {"coordinator": coordinator, "bea": bea, "alf": alf, "cas": cas, "rota": rota}


def _time_passes(rota: Rota, weeks: int) -> None:
    """Move the rota and its members' dates back, as if ``weeks`` weeks had gone by."""
    shift = timedelta(weeks=weeks)
    Rota.objects.filter(pk=rota.pk).update(
        first_date=F("first_date") - shift, end_date=F("end_date") - shift
    )
    RotaSlot.objects.filter(rota=rota).update(day=F("day") - shift)
    rota.refresh_from_db()


def test_members_see_rotas_and_take_a_gap(client: Client, setup: RotaWorld) -> None:
    rota, alf = setup["rota"], setup["alf"]
    client.force_login(alf.user)
    listing = client.get(reverse("timebank:rotas"))
    assert listing.status_code == 200 and "Lift to the hospital" in listing.content.decode()
    assert "Set up a rota" not in listing.content.decode()
    page = client.get(reverse("timebank:rota", args=[rota.pk]))
    assert page.status_code == 200 and "Take" in page.content.decode()
    first = rota.first_date
    response = client.post(
        reverse("timebank:rota-action", args=[rota.pk, "take"]), {"day": first.isoformat()}
    )
    assert response.status_code == 302
    slot = plan_for(rota).slots[0]
    assert slot.members == (alf.pk,)
    # A second member cannot take a date already covered.
    with pytest.raises(TimebankRefused, match="already covered"):
        take_rota_slot(by=setup["cas"].user, rota=rota, day=first)


def test_the_person_helped_sees_who_is_coming(client: Client, setup: RotaWorld) -> None:
    rota = setup["rota"]
    take_rota_slot(by=setup["alf"].user, rota=rota, day=rota.first_date)
    client.force_login(setup["bea"].user)
    home = client.get(reverse("timebank:home")).content.decode()
    assert 'id="coming"' in home and "Alf" in home
    page = client.get(reverse("timebank:rota", args=[rota.pk])).content.decode()
    assert "Alf" in page and "Rota for Bea" in page
    # A member not on the rota sees its dates but not whom it helps.
    client.force_login(setup["cas"].user)
    page = client.get(reverse("timebank:rota", args=[rota.pk])).content.decode()
    assert "Rota for Bea" not in page


def test_give_back_makes_a_gap_and_tells_coordinators(
    setup: RotaWorld, mailoutbox: list[mail.EmailMessage]
) -> None:
    rota, alf, coordinator = setup["rota"], setup["alf"], setup["coordinator"]
    coordinator.email = "cora@example.org"
    coordinator.save()
    assign_to_rota(coordinator=coordinator, rota=rota, member=alf, starting=rota.first_date)
    give_back_rota_slot(by=alf.user, rota=rota, day=rota.first_date)
    plan = plan_for(rota)
    assert plan.slots[0].is_gap and plan.slots[1].members == (alf.pk,)
    # Giving back a date one does not cover is refused.
    with pytest.raises(TimebankRefused, match="do not cover"):
        give_back_rota_slot(by=alf.user, rota=rota, day=rota.first_date)


def test_swap_is_theirs_only_once_they_accept(client: Client, setup: RotaWorld) -> None:
    rota, alf, cas = setup["rota"], setup["alf"], setup["cas"]
    day = rota.first_date
    take_rota_slot(by=alf.user, rota=rota, day=day)
    client.force_login(alf.user)
    response = client.post(
        reverse("timebank:rota-swap", args=[rota.pk]),
        {"day": day.isoformat(), "member": str(cas.pk)},
    )
    assert response.status_code == 302
    assert plan_for(rota).slots[0].members == (alf.pk,)  # still Alf's
    client.force_login(cas.user)
    assert (
        "asks you to take this date"
        in client.get(reverse("timebank:rota", args=[rota.pk])).content.decode()
    )
    client.post(reverse("timebank:rota-action", args=[rota.pk, "accept"]), {"day": day.isoformat()})
    assert plan_for(rota).slots[0].members == (cas.pk,)


def test_swap_form_names_the_field_when_wrong(client: Client, setup: RotaWorld) -> None:
    rota, alf = setup["rota"], setup["alf"]
    take_rota_slot(by=alf.user, rota=rota, day=rota.first_date)
    client.force_login(alf.user)
    response = client.post(
        reverse("timebank:rota-swap", args=[rota.pk]), {"day": rota.first_date.isoformat()}
    )
    assert response.status_code == 400
    assert "Choose the member you are asking" in response.content.decode()


@pytest.mark.parametrize("day", ["", "31/2/2026", "nonsense", "3000-01-01"])
def test_a_bad_date_is_a_400_naming_it(client: Client, setup: RotaWorld, day: str) -> None:
    client.force_login(setup["alf"].user)
    response = client.post(
        reverse("timebank:rota-action", args=[setup["rota"].pk, "take"]), {"day": day}
    )
    assert response.status_code == 400
    assert "date" in response.content.decode().lower()
    assert not RotaSlot.objects.exists()


def test_a_date_the_rota_does_not_have_is_refused(setup: RotaWorld) -> None:
    rota = setup["rota"]
    with pytest.raises(TimebankRefused, match="has no date on") as refused:
        take_rota_slot(by=setup["alf"].user, rota=rota, day=rota.first_date + timedelta(1))
    assert refused.value.field == "day"


def test_coordinator_powers_stay_with_coordinators(client: Client, setup: RotaWorld) -> None:
    rota, alf = setup["rota"], setup["alf"]
    client.force_login(alf.user)
    assert client.get(reverse("timebank:rota-new")).status_code == 403
    response = client.post(
        reverse("timebank:rota", args=[rota.pk]),
        {"member": str(alf.pk), "starting": rota.first_date.strftime("%d/%m/%Y"), "every_weeks": 1},
    )
    assert response.status_code == 403
    assert not rota.assignments.exists()
    client.force_login(setup["coordinator"])
    page = client.get(reverse("timebank:rota", args=[rota.pk])).content.decode()
    assert "Add a member to the rota" in page


def test_people_who_are_not_members_cannot_see_rotas(client: Client, setup: RotaWorld) -> None:
    applicant = tb.member(approved=False)
    client.force_login(applicant.user)
    assert client.get(reverse("timebank:rotas")).status_code == 403
    assert client.get(reverse("timebank:rota", args=[setup["rota"].pk])).status_code == 403


def test_a_done_slot_is_credited_once_through_the_ledger(client: Client, setup: RotaWorld) -> None:
    rota, alf, bea = setup["rota"], setup["alf"], setup["bea"]
    day = rota.first_date
    take_rota_slot(by=alf.user, rota=rota, day=day)
    # Not before it has happened.
    with pytest.raises(TimebankRefused, match="once the help has happened"):
        record_rota_visit(by=bea.user, rota=rota, day=day, member=alf, done=True)
    _time_passes(rota, 5)
    day = rota.first_date
    client.force_login(bea.user)
    for _ in range(2):  # a double click records once
        response = client.post(
            reverse("timebank:rota-action", args=[rota.pk, "done"]),
            {"day": day.isoformat(), "member": str(alf.pk)},
        )
        assert response.status_code == 302
    visit = RotaVisit.objects.get()
    assert visit.outcome == "done" and visit.exchange is not None
    assert visit.exchange.status == Exchange.Status.CONFIRMED
    assert LedgerTransaction.objects.filter(kind="exchange").count() == 1
    assert selectors.balance_of(alf) == 300 + 120
    assert selectors.balance_of(bea) == 300 - 120
    assert selectors.ledger_problems() == []
    # The other outcome is refused once one is recorded.
    with pytest.raises(TimebankRefused, match="already recorded as done"):
        record_rota_visit(by=bea.user, rota=rota, day=day, member=alf, done=False)


def test_a_missed_slot_is_recorded_without_credit(setup: RotaWorld) -> None:
    rota, alf, coordinator = setup["rota"], setup["alf"], setup["coordinator"]
    take_rota_slot(by=alf.user, rota=rota, day=rota.first_date)
    _time_passes(rota, 5)
    visit = record_rota_visit(
        by=coordinator, rota=rota, day=rota.first_date, member=alf, done=False
    )
    assert visit.outcome == "missed" and visit.exchange is None
    assert selectors.balance_of(alf) == 300 and not Exchange.objects.exists()


def test_only_the_person_helped_or_a_coordinator_records_the_outcome(setup: RotaWorld) -> None:
    rota, alf = setup["rota"], setup["alf"]
    take_rota_slot(by=alf.user, rota=rota, day=rota.first_date)
    _time_passes(rota, 5)
    with pytest.raises(TimebankRefused, match="Only the person the rota helps"):
        record_rota_visit(by=alf.user, rota=rota, day=rota.first_date, member=alf, done=True)
    with pytest.raises(TimebankRefused, match="did not cover"):
        record_rota_visit(
            by=setup["bea"].user, rota=rota, day=rota.first_date, member=setup["cas"], done=True
        )
    assert not Exchange.objects.exists()


def test_a_members_export_has_their_rota_dates_and_visits(setup: RotaWorld) -> None:
    from timebank.personal_data import export

    rota, alf = setup["rota"], setup["alf"]
    take_rota_slot(by=alf.user, rota=rota, day=rota.first_date)
    _time_passes(rota, 5)
    record_rota_visit(
        by=setup["coordinator"], rota=rota, day=rota.first_date, member=alf, done=False
    )
    data = export(alf.user)
    assert data["rota_dates"][0]["status"] == "taken"
    assert data["rota_visits"][0]["outcome"] == "missed"
