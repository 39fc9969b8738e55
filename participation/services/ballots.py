"""Voting online: the ballot is checked against the round's rules, sealed until voting closes, and
the voter gets a receipt code by email. A voter may change their ballot while voting is open."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from participation import ballot_seal
from participation.models import (
    PHASE_ORDER,
    AnonymousBallot,
    BallotLinkKey,
    Channel,
    Phase,
    Project,
    Round,
    VoterParticipation,
    VoterRegistration,
    VoteType,
)
from participation.services._common import (
    ParticipationError,
    is_split,
)
from wellbeing_hub.notifications import notify, site_url

if TYPE_CHECKING:
    # Only a type: the neighbourhoods themselves are read through directory.selectors.
    from directory.models import Neighbourhood

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I

# --- ballots ---------------------------------------------------------------------------------------


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def receipt_hash(code: str) -> str:
    cleaned = re.sub(r"[^A-Z0-9]", "", code.upper())
    return hashlib.sha256(f"pb-receipt:{cleaned}".encode()).hexdigest()


def _link_tag(salt: str, round_: Round, user: User) -> str:
    return ballot_seal.link_tag(salt, round_.pk, user.pk)


def ballot_district(round_: Round, neighbourhood: Neighbourhood) -> Neighbourhood | None:
    return neighbourhood if is_split(round_) else None


def clean_choices(
    round_: Round, choices: Mapping[int, int], district: Neighbourhood | None
) -> list[list[int]]:
    """Check a ballot against the round's rules; return it as sorted ``[project id, points]``."""
    allowed = round_.projects.filter(status=Project.Status.ON_BALLOT)
    if district is not None:
        allowed = allowed.filter(district=district)
    allowed_ids = set(allowed.values_list("pk", flat=True))
    chosen = {int(pid): int(points) for pid, points in choices.items() if int(points) != 0}
    if any(points < 0 for points in chosen.values()):
        raise ParticipationError("Points cannot be negative.")
    if not chosen:
        raise ParticipationError(
            "Choose at least one project."
            if round_.vote_type == VoteType.APPROVAL
            else "Give points to at least one project."
        )
    unknown = set(chosen) - allowed_ids
    if unknown:
        raise ParticipationError("Your ballot includes a project that is not on your ballot paper.")
    if round_.vote_type == VoteType.APPROVAL:
        if any(points != 1 for points in chosen.values()):
            raise ParticipationError("Choose each project once.")
        if round_.max_choices and len(chosen) > round_.max_choices:
            raise ParticipationError(
                f"You chose {len(chosen)} projects. You can choose up to {round_.max_choices}."
            )
    else:
        total = sum(chosen.values())
        if round_.max_points and total > round_.max_points:
            raise ParticipationError(
                f"You gave {total} points. You have {round_.max_points} points to share out."
            )
    return [[pid, chosen[pid]] for pid in sorted(chosen)]


def _lock_round_for_voting(round_: Round) -> Round:
    """Lock the round for sharing: ballots may be recorded side by side, but closing the vote waits
    for them (and they wait for it), so no ballot slips in as the links are destroyed."""
    if connection.vendor == "postgresql":
        return Round.objects.raw(
            "SELECT * FROM participation_round WHERE id = %s FOR SHARE", [round_.pk]
        )[0]
    return Round.objects.get(pk=round_.pk)


@dataclass(frozen=True)
class BallotReceipt:
    code: str
    changed: bool


def submit_ballot(
    *, round_: Round, voter: User, choices: Mapping[int, int], request: HttpRequest | None = None
) -> BallotReceipt:
    """Record (or, while voting is open, change) a voter's online ballot; return a new receipt code.

    One ballot per person is the database's unique (round, user) constraint; two submissions racing
    for the same voter cannot both insert, and the one that loses is retried as a change.
    """
    try:
        return _submit_ballot(round_, voter, choices, request)
    except IntegrityError:
        # Another request for the same voter committed first: ours becomes a change of ballot.
        return _submit_ballot(round_, voter, choices, request)


@transaction.atomic
def _submit_ballot(
    round_: Round, voter: User, choices: Mapping[int, int], request: HttpRequest | None
) -> BallotReceipt:
    round_ = _lock_round_for_voting(round_)
    if round_.phase != Phase.VOTING:
        raise ParticipationError(
            "Voting has closed for this round."
            if round_.phase_index > PHASE_ORDER.index(Phase.VOTING)
            else "Voting has not opened yet for this round."
        )
    registration = VoterRegistration.objects.filter(round=round_, user=voter).first()
    if registration is None:
        raise ParticipationError("Register to vote in this round first.")
    if registration.status != VoterRegistration.Status.APPROVED:
        raise ParticipationError("Your registration to vote has not been approved yet.")
    district = ballot_district(round_, registration.neighbourhood)
    cleaned = clean_choices(round_, choices, district)
    salt = BallotLinkKey.objects.get(round=round_).key
    tag = _link_tag(salt, round_, voter)
    sealed = ballot_seal.seal(salt, tag, cleaned)
    code = new_receipt_code()
    participation = (
        VoterParticipation.objects.select_for_update().filter(round=round_, user=voter).first()
    )
    if participation is None:
        with transaction.atomic():  # a savepoint, so the race's loser can be retried cleanly
            VoterParticipation.objects.create(
                round=round_,
                user=voter,
                neighbourhood=registration.neighbourhood,
                channel=Channel.ONLINE,
                receipt_hash=receipt_hash(code),
            )
            AnonymousBallot.objects.create(
                round=round_,
                district=district,
                channel=Channel.ONLINE,
                choices=[],  # sealed until voting closes
                sealed=sealed,
                link_tag=tag,
            )
        changed = False
    else:
        if participation.channel == Channel.PAPER:
            raise ParticipationError(
                "You were given a paper ballot for this round, so you cannot also vote online."
            )
        updated = AnonymousBallot.objects.filter(round=round_, link_tag=tag).update(sealed=sealed)
        if updated != 1:  # pragma: no cover - the tag is written with the participation
            raise ParticipationError("We could not find your ballot to change it.")
        participation.receipt_hash = receipt_hash(code)
        participation.save(update_fields=["receipt_hash"])
        changed = True
    record_audit(
        actor=voter,
        action=AuditEvent.Action.UPDATE if changed else AuditEvent.Action.CREATE,
        object_type="participation.voterparticipation",
        object_id=str(round_.pk),
        subject=voter,
        summary=f"{'Changed their' if changed else 'Cast a'} ballot in {round_.title}",
        request=request,
    )
    _email_receipt(round_, voter, code, changed)
    return BallotReceipt(code, changed)


def _email_receipt(round_: Round, voter: User, code: str, changed: bool) -> None:
    """The receipt code by email, so the voter can check later that their vote was counted.
    Never what they chose: the code only shows whether a ballot was recorded and counted."""
    from django.urls import reverse

    link = site_url(reverse("participation:receipts", args=[round_.slug]))
    notify(
        f"Your receipt code for {round_.title}",
        ("You changed your vote. " if changed else "Thank you for voting. ")
        + f"Your receipt code is {code}"
        + (" (it replaces the code we gave you before)" if changed else "")
        + ".\n\nKeep it to check that your vote was counted, once the results are out: "
        + f"{link}\n\nThe code does not show how you voted, and nobody can see your choices "
        "from it.",
        [voter.email],
        kind="pb_receipt",
    )


def current_choices(round_: Round, voter: User) -> dict[int, int] | None:
    """The voter's own ballot, while voting is open (afterwards nobody can find it)."""
    salt = BallotLinkKey.objects.filter(round=round_).values_list("key", flat=True).first()
    if salt is None:
        return None
    tag = _link_tag(salt, round_, voter)
    ballot = AnonymousBallot.objects.filter(round=round_, link_tag=tag).first()
    if ballot is None:
        return None
    try:
        choices = ballot_seal.open_sealed(salt, tag, ballot.sealed) if ballot.sealed else []
    except ballot_seal.SealError:
        return None
    return {int(pid): int(points) for pid, points in choices}
