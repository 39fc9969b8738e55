"""One person, one ballot, under concurrent submissions (needs PostgreSQL: row locks and a real
unique index checked across transactions)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import IntegrityError, connection

from participation.models import AnonymousBallot, Channel, VoterParticipation
from participation.services._common import ParticipationError
from participation.services.ballots import (
    BallotReceipt,
    current_choices,
    receipt_hash,
    submit_ballot,
)
from participation.services.rounds import advance_round
from participation.tests import factories as pf

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8
T = TypeVar("T")


def _race(
    work: Callable[[int], T], threads_count: int = THREADS
) -> tuple[list[T], list[BaseException]]:
    barrier = threading.Barrier(threads_count)
    results: list[T] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results.append(work(i))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_concurrent_ballots_for_one_voter_make_exactly_one_ballot() -> None:
    r, projects, _by = pf.voting_round()
    voter = pf.voter(r)

    def submit(i: int) -> BallotReceipt:
        return submit_ballot(round_=r, voter=voter, choices={projects[i % 3].pk: 1})

    receipts, errors = _race(submit)
    assert errors == []
    assert VoterParticipation.objects.filter(round=r, user=voter).count() == 1
    assert AnonymousBallot.objects.filter(round=r).count() == 1
    # Exactly one submission created the ballot; the others changed it.
    assert sum(1 for receipt in receipts if not receipt.changed) == 1
    last = VoterParticipation.objects.get().receipt_hash
    assert last in {receipt_hash(rc.code) for rc in receipts}


def test_the_unique_constraint_alone_refuses_concurrent_second_rows() -> None:
    r, _projects, _by = pf.voting_round()
    voter = pf.voter(r)
    hood = voter.pb_registrations.get().neighbourhood

    def insert(i: int) -> object:
        return VoterParticipation.objects.create(
            round=r,
            user=voter,
            neighbourhood=hood,
            channel=Channel.ONLINE,
            receipt_hash=f"{i:064d}",
        )

    created, errors = _race(insert)
    assert len(created) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, IntegrityError) for error in errors)


def test_ballots_racing_the_close_are_either_in_or_refused() -> None:
    r, projects, by = pf.voting_round()
    voters = [pf.voter(r) for _ in range(THREADS - 1)]

    def work(i: int) -> object:
        if i == THREADS - 1:
            return advance_round(round_=r, by=by)
        return submit_ballot(round_=r, voter=voters[i], choices={projects[0].pk: 1})

    _results, errors = _race(work)
    assert all(isinstance(e, ParticipationError) for e in errors), errors
    # Every recorded participation has its ballot, and no ballot kept a link.
    assert (
        AnonymousBallot.objects.filter(round=r).count()
        == VoterParticipation.objects.filter(round=r).count()
    )
    assert not AnonymousBallot.objects.filter(link_tag__isnull=False).exists()


def test_sixteen_voters_voting_at_once_are_each_counted_once() -> None:
    r, projects, by = pf.voting_round()
    voters = [pf.voter(r) for _ in range(16)]

    def vote(i: int) -> BallotReceipt:
        return submit_ballot(
            round_=r, voter=voters[i], choices={projects[i % 3].pk: 1, projects[(i + 1) % 3].pk: 1}
        )

    receipts, errors = _race(vote, threads_count=16)
    assert errors == []
    assert len(receipts) == 16 and not any(rc.changed for rc in receipts)
    assert VoterParticipation.objects.filter(round=r).count() == 16
    assert AnonymousBallot.objects.filter(round=r).count() == 16
    for i, voter in enumerate(voters):
        assert current_choices(r, voter) == {
            projects[i % 3].pk: 1,
            projects[(i + 1) % 3].pk: 1,
        }
    advance_round(round_=r, by=by)  # close: every sealed ballot opens
    counted = sorted(sorted(pid for pid, _ in b.choices) for b in AnonymousBallot.objects.all())
    expected = sorted(sorted([projects[i % 3].pk, projects[(i + 1) % 3].pk]) for i in range(16))
    assert counted == expected
