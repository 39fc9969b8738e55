"""Ideas, pitches and comments: residents propose ideas while ideas are open, proposers (or staff)
write the pitch, and people comment during pitches and voting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from participation.models import (
    Comment,
    Phase,
    Project,
    Round,
)
from participation.permissions import (
    can_edit_pitch,
)
from participation.services._common import (
    ParticipationError,
    is_split,
)

if TYPE_CHECKING:
    # Only a type: the neighbourhoods themselves are read through directory.selectors.
    from directory.models import Neighbourhood


@transaction.atomic
def propose_idea(
    *,
    round_: Round,
    by: User,
    title: str,
    what: str,
    who_benefits: str,
    district: Neighbourhood | None = None,
    request: HttpRequest | None = None,
) -> Project:
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.phase != Phase.IDEAS:
        raise ParticipationError("Ideas are not being collected for this round at the moment.")
    if is_split(round_):
        if district is None:
            raise ParticipationError("Choose the neighbourhood the idea is for.", "district")
        if not round_.district_pots.filter(neighbourhood=district).exists():
            raise ParticipationError(f"{district} has no pot in this round.", "district")
    else:
        district = None
    project = Project.objects.create(
        round=round_,
        title=title.strip(),
        what=what.strip(),
        who_benefits=who_benefits.strip(),
        district=district,
        proposed_by=by,
    )
    record_audit(
        actor=by, action=AuditEvent.Action.CREATE, target=project, summary=f"Proposed {title}"
    )
    return project


@transaction.atomic
def update_pitch(
    *,
    project: Project,
    by: User,
    pitch: str,
    media_url: str = "",
    request: HttpRequest | None = None,
) -> Project:
    project = Project.objects.select_for_update().select_related("round").get(pk=project.pk)
    if not can_edit_pitch(by, project):
        raise ParticipationError(
            "Only the person who proposed the idea, or staff, can edit its pitch."
        )
    if project.round.phase not in (Phase.FEASIBILITY, Phase.PITCHES):
        raise ParticipationError("Pitches can be written until voting opens.")
    if project.status != Project.Status.ON_BALLOT:
        raise ParticipationError("Only projects taken forward have a pitch.")
    project.pitch = pitch.strip()
    project.media_url = media_url.strip()
    project.save(update_fields=["pitch", "media_url"])
    record_audit(actor=by, action=AuditEvent.Action.UPDATE, target=project, summary="Pitch updated")
    return project


@transaction.atomic
def add_comment(*, project: Project, by: User, text: str) -> Comment:
    project = Project.objects.select_related("round").get(pk=project.pk)
    round_ = project.round
    if round_.phase not in (Phase.PITCHES, Phase.VOTING):
        raise ParticipationError("Comments are open during pitches and voting.")
    if project.status != Project.Status.ON_BALLOT:
        raise ParticipationError("You can comment on projects that were taken forward.")
    if not text.strip():
        raise ParticipationError("Write your comment.", "text")
    comment = Comment.objects.create(project=project, author=by, text=text.strip())
    record_audit(actor=by, action=AuditEvent.Action.CREATE, target=comment, summary="Commented")
    return comment
