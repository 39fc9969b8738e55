"""Closing, counting and publishing: ballot secrecy, receipts, and the .pb file that recounts."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from accounts.models import User
from accounts.services import export_personal_data
from directory.tests import factories as f
from participation import counting, selectors
from participation.models import (
    AnonymousBallot,
    BallotLinkKey,
    PaperBallotEntry,
    Phase,
    Project,
    Round,
    VoterParticipation,
    VoteType,
)
from participation.services.ballots import current_choices, submit_ballot
from participation.services.paper_ballots import (
    confirm_paper_ballot,
    create_paper_voter,
    enter_paper_ballot,
    issue_paper_ballot,
)
from participation.services.rounds import advance_round, set_district_pots
from participation.tests import factories as pf
from rules.pb import read_pb, tally

pytestmark = pytest.mark.django_db


def _vote_and_publish(
    **round_fields: Any,
) -> tuple[Round, tuple[Project, Project, Project], list[User], list[str]]:
    """Pot 10,000; A 4,000, B 3,000, C 5,000. Votes: 3x{A,B}, 2x{C}, 1x{A}, 1 paper {C}."""
    r, (a, b, c), by = pf.voting_round(**round_fields)
    voters = [pf.voter(r) for _ in range(6)]
    ballots = [{a.pk: 1, b.pk: 1}] * 3 + [{c.pk: 1}] * 2 + [{a.pk: 1}]
    codes = [
        submit_ballot(round_=r, voter=v, choices=choice).code
        for v, choice in zip(voters, ballots, strict=True)
    ]
    paper_voter = create_paper_voter(by=by, display_name="Paper Person")
    codes.append(
        issue_paper_ballot(
            round_=r, by=by, voter=paper_voter, neighbourhood=pf.hood(), age_band="50-64"
        )
    )
    r = advance_round(round_=r, by=by)
    entry = enter_paper_ballot(round_=r, by=by, paper_number="9", choices={c.pk: 1})
    confirm_paper_ballot(entry=entry, by=pf.staff())
    r = advance_round(round_=r, by=by)
    return r, (a, b, c), [*voters, paper_voter], codes


def test_greedy_results_and_pb_recount() -> None:
    r, (a, b, c), _voters, _codes = _vote_and_publish(rule="greedy")
    result = r.results.get()
    # Votes: A 4, B 3, C 3. Greedy by votes: A (4,000), then B/C tie on 3 votes -> id order.
    rows = {row.project_id: row for row in result.projects.all()}
    assert (rows[a.pk].votes, rows[b.pk].votes, rows[c.pk].votes) == (4, 3, 3)
    assert rows[a.pk].selected and rows[a.pk].selection_order == 1
    assert result.ballots == 7
    assert result.spent <= result.budget
    # Recount the published file with the engine, from scratch.
    election = read_pb(io.StringIO(result.pb_file))
    assert election.meta["rule"] == "greedy"
    assert election.num_voters == 7
    recount = tally(election, rule="greedy", utility="cost", completion="none")
    winners = {int(pid) for pid in recount.selected}
    assert winners == {row.project_id for row in result.projects.filter(selected=True)}
    assert result.explanation["greedy_steps"][0]["project"] == a.title


def test_mes_results_recount_and_explanation() -> None:
    r, _projects, _voters, _codes = _vote_and_publish(rule="mes", completion="add1")
    result = r.results.get()
    election = read_pb(io.StringIO(result.pb_file))
    assert election.meta["rule"] == "equalshares/add1"
    recount = tally(election, rule="mes", utility="cost", completion="add1")
    assert {int(p) for p in recount.selected} == set(
        result.projects.filter(selected=True).values_list("project_id", flat=True)
    )
    assert counting.to_pounds(recount.total_cost) == result.spent
    assert result.explanation["mes_steps"]
    assert result.explanation["initial_share"].startswith("£")
    assert sum(row["voters"] for row in result.explanation["shares_left"]) == 7


def test_points_ballots_recount() -> None:
    r, (a, b, c), by = pf.voting_round(vote_type=VoteType.CUMULATIVE, max_points=10, rule="mes")
    for choice in ({a.pk: 7, b.pk: 3}, {c.pk: 10}, {b.pk: 5, c.pk: 5}):
        submit_ballot(round_=r, voter=pf.voter(r), choices=choice)
    r = pf.advance_to(r, Phase.RESULTS, by)
    result = r.results.get()
    election = read_pb(io.StringIO(result.pb_file))
    assert election.vote_type == "cumulative" and election.meta["max_sum_points"] == "10"
    recount = tally(election, rule="mes", utility="points", completion="add1")
    assert {int(p) for p in recount.selected} == set(
        result.projects.filter(selected=True).values_list("project_id", flat=True)
    )
    points = dict(result.projects.values_list("project_id", "points"))
    assert points == {a.pk: 7, b.pk: 8, c.pk: 15}


def test_split_pot_is_counted_per_district() -> None:
    by = pf.staff()
    north, south = pf.hood("North"), pf.hood("South")
    r = pf.round_(by, pot=Decimal("1000"))
    set_district_pots(round_=r, by=by, amounts={north: Decimal("600"), south: Decimal("400")})
    n1, n2 = pf.idea(r, district=north), pf.idea(r, district=north)
    s1 = pf.idea(r, district=south)
    r = advance_round(round_=r, by=by)
    pf.cost(n1, by, "500")
    pf.cost(n2, by, "300")
    pf.cost(s1, by, "400")
    r = pf.advance_to(r, Phase.VOTING, by)
    submit_ballot(round_=r, voter=pf.voter(r, north), choices={n1.pk: 1})
    submit_ballot(round_=r, voter=pf.voter(r, north), choices={n1.pk: 1, n2.pk: 1})
    submit_ballot(round_=r, voter=pf.voter(r, south), choices={s1.pk: 1})
    r = pf.advance_to(r, Phase.RESULTS, by)
    results = {
        res.district.name if res.district else "": res
        for res in r.results.select_related("district")
    }
    assert set(results) == {"North", "South"}
    assert results["North"].budget == Decimal("600.00") and results["North"].ballots == 2
    assert results["North"].file_name.endswith("-north.pb")
    assert read_pb(io.StringIO(results["South"].pb_file)).meta["district"] == "South"
    assert results["South"].projects.get().selected


# --- secrecy ---------------------------------------------------------------------------------------


def test_after_close_no_row_links_a_voter_to_their_choices() -> None:
    r, (a, b, c), by = pf.voting_round()
    voters = [pf.voter(r) for _ in range(5)]
    for i, voter in enumerate(voters):
        submit_ballot(round_=r, voter=voter, choices={[a, b, c][i % 3].pk: 1})
    ids_before = set(AnonymousBallot.objects.values_list("id", flat=True))
    advance_round(round_=r, by=by)  # close voting

    assert not BallotLinkKey.objects.exists()
    ballots = list(AnonymousBallot.objects.all())
    assert len(ballots) == 5
    assert all(ballot.link_tag is None for ballot in ballots)
    # Re-issued under new random ids, so no id survives from the time of voting.
    assert ids_before.isdisjoint({ballot.id for ballot in ballots})
    for voter in voters:
        assert current_choices(r, voter) is None

    # No model that points at a user also holds ballot choices, and the ballot table has no
    # user, timestamp or other column that could join it to a voter.
    ballot_fields = {field.name for field in AnonymousBallot._meta.get_fields()}
    assert ballot_fields == {"id", "round", "district", "channel", "choices", "link_tag", "sealed"}
    for model in apps.get_app_config("participation").get_models():
        user_fks = [
            field
            for field in model._meta.get_fields()
            if isinstance(field, models.ForeignKey) and field.related_model.__name__ == "User"
        ]
        if not user_fks:
            continue
        for obj in model._default_manager.all():
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if model is PaperBallotEntry and field.name == "choices":
                    continue  # paper entries carry no voter, only the staff who typed them
                assert not (isinstance(value, list) and value and isinstance(value[0], list)), (
                    f"{model.__name__}.{field.name} holds choices next to a user"
                )


def test_no_admin_screen_shows_ballots_or_participations() -> None:
    from django.contrib import admin

    from participation.models import PaperBallotEntry as Entry

    for model in (AnonymousBallot, VoterParticipation, BallotLinkKey, Entry):
        assert model not in admin.site._registry


def test_the_personal_data_export_never_includes_choices() -> None:
    r, (a, _b, _c), _by = pf.voting_round()
    voter = pf.voter(r)
    submit_ballot(round_=r, voter=voter, choices={a.pk: 1})
    data = export_personal_data(person=voter, requested_by=voter, request=None)
    section = data["participation"]
    assert section["voted_in"] == [
        {"round": r.title, "how": "Online", "on": section["voted_in"][0]["on"]}
    ]
    assert a.title not in str(section)


def test_erasure_keeps_turnout_but_drops_the_person() -> None:
    from accounts.services import erase_person

    r, (a, _b, _c), by = pf.voting_round()
    voter = pf.voter(r)
    submit_ballot(round_=r, voter=voter, choices={a.pk: 1})
    erase_person(person=voter, erased_by=by, request=None)
    participation = VoterParticipation.objects.get()
    assert participation.user is None
    assert sum(row.voted for row in selectors.turnout_by_neighbourhood(r)) == 1


# --- receipts --------------------------------------------------------------------------------------


def test_receipts_show_recorded_then_counted_but_not_the_choices() -> None:
    r, (a, _b, _c), by = pf.voting_round()
    voter = pf.voter(r)
    code = submit_ballot(round_=r, voter=voter, choices={a.pk: 1}).code
    assert selectors.receipt_status(r, code) == "recorded"
    assert selectors.receipt_status(r, code.lower().replace("-", " ")) == "recorded"
    assert selectors.receipt_status(r, "AAAA-BBBB-CCCC") == "unknown"
    r = pf.advance_to(r, Phase.RESULTS, by)
    assert selectors.receipt_status(r, code) == "counted"
    # The receipt is stored only as a hash, and only on the participation, never on a ballot.
    assert not VoterParticipation.objects.filter(receipt_hash=code).exists()
    assert code not in str(list(AnonymousBallot.objects.values_list("choices", flat=True)))


def test_every_receipt_is_matched_by_a_counted_ballot() -> None:
    r, _projects, _voters, codes = _vote_and_publish()
    totals = selectors.vote_totals(r)
    assert totals["receipts"] == totals["ballots"] == len(codes) == 7
    assert all(selectors.receipt_status(r, code) == "counted" for code in codes)


def test_turnout_by_neighbourhood() -> None:
    north, south = pf.hood("North"), pf.hood("South")
    r, (a, _b, _c), by = pf.voting_round()
    for _ in range(2):
        submit_ballot(round_=r, voter=pf.voter(r, north), choices={a.pk: 1})
    pf.voter(r, north)  # registered, did not vote
    pf.voter(r, south)
    issue_paper_ballot(round_=r, by=by, voter=f.user(), neighbourhood=south, age_band="35-49")
    rows = {row.neighbourhood: row for row in selectors.turnout_by_neighbourhood(r)}
    assert (rows["North"].registered, rows["North"].voted, rows["North"].percent) == (3, 2, "67%")
    assert (rows["South"].registered, rows["South"].voted, rows["South"].paper) == (2, 1, 1)
