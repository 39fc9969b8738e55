"""Paper ballots: staff give out a paper (the register, with a receipt code), enter each returned
paper, and a second person confirms it before it counts."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from participation.models import (
    AnonymousBallot,
    Channel,
    PaperBallotEntry,
    Phase,
    Round,
    VoterParticipation,
    VoterRegistration,
)
from participation.permissions import may_confirm_paper_ballot
from participation.services._common import (
    ParticipationError,
    _require_staff,
    is_split,
)
from participation.services.ballots import (
    _lock_round_for_voting,
    clean_choices,
    new_receipt_code,
    receipt_hash,
)
from participation.services.registration import (
    register_voter,
)

if TYPE_CHECKING:
    # Only a type: the neighbourhoods themselves are read through directory.selectors.
    from directory.models import Neighbourhood

# --- paper ballots ---------------------------------------------------------------------------------


@transaction.atomic
def create_paper_voter(*, by: User, display_name: str) -> User:
    """An account without a password for a resident who votes on paper and has no account."""
    _require_staff(by)
    if not display_name.strip():
        raise ParticipationError("Enter the resident's name.", "display_name")
    user = User.objects.create_user(
        username=f"paper-voter-{secrets.token_hex(5)}", display_name=display_name.strip()
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.CREATE,
        target=user,
        subject=user,
        summary="Created a record for a paper voter",
    )
    return user


def issue_paper_ballot(
    *,
    round_: Round,
    by: User,
    voter: User,
    neighbourhood: Neighbourhood,
    date_of_birth: date | None = None,
    age_band: str = "",
    request: HttpRequest | None = None,
) -> str:
    """Mark a resident as given a paper ballot (the register), and return their receipt code.

    The paper's own number is not recorded against them: the paper goes in the box without a name.
    """
    _require_staff(by)
    try:
        with transaction.atomic():
            round_ = _lock_round_for_voting(round_)
            if round_.phase != Phase.VOTING:
                raise ParticipationError(
                    "Paper ballots can only be given out while voting is open."
                )
            registration = VoterRegistration.objects.filter(round=round_, user=voter).first()
            if registration is None or registration.status != VoterRegistration.Status.APPROVED:
                registration = register_voter(
                    round_=round_,
                    user=voter,
                    neighbourhood=neighbourhood,
                    date_of_birth=date_of_birth,
                    age_band=age_band,
                    approved_by=by,
                    request=request,
                )
            code = new_receipt_code()
            VoterParticipation.objects.create(
                round=round_,
                user=voter,
                neighbourhood=registration.neighbourhood,
                channel=Channel.PAPER,
                receipt_hash=receipt_hash(code),
            )
            record_audit(
                actor=by,
                action=AuditEvent.Action.CREATE,
                object_type="participation.voterparticipation",
                object_id=str(round_.pk),
                subject=voter,
                summary=f"Given a paper ballot for {round_.title}",
                request=request,
            )
            return code
    except IntegrityError:
        raise ParticipationError(
            "This person has already voted in this round (online or on paper)."
        ) from None


PAPER_NUMBER_MAX = 20
PAPER_NUMBER_SHAPE = re.compile(rf"[a-z0-9]{{1,{PAPER_NUMBER_MAX}}}", re.ASCII)
PAPER_NUMBER_HELP = (
    "Enter the letters and numbers printed on the paper, like P-0042 (up to "
    f"{PAPER_NUMBER_MAX} letters and numbers; spaces, dashes and capitals do not matter)."
)


def normalise_paper_number(typed: str) -> str:
    """The one form a paper's number is stored and compared in.

    Unicode NFKC (full-width and other compatibility forms become plain letters and digits), then
    format characters (category Cf, such as zero-width spaces), whitespace and dashes (category Pd)
    are dropped and the text is case-folded. What is left must be 1 to 20 ASCII letters and digits;
    it is stored in capitals (``p-1``, a full-width P with 1, and ``P1`` with a zero-width space
    between are all ``P1``).
    """
    text = unicodedata.normalize("NFKC", typed)
    text = "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Pd")
    ).casefold()
    if not PAPER_NUMBER_SHAPE.fullmatch(text):
        raise ParticipationError(PAPER_NUMBER_HELP, "paper_number")
    return text.upper()


def _check_paper_totals(round_: Round, adding: int = 0) -> None:
    given = round_.participations.filter(channel=Channel.PAPER).count()
    counted = round_.ballots.filter(channel=Channel.PAPER).count() + adding
    if counted > given:
        raise ParticipationError(
            f"That would make {counted} paper ballots, but only {given} were given out."
        )


@transaction.atomic
def enter_paper_ballot(
    *,
    round_: Round,
    by: User,
    paper_number: str,
    choices: Mapping[int, int],
    district: Neighbourhood | None = None,
    request: HttpRequest | None = None,
) -> PaperBallotEntry:
    _require_staff(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.phase not in (Phase.VOTING, Phase.COUNTING):
        raise ParticipationError("Paper ballots are entered while voting is open or being counted.")
    paper_number = normalise_paper_number(paper_number)
    if is_split(round_):
        if district is None or not round_.district_pots.filter(neighbourhood=district).exists():
            raise ParticipationError("Choose the neighbourhood of the ballot box.", "district")
    else:
        district = None
    if PaperBallotEntry.objects.filter(round=round_, paper_number=paper_number).exists():
        raise ParticipationError(f"Paper {paper_number} has already been entered.", "paper_number")
    cleaned = clean_choices(round_, choices, district)
    entry = PaperBallotEntry.objects.create(
        round=round_,
        paper_number=paper_number,
        district=district,
        choices=cleaned,
        entered_by=by,
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.CREATE,
        target=entry,
        summary=f"Entered paper ballot {entry.paper_number}",
        request=request,
    )
    return entry


@transaction.atomic
def confirm_paper_ballot(
    *, entry: PaperBallotEntry, by: User, request: HttpRequest | None = None
) -> AnonymousBallot:
    """A second staff member checks the entry against the paper; only then does it count."""
    _require_staff(by)
    round_ = Round.objects.select_for_update().get(pk=entry.round_id)
    entry = PaperBallotEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.confirmed_by_id is not None:
        raise ParticipationError(f"Paper {entry.paper_number} has already been confirmed.")
    if not may_confirm_paper_ballot(by, entry):
        raise ParticipationError(
            "A different person must confirm a paper ballot from the one who entered it."
        )
    if round_.phase not in (Phase.VOTING, Phase.COUNTING):
        raise ParticipationError("The results are published: paper ballots can no longer be added.")
    _check_paper_totals(round_, adding=1)
    entry.confirmed_by = by
    entry.save(update_fields=["confirmed_by"])
    ballot = AnonymousBallot.objects.create(
        round=round_, district=entry.district, channel=Channel.PAPER, choices=entry.choices
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=entry,
        summary=f"Confirmed paper ballot {entry.paper_number}",
        request=request,
    )
    return ballot


@transaction.atomic
def reject_paper_entry(
    *, entry: PaperBallotEntry, by: User, request: HttpRequest | None = None
) -> None:
    """The checker found a mistake: remove the unconfirmed entry so it can be entered again."""
    _require_staff(by)
    entry = PaperBallotEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.confirmed_by_id is not None:
        raise ParticipationError("A confirmed paper ballot cannot be removed.")
    record_audit(
        actor=by,
        action=AuditEvent.Action.DELETE,
        target=entry,
        summary=f"Removed an unconfirmed entry for paper {entry.paper_number}",
        request=request,
    )
    entry.delete()
