"""The Shared Lives services: approval refused while checks are missing (each named), referrals
matched only when complete, nobody introduced until both sides agree, either side ends with a
reason and may ask for a new match, and placements carry their weekly costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories as f
from sharedlives import selectors
from sharedlives.models import Carer, Match, Referral
from sharedlives.services import carers, introductions, matches, placements, referrals
from sharedlives.services._common import SharedLivesRefused
from sharedlives.tests import factories as sl

pytestmark = pytest.mark.django_db
DAY = sl.DAY


def test_only_a_scheme_worker_adds_carers_and_referrals() -> None:
    coordinator = f.user(Role.COORDINATOR)
    with pytest.raises(SharedLivesRefused, match="scheme worker"):
        carers.add_carer(actor=coordinator, user=f.user(), name="X")
    with pytest.raises(SharedLivesRefused, match="scheme worker"):
        referrals.make_referral(actor=coordinator, person=f.user())


def test_approval_is_refused_naming_every_missing_check_then_allowed_when_all_are_in_date() -> None:
    worker = sl.worker()
    carer = sl.carer(worker, approve=False)
    carers.add_adult(actor=worker, carer=carer, name="Bo Ash")
    with pytest.raises(SharedLivesRefused) as refused:
        carers.approve_carer(actor=worker, carer=carer, on=DAY)
    assert refused.value.field == "checks"
    assert refused.value.problems == (
        "Enhanced DBS check for Ann Ash: none on record.",
        "Enhanced DBS check for Bo Ash: none on record.",
        "First reference: none on record.",
        "Second reference: none on record.",
        "Home safety check: none on record.",
        "Panel approval: none on record.",
    )
    sl.record_all_checks(worker, carer)
    carers.approve_carer(actor=worker, carer=carer, on=DAY)
    carer.refresh_from_db()
    assert carer.status == Carer.Status.APPROVED
    assert carer.approved_on == DAY
    assert AuditEvent.objects.filter(subject=carer.user, summary__contains="approved").exists()


def test_a_dbs_check_must_name_an_adult_of_this_household_and_have_an_expiry() -> None:
    worker = sl.worker()
    carer = sl.carer(worker, approve=False)
    other = sl.carer(worker, name="The Birch household", approve=False)
    with pytest.raises(SharedLivesRefused) as refused:
        carers.record_check(
            actor=worker,
            carer=carer,
            kind="dbs_enhanced",
            adult=other.adults.get(),
            checked_on=DAY,
            expires_on=DAY,
            today=DAY,
        )
    assert refused.value.field == "adult"
    with pytest.raises(SharedLivesRefused, match="renewed"):
        carers.record_check(
            actor=worker,
            carer=carer,
            kind="dbs_enhanced",
            adult=carer.adults.get(),
            checked_on=DAY,
            today=DAY,
        )
    with pytest.raises(SharedLivesRefused, match="future"):
        carers.record_check(
            actor=worker,
            carer=carer,
            kind="reference",
            checked_on=DAY + dt.timedelta(days=1),
            today=DAY,
        )


def test_matching_waits_for_a_complete_referral_and_names_what_is_missing() -> None:
    worker = sl.worker()
    carer = sl.carer(worker)
    referral = referrals.make_referral(actor=worker, person=f.user(), offer="long_term", about="x")
    assert selectors.shortlist_for(referral, DAY) is None
    with pytest.raises(SharedLivesRefused) as refused:
        matches.propose_match(actor=worker, referral=referral, carer=carer, on=DAY)
    assert refused.value.problems == (
        "Whether they need step-free access",
        "Whether they need a smoke-free home",
        "Whether they are allergic to pets",
        "The languages they speak",
        "Their interests",
    )


def test_the_shortlist_reads_the_database_and_an_excluded_carer_cannot_be_proposed() -> None:
    worker = sl.worker()
    ash = sl.carer(worker, interests="Gardening")
    birch = sl.carer(worker, name="The Birch household", interests="Chess")
    smoky = sl.carer(worker, name="The Cedar household", smoking=True)
    referral = sl.referral(worker)
    result = selectors.shortlist_for(referral, DAY)
    assert result is not None
    assert [c.name for c in result.candidates] == ["The Ash household", "The Birch household"]
    assert [(e.name, e.reasons) for e in result.excluded] == [
        ("The Cedar household", ("Someone smokes in the home, and a smoke-free home is needed.",))
    ]
    with pytest.raises(SharedLivesRefused) as refused:
        matches.propose_match(actor=worker, referral=referral, carer=smoky, on=DAY)
    assert refused.value.problems == (
        "Someone smokes in the home, and a smoke-free home is needed.",
    )
    matches.propose_match(actor=worker, referral=referral, carer=ash, on=DAY)
    again = selectors.shortlist_for(referral, DAY)
    assert again is not None and [c.name for c in again.candidates] == ["The Birch household"]
    assert birch.pk  # used above


def test_lapsed_checks_exclude_a_carer_approved_earlier() -> None:
    worker = sl.worker()
    carer = sl.carer(worker)
    home = carer.checks.get(kind="home_safety")
    assert home.expires_on is not None  # a home safety check always has a due date
    referral = sl.referral(worker)
    lapsed_day = home.expires_on + dt.timedelta(days=1)
    result = selectors.shortlist_for(referral, lapsed_day)
    assert result is not None and result.candidates == ()
    assert result.excluded[0].reasons == (
        f"Checks not in date on {lapsed_day.day} {lapsed_day:%B %Y}: Home safety check: expired on "
        f"{home.expires_on.day} {home.expires_on:%B %Y}.",
    )


def _proposed(worker: User | None = None) -> tuple[User, Match]:
    worker = worker or sl.worker()
    carer = sl.carer(worker)
    referral = sl.referral(worker)
    return worker, matches.propose_match(actor=worker, referral=referral, carer=carer, on=DAY)


def test_nobody_is_introduced_until_both_sides_agree() -> None:
    worker, match = _proposed()
    with pytest.raises(SharedLivesRefused, match="waiting for the person and the carer"):
        introductions.record_event(actor=worker, match=match, kind="introduction", on=DAY)
    matches.answer(actor=match.referral.person, match=match, side="person", agree=True, on=DAY)
    with pytest.raises(SharedLivesRefused, match=r"waiting for the carer$"):
        introductions.record_event(actor=worker, match=match, kind="introduction", on=DAY)
    assert match.stage == Match.Stage.PROPOSED
    matches.answer(actor=match.carer.user, match=match, side="carer", agree=True, on=DAY)
    assert match.stage == Match.Stage.AGREED
    introductions.record_event(actor=worker, match=match, kind="introduction", on=DAY)
    match.refresh_from_db()
    assert match.stage == Match.Stage.INTRODUCED


def test_the_database_also_refuses_an_introduction_nobody_agreed_to() -> None:
    _, match = _proposed()
    match.stage = Match.Stage.INTRODUCED
    with pytest.raises(IntegrityError), transaction.atomic():
        match.save()


def test_a_person_answers_only_for_themselves_and_a_carer_for_their_household() -> None:
    _, match = _proposed()
    with pytest.raises(SharedLivesRefused, match="only answer for yourself"):
        matches.answer(actor=match.carer.user, match=match, side="person", agree=True)
    with pytest.raises(SharedLivesRefused, match="only answer for yourself"):
        matches.answer(actor=match.referral.person, match=match, side="carer", agree=True)
    with pytest.raises(SharedLivesRefused, match="only answer for yourself"):
        matches.answer(actor=f.user(), match=match, side="person", agree=True)


def test_saying_no_ends_the_match_and_the_referral_keeps_looking() -> None:
    _, match = _proposed()
    matches.answer(actor=match.carer.user, match=match, side="carer", agree=False, on=DAY)
    match.refresh_from_db()
    assert match.stage == Match.Stage.ENDED
    assert match.ended_by == "carer"
    assert match.end_reason == "Said no before an introduction"
    assert match.referral.status == Referral.Status.OPEN
    with pytest.raises(SharedLivesRefused, match="already"):
        matches.answer(actor=match.referral.person, match=match, side="person", agree=True)


def _placed() -> tuple[User, Match]:
    worker, match = _proposed()
    matches.answer(actor=worker, match=match, side="person", agree=True, on=DAY)
    matches.answer(actor=worker, match=match, side="carer", agree=True, on=DAY)
    introductions.record_event(actor=worker, match=match, kind="introduction", on=DAY)
    introductions.record_event(
        actor=worker, match=match, kind="visit", on=DAY + dt.timedelta(days=3)
    )
    introductions.record_event(
        actor=worker,
        match=match,
        kind="trial_stay",
        on=DAY + dt.timedelta(days=7),
        until=DAY + dt.timedelta(days=9),
    )
    placements.start_placement(actor=worker, match=match, started_on=DAY + dt.timedelta(days=14))
    return worker, match


def test_visits_and_trial_stays_are_logged_with_dates_after_an_introduction() -> None:
    worker, match = _proposed()
    matches.answer(actor=worker, match=match, side="person", agree=True, on=DAY)
    matches.answer(actor=worker, match=match, side="carer", agree=True, on=DAY)
    with pytest.raises(SharedLivesRefused, match="introduction first"):
        introductions.record_event(actor=worker, match=match, kind="visit", on=DAY)
    with pytest.raises(SharedLivesRefused, match="on or after the day both sides agreed"):
        introductions.record_event(
            actor=worker, match=match, kind="introduction", on=DAY - dt.timedelta(days=1)
        )
    introductions.record_event(actor=worker, match=match, kind="introduction", on=DAY)
    with pytest.raises(SharedLivesRefused) as refused:
        introductions.record_event(actor=worker, match=match, kind="trial_stay", on=DAY)
    assert refused.value.field == "until"
    with pytest.raises(SharedLivesRefused, match="last day must be on or after"):
        introductions.record_event(
            actor=worker, match=match, kind="trial_stay", on=DAY, until=DAY - dt.timedelta(days=1)
        )
    introductions.record_event(actor=worker, match=match, kind="trial_stay", on=DAY, until=DAY)
    assert [(e.kind, e.on, e.until) for e in match.events.all()] == [
        ("introduction", DAY, None),
        ("trial_stay", DAY, DAY),
    ]


def test_a_placement_records_the_default_costs_and_fills_the_place() -> None:
    worker, match = _placed()
    match.refresh_from_db()
    assert match.stage == Match.Stage.PLACED
    assert (match.weekly_cost, match.alternative_weekly_cost) == (
        Decimal("645.00"),
        Decimal("995.00"),
    )
    assert match.referral.status == Referral.Status.PLACED
    assert selectors.spare_places(match.carer) == 0
    second = sl.referral(worker)
    with pytest.raises(SharedLivesRefused) as refused:
        matches.propose_match(actor=worker, referral=second, carer=match.carer, on=DAY)
    assert refused.value.problems == ("No spare place.",)


def test_an_area_enters_its_own_costs_and_a_negative_one_is_refused() -> None:
    worker, match = _proposed()
    matches.answer(actor=worker, match=match, side="person", agree=True, on=DAY)
    matches.answer(actor=worker, match=match, side="carer", agree=True, on=DAY)
    introductions.record_event(actor=worker, match=match, kind="introduction", on=DAY)
    with pytest.raises(SharedLivesRefused) as refused:
        placements.start_placement(actor=worker, match=match, started_on=DAY, weekly_cost="-1")
    assert refused.value.field == "weekly_cost"
    placements.start_placement(
        actor=worker,
        match=match,
        started_on=DAY,
        weekly_cost="700",
        alternative_weekly_cost="1100.5",
    )
    assert (match.weekly_cost, match.alternative_weekly_cost) == (
        Decimal("700.00"),
        Decimal("1100.50"),
    )


def test_a_placement_cannot_start_before_an_introduction() -> None:
    worker, match = _proposed()
    with pytest.raises(SharedLivesRefused, match="introduced"):
        placements.start_placement(actor=worker, match=match, started_on=DAY)


@pytest.mark.parametrize("side", ["person", "carer"])
def test_either_side_ends_a_placement_with_a_reason_and_may_ask_for_a_new_match(side: str) -> None:
    _, match = _placed()
    actor = match.referral.person if side == "person" else match.carer.user
    with pytest.raises(SharedLivesRefused) as refused:
        matches.end_match(actor=actor, match=match, side=side, reason="  ")
    assert refused.value.field == "reason"
    matches.end_match(
        actor=actor,
        match=match,
        side=side,
        reason="We do not get on",
        new_match_wanted=True,
        on=DAY + dt.timedelta(days=30),
    )
    match.refresh_from_db()
    assert (match.stage, match.ended_by, match.end_reason) == ("ended", side, "We do not get on")
    assert match.referral.status == Referral.Status.OPEN
    assert selectors.spare_places(match.carer) == 1
    assert AuditEvent.objects.filter(
        subject=match.referral.person, summary__contains="A new match was asked for"
    ).exists()


def test_ending_a_placement_without_asking_for_another_closes_the_referral() -> None:
    worker, match = _placed()
    matches.end_match(actor=worker, match=match, side="worker", reason="Moved to live with family")
    match.referral.refresh_from_db()
    assert match.referral.status == Referral.Status.CLOSED
    assert match.referral.close_reason == "Moved to live with family"


def test_nobody_else_ends_a_match() -> None:
    _, match = _proposed()
    with pytest.raises(SharedLivesRefused, match="for yourself"):
        matches.end_match(actor=f.user(), match=match, side="person", reason="x")
    with pytest.raises(SharedLivesRefused, match="for yourself"):
        matches.end_match(actor=match.referral.person, match=match, side="worker", reason="x")


def test_a_lapsed_check_stops_the_introduction_and_the_placement() -> None:
    worker, match = _proposed()
    matches.answer(actor=worker, match=match, side="person", agree=True, on=DAY)
    matches.answer(actor=worker, match=match, side="carer", agree=True, on=DAY)
    home = match.carer.checks.get(kind="home_safety")
    assert home.expires_on is not None  # a home safety check always has a due date
    after = home.expires_on + dt.timedelta(days=1)
    with pytest.raises(SharedLivesRefused) as refused:
        introductions.record_event(actor=worker, match=match, kind="introduction", on=after)
    assert refused.value.field == "on"
    assert refused.value.problems[0].endswith(
        f"Home safety check: expired on {home.expires_on.day} {home.expires_on:%B %Y}."
    )
    introductions.record_event(actor=worker, match=match, kind="introduction", on=home.expires_on)
    with pytest.raises(SharedLivesRefused) as refused:
        placements.start_placement(actor=worker, match=match, started_on=after)
    assert refused.value.field == "started_on"
    placements.start_placement(actor=worker, match=match, started_on=home.expires_on)


def test_the_last_place_taken_by_someone_else_stops_a_second_placement() -> None:
    worker = sl.worker()
    carer = sl.carer(worker)
    both = []
    for _ in range(2):
        m = matches.propose_match(actor=worker, referral=sl.referral(worker), carer=carer, on=DAY)
        matches.answer(actor=worker, match=m, side="person", agree=True, on=DAY)
        matches.answer(actor=worker, match=m, side="carer", agree=True, on=DAY)
        introductions.record_event(actor=worker, match=m, kind="introduction", on=DAY)
        both.append(m)
    placements.start_placement(actor=worker, match=both[0], started_on=DAY)
    with pytest.raises(SharedLivesRefused) as refused:
        placements.start_placement(actor=worker, match=both[1], started_on=DAY)
    assert refused.value.problems == ("No spare place.",)


def test_the_carer_ending_a_placement_reopens_the_persons_referral() -> None:
    _, match = _placed()
    matches.end_match(
        actor=match.carer.user, match=match, side="carer", reason="We are moving abroad"
    )
    match.referral.refresh_from_db()
    assert match.referral.status == Referral.Status.OPEN
    assert match.new_match_wanted is False
