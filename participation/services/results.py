"""Closing the vote and publishing the results: ballots are unlinked from voters, counted with the
round's rule, and published as a pabulib file that must recount to the same winners."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from participation import ballot_seal, counting
from participation.models import (
    AnonymousBallot,
    BallotLinkKey,
    Project,
    ProjectResult,
    Round,
    RoundResult,
)
from participation.services._common import (
    ParticipationError,
)
from participation.services.paper_ballots import (
    _check_paper_totals,
)

if TYPE_CHECKING:
    # Only a type: the neighbourhoods themselves are read through directory.selectors.
    from directory.models import Neighbourhood


def _close_voting(round_: Round) -> None:
    """Destroy every link between voters and ballots.

    Every sealed ballot is opened, the salt is deleted, and every ballot is re-issued in the clear
    under a fresh random id, in a random order, with no tag: neither a tag, an id, nor the order rows
    were written in can then tie a ballot to the participation record written in the same
    transaction.
    """
    salt = BallotLinkKey.objects.filter(round=round_).values_list("key", flat=True).first()
    rows = []
    for district, channel, choices, tag, sealed in round_.ballots.values_list(
        "district_id", "channel", "choices", "link_tag", "sealed"
    ):
        if sealed:
            try:
                choices = ballot_seal.open_sealed(salt or "", tag or "", sealed)
            except ballot_seal.SealError:
                raise ParticipationError(
                    "The online ballots cannot be opened: BALLOT_SECRET_KEY is not the one they "
                    "were cast under. Restore it before closing the vote."
                ) from None
        rows.append((district, channel, choices))
    BallotLinkKey.objects.filter(round=round_).delete()
    round_.ballots.all().delete()
    secrets.SystemRandom().shuffle(rows)
    AnonymousBallot.objects.bulk_create(
        AnonymousBallot(round=round_, district_id=district, channel=channel, choices=choices)
        for district, channel, choices in rows
    )


def counting_settings(round_: Round) -> counting.CountSettings:
    return counting.CountSettings(
        vote_type=round_.vote_type,
        rule=round_.rule,
        completion=round_.completion,
        max_choices=round_.max_choices,
        max_points=round_.max_points,
    )


def _publish_results(round_: Round) -> None:
    waiting = round_.paper_entries.filter(confirmed_by__isnull=True).count()
    if waiting:
        raise ParticipationError(
            f"{waiting} paper ballot{'s are' if waiting != 1 else ' is'} waiting for a second "
            "person to confirm. Confirm them before publishing the results."
        )
    _check_paper_totals(round_)
    settings = counting_settings(round_)
    on_ballot = list(round_.projects.filter(status=Project.Status.ON_BALLOT).order_by("pk"))
    pots = list(round_.district_pots.select_related("neighbourhood"))
    counts: list[tuple[Neighbourhood | None, Decimal]] = (
        [(pot.neighbourhood, pot.amount) for pot in pots] if pots else [(None, round_.pot)]
    )
    for district, budget in counts:
        projects = [p for p in on_ballot if district is None or p.district_id == district.pk]
        ballots = [
            [(str(pid), int(points)) for pid, points in b.choices]
            for b in round_.ballots.filter(district=district).order_by("id")
        ]
        meta = {
            "description": round_.title,
            "country": "United Kingdom",
            "unit": round_.slug,
            "instance": str(round_.voting_close.year),
            "district": district.name if district else "",
            "date_begin": round_.voting_open.strftime("%d.%m.%Y"),
            "date_end": round_.voting_close.strftime("%d.%m.%Y"),
            "currency": "GBP",
        }
        election = counting.build_election(
            budget=budget,
            projects=[
                counting.CountProject(str(p.pk), p.title, p.cost or Decimal(0)) for p in projects
            ],
            ballots=ballots,
            settings=settings,
            meta=meta,
        )
        outcome = counting.count(election, settings)
        text = counting.pb_text(election)
        # Publish only a file that recounts to the same winners.
        if set(counting.recount(text, settings).selected) != set(outcome.selected):
            raise ParticipationError("The published file did not recount to the same winners.")
        result = RoundResult.objects.create(
            round=round_,
            district=district,
            file_name=f"{round_.slug}{'-' + district.slug if district else ''}.pb",
            budget=budget,
            spent=counting.to_pounds(outcome.total_cost),
            ballots=len(ballots),
            pb_file=text,
            explanation=counting.explain(outcome, {str(p.pk): p.title for p in projects}),
        )
        votes = dict.fromkeys((p.pk for p in projects), 0)
        points = dict.fromkeys((p.pk for p in projects), 0)
        for ballot in ballots:
            for pid, pts in ballot:
                votes[int(pid)] += 1
                points[int(pid)] += pts
        order = {pid: i for i, pid in enumerate(outcome.selected, start=1)}
        ProjectResult.objects.bulk_create(
            ProjectResult(
                result=result,
                project=p,
                votes=votes[p.pk],
                points=points[p.pk],
                selected=str(p.pk) in order,
                selection_order=order.get(str(p.pk)),
            )
            for p in projects
        )
    round_.published_at = timezone.now()
