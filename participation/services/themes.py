"""Themes from the gap in the market, offered to a round that is still taking ideas."""

from __future__ import annotations

from django.db import transaction

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from participation.models import (
    Phase,
    Round,
    Theme,
)
from participation.services._common import (
    ParticipationError,
    _require_staff,
)

# --- themes from the gap in the market -----------------------------------------------------------


@transaction.atomic
def offer_theme(*, actor: User, round_: Round, title: str, evidence: str) -> Theme:
    """Offer a theme to a round that is still taking ideas, with the evidence for it (counts from
    the gap-in-the-market page; no person is named there). Commissioners and coordinators only;
    the same theme is offered to a round once."""
    _require_staff(actor)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.phase != Phase.IDEAS:
        raise ParticipationError(
            "This round has stopped taking ideas: choose a round that is still taking them",
            field="round",
        )
    title = " ".join(title.split())
    if not title:
        raise ParticipationError("Give the theme a title", field="title")
    if len(title) > 150:
        raise ParticipationError("Give the theme a title of 150 characters or fewer", field="title")
    if round_.themes.filter(title__iexact=title).exists():
        raise ParticipationError("This theme has already been offered to this round", field="title")
    theme = Theme.objects.create(
        round=round_, title=title, evidence=evidence.strip()[:1000], offered_by=actor
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=theme,
        summary=f"Offered the theme {title!r} to the round {round_.title!r}",
    )
    return theme
