"""participation.services: every refusal leaves what was recorded as it was."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories as f
from participation.models import (
    AnonymousBallot,
    BallotLinkKey,
    Channel,
    CostLine,
    PaperBallotEntry,
    Phase,
    Project,
    VoterParticipation,
    VoterRegistration,
    VoteType,
)
from participation.services._common import ParticipationError, eligible_neighbourhoods, is_split
from participation.services.ballots import current_choices, receipt_hash, submit_ballot
from participation.services.costing import assess_idea, parse_cost_lines
from participation.services.panels import (
    announce_draw,
    create_panel,
    draw_panel,
    join_panel_pool,
    publish_panel,
    submit_ranking,
)
from participation.services.paper_ballots import (
    confirm_paper_ballot,
    create_paper_voter,
    enter_paper_ballot,
    issue_paper_ballot,
    reject_paper_entry,
)
from participation.services.proposals import update_pitch
from participation.services.registration import decide_registration, register_voter
from participation.services.rounds import advance_round, set_district_pots
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db


# --- rounds and phases -----------------------------------------------------------------------------


def test_only_staff_create_rounds_and_the_dates_must_be_in_order() -> None:
    with pytest.raises(ParticipationError, match="Only commissioners and coordinators"):
        pf.round_(by=f.user(Role.PERSON))
    dates = dict(pf.DATES, voting_close=date(2026, 3, 1))
    with pytest.raises(ParticipationError, match="dates must be in order"):
        pf.round_(dates=dates)
    with pytest.raises(ParticipationError, match="points"):
        pf.round_(vote_type=VoteType.CUMULATIVE, max_points=None)
    coordinator_round = pf.round_(by=f.user(Role.COORDINATOR), pot=Decimal("500"))
    assert coordinator_round.phase == Phase.IDEAS
    assert AuditEvent.objects.filter(object_id=str(coordinator_round.pk)).exists()


def test_the_database_refuses_a_round_with_dates_out_of_order() -> None:
    r = pf.round_()
    r.voting_close = date(2025, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        r.save()


def test_district_pots_must_add_up_to_the_pot() -> None:
    by = pf.staff()
    north, south = pf.hood("North"), pf.hood("South")
    r = pf.round_(by, pot=Decimal("1000"))
    with pytest.raises(ParticipationError, match=r"add up to £900.00 but the pot is £1,000.00"):
        set_district_pots(round_=r, by=by, amounts={north: Decimal("600"), south: Decimal("300")})
    assert not r.district_pots.exists()
    set_district_pots(round_=r, by=by, amounts={north: Decimal("600"), south: Decimal("400")})
    assert is_split(r)
    assert eligible_neighbourhoods(r) == [north, south]
    pf.idea(r, district=north)
    with pytest.raises(ParticipationError, match="before the first idea"):
        set_district_pots(round_=r, by=by, amounts={})
    assert r.district_pots.count() == 2


def test_feasibility_needs_every_idea_decided_before_pitches() -> None:
    by = pf.staff()
    r = pf.round_(by)
    first, _second = pf.idea(r), pf.idea(r)
    r = advance_round(round_=r, by=by)
    with pytest.raises(ParticipationError, match="2 ideas still need a decision"):
        advance_round(round_=r, by=by)
    pf.cost(first, by, "100")
    with pytest.raises(ParticipationError, match="1 idea still needs a decision"):
        advance_round(round_=r, by=by)
    assert r.phase == Phase.FEASIBILITY


def test_ideas_only_while_ideas_are_open() -> None:
    by = pf.staff()
    r = pf.round_(by)
    pf.idea(r)
    r = advance_round(round_=r, by=by)
    with pytest.raises(ParticipationError, match="not being collected"):
        pf.idea(r)
    assert r.projects.count() == 1


# --- costing ---------------------------------------------------------------------------------------


def test_costs_that_do_not_add_up_are_refused_and_nothing_changes() -> None:
    by = pf.staff()
    r = pf.round_(by)
    project = pf.idea(r)
    r = advance_round(round_=r, by=by)
    with pytest.raises(
        ParticipationError, match=r"adds up to £450.00 but the project cost is £500.00"
    ):
        assess_idea(
            project=project,
            by=by,
            take_forward=True,
            cost=Decimal("500"),
            lines=[("Hall", Decimal("400")), ("Tea", Decimal("50"))],
        )
    project.refresh_from_db()
    assert project.status == Project.Status.PROPOSED
    assert not CostLine.objects.exists()
    assess_idea(
        project=project,
        by=by,
        take_forward=True,
        cost=Decimal("450"),
        lines=parse_cost_lines("Hall hire: 400\nTea and cake, £50.00"),
    )
    project.refresh_from_db()
    assert project.cost == Decimal("450.00")
    assert [line.amount for line in project.cost_lines.all()] == [Decimal("400"), Decimal("50")]


def test_cost_line_parsing_and_other_costing_refusals() -> None:
    with pytest.raises(ParticipationError, match="Line 2"):
        parse_cost_lines("Hall: 10\nno amount here")
    with pytest.raises(ParticipationError, match="pounds and pence"):
        parse_cost_lines("Hall: 10.555")
    by = pf.staff()
    r = pf.round_(by, pot=Decimal("1000"))
    project = pf.idea(r)
    with pytest.raises(ParticipationError, match="after ideas close"):
        pf.cost(project, by, "100")
    r = advance_round(round_=r, by=by)
    with pytest.raises(ParticipationError, match="more than the whole pot"):
        pf.cost(project, by, "1500")
    with pytest.raises(ParticipationError, match="Give the reason"):
        assess_idea(project=project, by=by, take_forward=False, reason="  ")
    with pytest.raises(ParticipationError, match="Only commissioners"):
        pf.cost(project, f.user(), "100")
    assess_idea(
        project=project, by=by, take_forward=False, reason="The council already funds this."
    )
    project.refresh_from_db()
    assert project.status == Project.Status.NOT_TAKEN_FORWARD
    assert project.public_reason == "The council already funds this."


def test_pitches_by_the_proposer_or_staff_only() -> None:
    by = pf.staff()
    r = pf.round_(by)
    proposer = f.user()
    project = pf.idea(r, by=proposer)
    r = advance_round(round_=r, by=by)
    pf.cost(project, by, "100")
    with pytest.raises(ParticipationError, match="Only the person"):
        update_pitch(project=project, by=f.user(), pitch="Vote for me")
    update_pitch(
        project=project, by=proposer, pitch="A lovely garden.", media_url="https://example.org/v"
    )
    project.refresh_from_db()
    assert project.pitch == "A lovely garden."


# --- registration ----------------------------------------------------------------------------------


def test_eligibility_by_neighbourhood_and_age() -> None:
    inside, outside = pf.hood("Inside"), pf.hood("Outside")
    r = pf.round_(min_age=18, neighbourhoods=[inside])
    person = f.user()
    with pytest.raises(ParticipationError, match="Outside cannot vote"):
        register_voter(round_=r, user=person, neighbourhood=outside, age_band="35-49")
    with pytest.raises(ParticipationError, match="18 or over"):
        register_voter(round_=r, user=person, neighbourhood=inside, age_band="16-17")
    with pytest.raises(ParticipationError, match="18 or over"):
        register_voter(round_=r, user=person, neighbourhood=inside, date_of_birth=date(2010, 1, 1))
    with pytest.raises(ParticipationError, match="date of birth or your age group"):
        register_voter(round_=r, user=person, neighbourhood=inside)
    assert not VoterRegistration.objects.exists()
    r21 = pf.round_(min_age=21)
    with pytest.raises(ParticipationError, match="includes people under 21"):
        register_voter(round_=r21, user=person, neighbourhood=inside, age_band="18-24")
    registration = register_voter(
        round_=r, user=person, neighbourhood=inside, date_of_birth=date(1990, 5, 1)
    )
    assert registration.status == VoterRegistration.Status.APPROVED


def test_approved_rule_waits_for_someone_else_to_approve() -> None:
    by = pf.staff()
    r = pf.round_(by, registration_rule="approved")
    hood = pf.hood()
    person = f.user()
    registration = register_voter(round_=r, user=person, neighbourhood=hood, age_band="25-34")
    assert registration.status == VoterRegistration.Status.PENDING
    with pytest.raises(ParticipationError, match="Only commissioners"):
        decide_registration(registration=registration, by=person, approve=True)
    decide_registration(registration=registration, by=by, approve=True)
    registration.refresh_from_db()
    assert registration.status == VoterRegistration.Status.APPROVED
    assert registration.decided_by == by


# --- ballots ---------------------------------------------------------------------------------------


def test_a_ballot_records_participation_and_an_anonymous_ballot() -> None:
    r, (a, b, _c), _by = pf.voting_round()
    person = pf.voter(r)
    receipt = submit_ballot(round_=r, voter=person, choices={a.pk: 1, b.pk: 1})
    assert len(receipt.code) == 14 and not receipt.changed
    participation = VoterParticipation.objects.get()
    assert participation.user == person and participation.channel == Channel.ONLINE
    assert participation.receipt_hash == receipt_hash(receipt.code)
    ballot = AnonymousBallot.objects.get()
    assert ballot.choices == [] and ballot.sealed  # sealed while voting is open
    assert current_choices(r, person) == {a.pk: 1, b.pk: 1}
    assert current_choices(r, person) == {a.pk: 1, b.pk: 1}


def test_a_ballot_can_be_changed_while_voting_is_open() -> None:
    r, (a, b, c), _by = pf.voting_round()
    person = pf.voter(r)
    first = submit_ballot(round_=r, voter=person, choices={a.pk: 1})
    second = submit_ballot(round_=r, voter=person, choices={b.pk: 1, c.pk: 1})
    assert second.changed and second.code != first.code
    assert AnonymousBallot.objects.count() == 1 == VoterParticipation.objects.count()
    assert current_choices(r, person) == {b.pk: 1, c.pk: 1}
    assert VoterParticipation.objects.get().receipt_hash == receipt_hash(second.code)


def test_the_database_refuses_a_second_participation() -> None:
    r, (a, _b, _c), _by = pf.voting_round()
    person = pf.voter(r)
    submit_ballot(round_=r, voter=person, choices={a.pk: 1})
    participation = VoterParticipation.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        VoterParticipation.objects.create(
            round=r,
            user=person,
            neighbourhood=participation.neighbourhood,
            channel=Channel.ONLINE,
            receipt_hash="x" * 64,
        )


def test_votes_outside_the_voting_phase_are_refused() -> None:
    by = pf.staff()
    r = pf.round_(by)
    project = pf.idea(r)
    person = pf.voter(r)
    with pytest.raises(ParticipationError, match="not opened yet"):
        submit_ballot(round_=r, voter=person, choices={project.pk: 1})
    r = advance_round(round_=r, by=by)
    pf.cost(project, by, "100")
    r = pf.advance_to(r, Phase.VOTING, by)
    submit_ballot(round_=r, voter=person, choices={project.pk: 1})
    r = advance_round(round_=r, by=by)
    with pytest.raises(ParticipationError, match="Voting has closed"):
        submit_ballot(round_=r, voter=person, choices={project.pk: 1})
    assert AnonymousBallot.objects.count() == 1


def test_voters_must_be_registered_and_approved() -> None:
    r, (a, _b, _c), _by = pf.voting_round(registration_rule="approved")
    stranger = f.user()
    with pytest.raises(ParticipationError, match="Register to vote"):
        submit_ballot(round_=r, voter=stranger, choices={a.pk: 1})
    pending = pf.voter(r)
    with pytest.raises(ParticipationError, match="not been approved"):
        submit_ballot(round_=r, voter=pending, choices={a.pk: 1})
    assert not VoterParticipation.objects.exists()


def test_ballots_over_the_approval_limit_or_empty_are_refused() -> None:
    r, (a, b, c), _by = pf.voting_round(max_choices=2)
    person = pf.voter(r)
    with pytest.raises(ParticipationError, match=r"You chose 3 projects\. You can choose up to 2"):
        submit_ballot(round_=r, voter=person, choices={a.pk: 1, b.pk: 1, c.pk: 1})
    with pytest.raises(ParticipationError, match="at least one"):
        submit_ballot(round_=r, voter=person, choices={})
    with pytest.raises(ParticipationError, match="not on your ballot paper"):
        submit_ballot(round_=r, voter=person, choices={999_999: 1})
    with pytest.raises(ParticipationError, match="once"):
        submit_ballot(round_=r, voter=person, choices={a.pk: 2})
    assert not VoterParticipation.objects.exists() and not AnonymousBallot.objects.exists()
    submit_ballot(round_=r, voter=person, choices={a.pk: 1})
    # A refused change keeps the ballot already recorded.
    with pytest.raises(ParticipationError):
        submit_ballot(round_=r, voter=person, choices={a.pk: 1, b.pk: 1, c.pk: 1})
    assert current_choices(r, person) == {a.pk: 1}


def test_ballots_over_the_points_limit_are_refused() -> None:
    r, (a, b, _c), _by = pf.voting_round(vote_type=VoteType.CUMULATIVE, max_points=10)
    person = pf.voter(r)
    with pytest.raises(ParticipationError, match=r"You gave 11 points\. You have 10"):
        submit_ballot(round_=r, voter=person, choices={a.pk: 6, b.pk: 5})
    with pytest.raises(ParticipationError, match="negative"):
        submit_ballot(round_=r, voter=person, choices={a.pk: -1, b.pk: 5})
    submit_ballot(round_=r, voter=person, choices={a.pk: 6, b.pk: 4})
    assert current_choices(r, person) == {a.pk: 6, b.pk: 4}


def test_district_voters_only_vote_on_their_district() -> None:
    by = pf.staff()
    north, south = pf.hood("North"), pf.hood("South")
    r = pf.round_(by, pot=Decimal("1000"))
    set_district_pots(round_=r, by=by, amounts={north: Decimal("500"), south: Decimal("500")})
    with pytest.raises(ParticipationError, match="Choose the neighbourhood"):
        pf.idea(r)
    n_project = pf.idea(r, district=north)
    s_project = pf.idea(r, district=south)
    r = advance_round(round_=r, by=by)
    pf.cost(n_project, by, "400")
    pf.cost(s_project, by, "300")
    r = pf.advance_to(r, Phase.VOTING, by)
    northerner = pf.voter(r, north)
    with pytest.raises(ParticipationError, match="not on your ballot paper"):
        submit_ballot(round_=r, voter=northerner, choices={s_project.pk: 1})
    submit_ballot(round_=r, voter=northerner, choices={n_project.pk: 1})
    assert AnonymousBallot.objects.get().district == north


# --- paper ballots ---------------------------------------------------------------------------------


def test_paper_ballots_need_a_second_person() -> None:
    r, (a, b, _c), first = pf.voting_round()
    second = pf.staff(Role.COORDINATOR)
    resident = create_paper_voter(by=first, display_name="Mo Paper")
    code = issue_paper_ballot(
        round_=r, by=first, voter=resident, neighbourhood=pf.hood(), age_band="65-79"
    )
    participation = VoterParticipation.objects.get(user=resident)
    assert participation.channel == Channel.PAPER
    assert participation.receipt_hash == receipt_hash(code)
    entry = enter_paper_ballot(round_=r, by=first, paper_number="P-001", choices={a.pk: 1, b.pk: 1})
    assert not AnonymousBallot.objects.exists()
    with pytest.raises(ParticipationError, match="different person"):
        confirm_paper_ballot(entry=entry, by=first)
    assert not AnonymousBallot.objects.exists()
    confirm_paper_ballot(entry=entry, by=second)
    ballot = AnonymousBallot.objects.get()
    assert ballot.channel == Channel.PAPER and ballot.link_tag is None
    with pytest.raises(ParticipationError, match="already been confirmed"):
        confirm_paper_ballot(entry=entry, by=second)


def test_the_database_refuses_a_self_confirmed_paper() -> None:
    r, (a, _b, _c), by = pf.voting_round()
    entry = enter_paper_ballot(round_=r, by=by, paper_number="1", choices={a.pk: 1})
    entry.confirmed_by = by
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()


def test_paper_refusals() -> None:
    r, (a, b, c), first = pf.voting_round(max_choices=2)
    second = pf.staff()
    person = pf.voter(r)
    submit_ballot(round_=r, voter=person, choices={a.pk: 1})
    with pytest.raises(ParticipationError, match="already voted"):
        issue_paper_ballot(
            round_=r, by=first, voter=person, neighbourhood=pf.hood(), age_band="35-49"
        )
    assert VoterParticipation.objects.count() == 1
    with pytest.raises(ParticipationError, match="You chose 3"):
        enter_paper_ballot(
            round_=r, by=first, paper_number="7", choices={a.pk: 1, b.pk: 1, c.pk: 1}
        )
    entry = enter_paper_ballot(round_=r, by=first, paper_number="7", choices={a.pk: 1})
    with pytest.raises(ParticipationError, match="already been entered"):
        enter_paper_ballot(round_=r, by=second, paper_number="7", choices={b.pk: 1})
    # No paper was given out, so a paper ballot cannot be counted.
    with pytest.raises(ParticipationError, match="only 0 were given out"):
        confirm_paper_ballot(entry=entry, by=second)
    with pytest.raises(ParticipationError, match="Only commissioners"):
        enter_paper_ballot(round_=r, by=person, paper_number="8", choices={a.pk: 1})
    # A paper voter cannot also vote online.
    paper_person = pf.voter(r)
    issue_paper_ballot(
        round_=r, by=first, voter=paper_person, neighbourhood=pf.hood(), age_band="35-49"
    )
    with pytest.raises(ParticipationError, match="paper ballot for this round"):
        submit_ballot(round_=r, voter=paper_person, choices={a.pk: 1})


def test_results_wait_for_paper_confirmations() -> None:
    r, (a, _b, _c), first = pf.voting_round()
    resident = create_paper_voter(by=first, display_name="Jo")
    issue_paper_ballot(
        round_=r, by=first, voter=resident, neighbourhood=pf.hood(), age_band="35-49"
    )
    r = advance_round(round_=r, by=first)  # close voting
    entry = enter_paper_ballot(round_=r, by=first, paper_number="1", choices={a.pk: 1})
    with pytest.raises(ParticipationError, match="waiting for a second person"):
        advance_round(round_=r, by=first)
    reject_paper_entry(entry=entry, by=pf.staff())
    assert not PaperBallotEntry.objects.exists()
    entry = enter_paper_ballot(round_=r, by=first, paper_number="1", choices={a.pk: 1})
    confirm_paper_ballot(entry=entry, by=pf.staff())
    r = advance_round(round_=r, by=first)
    assert r.phase == Phase.RESULTS
    assert r.results.get().ballots == 1


def test_opening_voting_creates_the_link_key_and_closing_deletes_it() -> None:
    r, (a, _b, _c), by = pf.voting_round()
    assert BallotLinkKey.objects.filter(round=r).exists()
    submit_ballot(round_=r, voter=pf.voter(r), choices={a.pk: 1})
    advance_round(round_=r, by=by)
    assert not BallotLinkKey.objects.exists()
    assert AnonymousBallot.objects.filter(link_tag__isnull=False).count() == 0


# --- panels ----------------------------------------------------------------------------------------


def _pool(count: int) -> list[User]:
    hoods = [pf.hood("Panel North"), pf.hood("Panel South")]
    people = []
    for i in range(count):
        person = f.user()
        join_panel_pool(
            user=person, neighbourhood=hoods[i % 2], age_band="25-34" if i % 3 else "65-79"
        )
        people.append(person)
    return people


def test_panel_draw_rank_and_publish() -> None:
    commissioner = pf.staff()
    _pool(12)
    panel = create_panel(
        by=commissioner,
        title="What to fund first",
        question="Which matters most?",
        size=6,
        items=["Hip replacements", "Hearing aids", "Dental care"],
        balance_tolerance=50,
    )
    panel = announce_draw(panel=panel, by=commissioner, seed="42")
    panel = draw_panel(panel=panel, by=commissioner)
    assert panel.members.count() == 6
    assert sum(s["seats"] for s in panel.draw_record["strata"]) == 6
    assert panel.draw_record["seed"] == "42"
    items = list(panel.items.order_by("pk"))
    members = [m.user for m in panel.members.all() if m.user is not None]
    assert len(members) == 6
    for i, member in enumerate(members[:4]):
        order = (
            [items[0].pk, items[1].pk, items[2].pk]
            if i < 3
            else [items[2].pk, items[1].pk, items[0].pk]
        )
        submit_ranking(panel=panel, member=member, order=order)
    with pytest.raises(ParticipationError, match="different place"):
        submit_ranking(
            panel=panel, member=members[4], order=[items[0].pk, items[0].pk, items[1].pk]
        )
    with pytest.raises(ParticipationError, match="Only people drawn"):
        submit_ranking(panel=panel, member=f.user(), order=[i.pk for i in items])
    panel = publish_panel(panel=panel, by=commissioner)
    assert panel.result["kemeny"] == ["Hip replacements", "Hearing aids", "Dental care"]
    assert panel.result["borda"][0] == {"item": "Hip replacements", "score": 6, "place": "1"}
    assert panel.result["kemeny_exact"] is True
    assert panel.result["kendall_w"] == "0.250"


def test_panel_refusals() -> None:
    commissioner = pf.staff()
    with pytest.raises(ParticipationError, match="Only commissioners"):
        create_panel(by=f.user(Role.COORDINATOR), title="x", question="y", size=2, items=["a", "b"])
    with pytest.raises(ParticipationError, match="at least two"):
        create_panel(by=commissioner, title="x", question="y", size=2, items=["a"])
    with pytest.raises(ParticipationError, match="listed twice"):
        create_panel(by=commissioner, title="x", question="y", size=2, items=["a", "A"])
    panel = create_panel(by=commissioner, title="x", question="y", size=5, items=["a", "b"])
    _pool(3)
    with pytest.raises(ParticipationError, match="fewer than the 5 seats"):
        announce_draw(panel=panel, by=commissioner)
    panel.refresh_from_db()
    assert panel.status == panel.Status.DRAFT and not panel.members.exists()
    with pytest.raises(ParticipationError, match="16 or over"):
        join_panel_pool(user=f.user(), neighbourhood=pf.hood(), age_band="11-15")
