"""While voting is open, a dump of the database alone cannot link a voter to a ballot: not by the
order rows were stored in, not by ids, not by timestamps, not by recomputing a tag from a key kept
in the database (issue 11, finding 2)."""

from __future__ import annotations

import hmac
import itertools
from collections import Counter

import pytest
from django.db import connection
from django.test import override_settings

from accounts.models import User
from participation.models import AnonymousBallot, Phase, Round, VoterParticipation
from participation.services._common import ParticipationError
from participation.services.ballots import current_choices, receipt_hash, submit_ballot
from participation.services.rounds import advance_round
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db

TABLES = [
    "participation_voterparticipation",
    "participation_anonymousballot",
    "participation_ballotlinkkey",
]


def dump() -> dict[str, list[dict[str, object]]]:
    """Every column of the voter-side and ballot-side tables, rows in storage order (as a dump
    writes them), with SQLite's hidden rowid as the storage position."""
    tables: dict[str, list[dict[str, object]]] = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            rowid = "rowid AS storage_position, " if connection.vendor == "sqlite" else ""
            order = " ORDER BY rowid" if connection.vendor == "sqlite" else ""
            cursor.execute(f"SELECT {rowid}* FROM {table}{order}")  # noqa: S608 (fixed names)
            names = [column[0] for column in cursor.description]
            tables[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return tables


def cast_distinct_ballots() -> tuple[Round, User, dict[int, list[list[int]]]]:
    r, projects, by = pf.voting_round(costs=("1000", "2000", "3000", "4000"))
    subsets = [combo for size in (1, 2, 3) for combo in itertools.combinations(projects, size)][:8]
    cast: dict[int, list[list[int]]] = {}
    for subset in subsets:
        voter = pf.voter(r)
        submit_ballot(round_=r, voter=voter, choices={p.pk: 1 for p in subset})
        cast[voter.pk] = sorted([p.pk, 1] for p in subset)
    return r, by, cast


def test_a_dump_while_voting_is_open_does_not_link_voters_to_choices() -> None:
    r, by, cast = cast_distinct_ballots()
    tables = dump()
    voters = tables["participation_voterparticipation"]
    ballots = tables["participation_anonymousballot"]
    assert len(voters) == len(ballots) == len(cast)

    # 1. Storage order, ids and timestamps: the attacker pairs the k-th voter (by id, by storage
    # position, by date) with the k-th ballot (by storage position, by id). Whatever pairing they
    # use, no ballot row shows its choices: every column a pairing could read is the same on every
    # row, except the random id, the tag and the sealed blob (all of one length).
    for column in ballots[0]:
        if column in ("id", "link_tag", "sealed", "storage_position"):
            continue
        assert len({str(row[column]) for row in ballots}) == 1, f"ballot column {column} varies"
    assert len({len(str(row["sealed"])) for row in ballots}) == 1
    for row in ballots:
        for choices in cast.values():
            assert str(choices) not in str(row) and str(choices).replace(" ", "") not in str(row)
    # No timestamp on the ballot side; the voter side has only the day.
    assert not any("_at" in column or "time" in column for column in ballots[0])
    assert len({row["recorded_on"] for row in voters}) == 1

    # 2. No value in the dump recomputes a tag: the key is not in the database.
    values = {str(v) for table in tables.values() for row in table for v in row.values()}
    tags = {row["link_tag"] for row in ballots}
    for value, voter in itertools.product(values, voters):
        message = f"{r.pk}:{voter['user_id']}".encode()
        for key in {value.encode(), bytes.fromhex(value) if _is_hex(value) else b""}:
            assert hmac.new(key, message, "sha256").hexdigest() not in tags

    # 3. And yet each voter finds their own ballot (with the environment's key), and the count
    # after close has exactly the ballots cast.
    for user_id, choices in cast.items():
        person = User.objects.get(pk=user_id)
        assert current_choices(r, person) == {choice[0]: choice[1] for choice in choices}
    advance_round(round_=r, by=by)
    counted = Counter(str(sorted(b.choices)) for b in AnonymousBallot.objects.filter(round=r))
    assert counted == Counter(str(c) for c in cast.values())
    assert not any(b.sealed or b.link_tag for b in AnonymousBallot.objects.all())


def _is_hex(value: str) -> bool:
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return bool(value)


def test_changing_a_vote_keeps_one_sealed_ballot_and_a_new_receipt() -> None:
    r, (a, b, _c), _by = pf.voting_round()
    person = pf.voter(r)
    first = submit_ballot(round_=r, voter=person, choices={a.pk: 1})
    sealed_before = AnonymousBallot.objects.get().sealed
    second = submit_ballot(round_=r, voter=person, choices={b.pk: 1})
    assert second.changed and second.code != first.code
    ballot = AnonymousBallot.objects.get()
    assert ballot.sealed != sealed_before and ballot.choices == []
    assert current_choices(r, person) == {b.pk: 1}
    participation = VoterParticipation.objects.get()
    assert participation.receipt_hash == receipt_hash(second.code)


def test_ballots_cannot_be_opened_without_the_environments_key() -> None:
    r, (a, _b, _c), by = pf.voting_round()
    person = pf.voter(r)
    submit_ballot(round_=r, voter=person, choices={a.pk: 1})
    with override_settings(BALLOT_SECRET_KEY="a-different-key"):
        assert current_choices(r, person) is None
        with pytest.raises(ParticipationError, match="BALLOT_SECRET_KEY"):
            advance_round(round_=r, by=by)
    assert AnonymousBallot.objects.get().sealed  # nothing lost: close again with the right key
    r = advance_round(round_=r, by=by)
    assert r.phase == Phase.COUNTING
    assert AnonymousBallot.objects.get().choices == [[a.pk, 1]]
