"""Pages: scheme workers only for carers, referrals, shortlists and matches (each view audited);
the person's easy-read page and answers; the carer's answers; refusals shown as GOV.UK errors."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories as f
from sharedlives.models import Carer, Match, Referral
from sharedlives.services import matches, referrals
from sharedlives.tests import factories as sl

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


class World(TypedDict):
    worker: User
    ash: Carer
    smoky: Carer
    person: User
    referral: Referral


@pytest.fixture
def world() -> World:
    worker = sl.worker()
    today = timezone.localdate()
    ash = sl.carer(worker, name="The Ash household", interests="Gardening")
    # approved well before today, with checks made before today: move them into today's frame
    for check in ash.checks.all():
        shift = today - sl.DAY
        check.checked_on += shift
        if check.expires_on:
            check.expires_on += shift
        check.save()
    ash.approved_on = today - dt.timedelta(days=1)
    ash.save()
    smoky = sl.carer(worker, name="The Cedar household", smoking=True, approve=False)
    person = f.user(Role.PERSON, display_name="Pat Example", first_name="Pat")
    referral = sl.referral(worker, person=person)
    return {"worker": worker, "ash": ash, "smoky": smoky, "person": person, "referral": referral}


def test_worker_pages_refuse_everyone_else(world: World) -> None:
    urls = [
        reverse("sharedlives:home"),
        reverse("sharedlives:carer", args=[world["ash"].pk]),
        reverse("sharedlives:referral", args=[world["referral"].pk]),
        reverse("sharedlives:shortlist", args=[world["referral"].pk]),
        reverse("sharedlives:carer_new"),
    ]
    for url in urls:
        assert _client(world["person"]).get(url).status_code == 403
        assert _client(f.user(Role.COORDINATOR)).get(url).status_code == 403
        assert _client(world["worker"]).get(url).status_code == 200


def test_viewing_a_carer_or_referral_is_audited(world: World) -> None:
    c = _client(world["worker"])
    c.get(reverse("sharedlives:carer", args=[world["ash"].pk]))
    c.get(reverse("sharedlives:shortlist", args=[world["referral"].pk]))
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, actor=world["worker"])
    assert views.filter(subject=world["ash"].user, summary__contains="carer household").exists()
    assert views.filter(subject=world["person"], summary__contains="shortlist").exists()


def test_approval_refused_lists_each_missing_check(world: World) -> None:
    url = reverse("sharedlives:carer", args=[world["smoky"].pk])
    page = _client(world["worker"]).post(
        url, {"approve": "1", "approve-on": timezone.localdate().isoformat()}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html
    assert "Enhanced DBS check for Ann Ash: none on record." in html
    assert "Panel approval: none on record." in html
    world["smoky"].refresh_from_db()
    assert world["smoky"].status == Carer.Status.APPLYING


def test_recording_a_check_with_a_bad_date_names_the_field(world: World) -> None:
    url = reverse("sharedlives:carer", args=[world["smoky"].pk])
    page = _client(world["worker"]).post(
        url, {"record_check": "1", "check-kind": "reference", "check-checked_on": "31/02/2026"}
    )
    assert page.status_code == 400
    assert "Enter the date of the check as year-month-day" in page.content.decode()


def test_an_incomplete_referral_lists_what_is_missing(world: World) -> None:
    referral = referrals.make_referral(actor=world["worker"], person=f.user(), offer="day_support")
    page = _client(world["worker"]).get(reverse("sharedlives:shortlist", args=[referral.pk]))
    html = page.content.decode()
    assert "The referral is not complete" in html
    assert "Whether they are allergic to pets" in html


def test_the_shortlist_shows_reasons_and_exclusions_and_proposes(world: World) -> None:
    url = reverse("sharedlives:shortlist", args=[world["referral"].pk])
    c = _client(world["worker"])
    html = c.get(url).content.decode()
    assert "1. The Ash household" in html
    assert "Shares interests: Gardening." in html
    assert "Not approved as a Shared Lives carer yet." in html
    assert "Someone smokes in the home, and a smoke-free home is needed." in html
    assert "This order is a suggestion" in html
    refused = c.post(url, {"carer": world["smoky"].pk})
    assert refused.status_code == 400
    assert "cannot be matched" in refused.content.decode()
    done = c.post(url, {"carer": world["ash"].pk})
    match = Match.objects.get()
    assert done["Location"] == reverse("sharedlives:match", args=[match.pk])


def test_both_sides_opt_in_on_their_own_pages_before_an_introduction(world: World) -> None:
    match = matches.propose_match(
        actor=world["worker"], referral=world["referral"], carer=world["ash"]
    )
    worker = _client(world["worker"])
    match_url = reverse("sharedlives:match", args=[match.pk])
    today = timezone.localdate().isoformat()
    early = worker.post(match_url, {"event": "1", "event-kind": "introduction", "event-on": today})
    assert early.status_code == 400
    assert "Both sides must agree before an introduction" in early.content.decode()

    person = _client(world["person"])
    mine = person.get(reverse("sharedlives:mine")).content.decode()
    assert "They live in Millbrook." in mine
    assert "Their home has no steps." in mine
    answer_url = reverse("sharedlives:answer", args=[match.pk])
    assert person.post(answer_url, {}).status_code == 400
    assert person.post(answer_url, {"agree": "yes"}).status_code == 302
    # the person cannot answer for the carer, and a stranger cannot answer at all
    assert _client(f.user()).get(answer_url).status_code == 403
    carer = _client(world["ash"].user)
    assert "Pat" in carer.get(reverse("sharedlives:carer_home")).content.decode()
    assert carer.post(answer_url, {"agree": "yes"}).status_code == 302
    match.refresh_from_db()
    assert match.stage == Match.Stage.AGREED
    ok = worker.post(match_url, {"event": "1", "event-kind": "introduction", "event-on": today})
    assert ok.status_code == 302
    match.refresh_from_db()
    assert match.stage == Match.Stage.INTRODUCED


def test_the_person_ends_with_a_reason_and_asks_for_a_new_match(world: World) -> None:
    match = matches.propose_match(
        actor=world["worker"], referral=world["referral"], carer=world["ash"]
    )
    url = reverse("sharedlives:end", args=[match.pk])
    person = _client(world["person"])
    missing = person.post(url, {"new_match": "yes"})
    assert missing.status_code == 400
    assert "Enter why you want to end it" in missing.content.decode()
    assert (
        person.post(url, {"reason": "Too far from my sister", "new_match": "yes"}).status_code
        == 302
    )
    match.refresh_from_db()
    assert (match.stage, match.ended_by, match.new_match_wanted) == ("ended", "person", True)


def test_the_match_page_shows_weekly_cost_beside_the_alternative(world: World) -> None:
    match = matches.propose_match(
        actor=world["worker"], referral=world["referral"], carer=world["ash"]
    )
    html = (
        _client(world["worker"]).get(reverse("sharedlives:match", args=[match.pk])).content.decode()
    )
    assert (
        "£645.00 a week, against £995.00 a week for supported living (£350.00 a week less)" in html
    )


def test_the_carer_page_is_only_for_carers() -> None:
    assert _client(f.user()).get(reverse("sharedlives:carer_home")).status_code == 403


def test_adding_a_carer_and_a_referral_through_the_forms() -> None:
    worker = sl.worker()
    account = f.user(Role.CARER, email="rowan@example.org")
    person = f.user(Role.PERSON, email="sky@example.org")
    c = _client(worker)
    bad = c.post(reverse("sharedlives:carer_new"), {"email": "nobody@example.org"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Enter household name" in html
    assert "Select whether the home has step-free access, or Not known" in html
    made = c.post(
        reverse("sharedlives:carer_new"),
        {
            "email": "rowan@example.org",
            "name": "The Rowan household",
            "adults": "Rowan Reed\nKit Reed",
            "step_free": "yes",
            "pets": "unknown",
            "smoking": "no",
            "offers": ["short_breaks"],
            "places": "2",
        },
    )
    assert made.status_code == 302
    household = Carer.objects.get(user=account)
    assert [a.name for a in household.adults.all()] == ["Rowan Reed", "Kit Reed"]
    assert (household.step_free, household.pets, household.smoking) == (True, None, False)
    assert household.offers == ["short_breaks"]
    ref = c.post(
        reverse("sharedlives:referral_new"),
        {
            "email": "sky@example.org",
            "offer": "short_breaks",
            "needs_step_free": "unknown",
            "needs_smoke_free": "yes",
            "allergic_to_pets": "no",
        },
    )
    assert ref.status_code == 302
    page = c.get(ref["Location"]).content.decode()
    assert "Not ready to match" in page
    assert "Whether they need step-free access" in page
    assert person.shared_lives_referrals.count() == 1


def test_a_made_up_carer_id_is_an_error_not_a_crash(world: World) -> None:
    url = reverse("sharedlives:shortlist", args=[world["referral"].pk])
    for value in ("abc", "99999", ""):
        page = _client(world["worker"]).post(url, {"carer": value})
        assert page.status_code == 400
        assert "Choose a carer household from the shortlist" in page.content.decode()


def test_the_scheme_workers_home_page_has_the_shared_lives_section(world: World) -> None:
    html = _client(world["worker"]).get(reverse("accounts:home")).content.decode()
    assert "Referrals waiting for a match" in html
    assert reverse("sharedlives:home") in html
    other = _client(f.user(Role.COORDINATOR)).get(reverse("accounts:home")).content.decode()
    assert "Referrals waiting for a match" not in other
