"""Writes for people's voice. Each one is transactional and audited; a refusal raises
:class:`VoiceRefused` naming the field, for the view to show as a GOV.UK error."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from directory import selectors as directory_selectors
from directory import services as directory_services
from rules.voice import DEFAULT_CLOCKS, Clock, add_working_days
from voice.models import Change, Feedback, ModerationDecision, Team
from wellbeing_hub.notifications import notify

STAFF_ENTRY_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR, Role.MODERATOR)
TEXT_MAX = 5000


class VoiceRefused(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def clock_for(kind: str) -> Clock:
    return DEFAULT_CLOCKS[kind]


def is_moderator(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.MODERATOR)  # type: ignore[attr-defined]


def can_enter_for_others(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*STAFF_ENTRY_ROLES)  # type: ignore[attr-defined]


def can_respond(user: object, feedback: Feedback) -> bool:
    """Members of the organisation (directory) or council team the feedback is about, once a
    moderator has passed it on. Nobody responds to feedback about "something else" here."""
    if not getattr(user, "is_authenticated", False):
        return False
    if feedback.moderation not in (Feedback.Moderation.PUBLISHED, Feedback.Moderation.PRIVATE):
        return False
    if feedback.about == Feedback.About.TEAM and feedback.team is not None:
        return feedback.team.members.filter(pk=user.pk).exists()  # type: ignore[attr-defined]
    if feedback.about == Feedback.About.SERVICE and feedback.organization_id:
        organization = directory_selectors.organization_for_page(feedback.organization_id)
        return organization is not None and directory_services.can_act_for(user, organization)  # type: ignore[arg-type]
    return False


def _clean(value: str, field: str, label: str, limit: int = TEXT_MAX, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise VoiceRefused(f"Enter {label}", field)
    if len(value) > limit:
        raise VoiceRefused(
            f"{label[0].upper()}{label[1:]} must be {limit} characters or fewer", field
        )
    return value


def _tell(feedback: Feedback, subject: str, body: str) -> None:
    """Email the person who gave the feedback, when they left an address."""
    address = feedback.email or (feedback.author.email if feedback.author else "")
    if address:
        notify(subject, f"{body}\n\nYour reference: {feedback.reference}", [address])


@transaction.atomic
def submit_feedback(
    *,
    about: str,
    kind: str,
    given_as: str,
    text: str,
    identity: str,
    service_id: str = "",
    team: Team | None = None,
    topic: str = "",
    topic_text: str = "",
    name: str = "",
    email: str = "",
    author: User | None = None,
    source: str = Feedback.Source.ONLINE,
    entered_by: User | None = None,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Feedback:
    now = now or timezone.now()
    if kind not in Feedback.Kind.values:
        raise VoiceRefused("Select what kind of feedback this is", "kind")
    if given_as not in Feedback.GivenAs.values:
        raise VoiceRefused("Select who the feedback is from", "given_as")
    if identity not in Feedback.Identity.values:
        raise VoiceRefused("Select whether we may use your name", "identity")
    if source not in Feedback.Source.values:
        raise VoiceRefused("Select how the feedback was received", "source")
    if source != Feedback.Source.ONLINE and entered_by is None:
        raise VoiceRefused("Only staff can enter feedback received by phone or on paper", "source")
    text = _clean(text, "text", "your feedback")
    feedback = Feedback(
        about=about, kind=kind, given_as=given_as, text=text, identity=identity, source=source
    )
    if about == Feedback.About.SERVICE:
        service = directory_selectors.service_for_page(service_id) if service_id else None
        if service is None:
            raise VoiceRefused("Choose a service from the directory", "service")
        feedback.service_id = str(service.pk)
        feedback.service_name = service.name
        if service.organization is not None:
            feedback.organization_id = str(service.organization.pk)
            feedback.organization_name = service.organization.name
    elif about == Feedback.About.TEAM:
        if team is None:
            raise VoiceRefused("Select a council team", "team")
        feedback.team = team
    elif about == Feedback.About.OTHER:
        if topic not in Feedback.Topic.values:
            raise VoiceRefused("Select what your feedback is about", "topic")
        feedback.topic = topic
        feedback.topic_text = _clean(topic_text, "topic_text", "what it is about", 200, False)
    else:
        raise VoiceRefused("Select what your feedback is about", "about")
    if identity == Feedback.Identity.ANONYMOUS:
        # No name or address. A signed-in person keeps the link to their account (so "Your
        # feedback" shows it and they can confirm a change); only moderators can see it.
        feedback.name, feedback.email = "", ""
        feedback.author = author if entered_by is None else None
    else:
        feedback.name = _clean(
            name or ((author.get_full_name() or author.username) if author else ""),
            "name",
            "your name",
            200,
        )
        feedback.email = _clean(email, "email", "an email address", 254, required=False)
        if feedback.email and "@" not in feedback.email:
            raise VoiceRefused(
                "Enter an email address in the correct format, like name@example.com", "email"
            )
        feedback.author = author if entered_by is None else None
    feedback.entered_by = entered_by
    feedback.received_at = now
    feedback.received_on = timezone.localdate(now)
    clock = clock_for(kind)
    feedback.acknowledge_by = add_working_days(feedback.received_on, clock.acknowledge)
    feedback.respond_by = add_working_days(feedback.acknowledge_by, clock.respond)
    feedback.save()
    record_audit(
        actor=entered_by or author,
        action=AuditEvent.Action.CREATE,
        target=feedback,
        summary=f"{feedback.get_kind_display()} received ({feedback.get_source_display()})",
        request=request,
    )
    moderators = list(
        User.objects.filter(groups__name=Role.MODERATOR, is_active=True).values_list(
            "email", flat=True
        )
    )
    notify(
        f"Feedback {feedback.reference} waiting for moderation",
        "New feedback is waiting in the moderation queue.",
        moderators,
    )
    _tell(
        feedback,
        "We have received your feedback",
        "Thank you. An independent moderator will read it first. We will email you when it moves on.",
    )
    return feedback


def _require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise VoiceRefused("Only the independent voice moderators can do this")


@transaction.atomic
def moderate(
    *,
    feedback: Feedback,
    moderator: User,
    decision: str,
    reason: str,
    published_text: str = "",
    themes: str = "",
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Feedback:
    """Publish (as a story), pass privately to the provider, or decline. A reason is always
    recorded. A published story is final: nobody can edit or hide it afterwards."""
    _require_moderator(moderator)
    now = now or timezone.now()
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.moderation == Feedback.Moderation.PUBLISHED:
        raise VoiceRefused("This story is published and cannot be changed", "decision")
    if decision not in (
        Feedback.Moderation.PUBLISHED,
        Feedback.Moderation.PRIVATE,
        Feedback.Moderation.DECLINED,
    ):
        raise VoiceRefused("Select a decision", "decision")
    reason = _clean(reason, "reason", "the reason for your decision", 1000)
    if decision in (Feedback.Moderation.PUBLISHED, Feedback.Moderation.PRIVATE):
        feedback.published_text = _clean(published_text, "published_text", "the text to publish")
    tags = [t.strip().lower() for t in themes.split(",") if t.strip()]
    if any(len(t) > 40 for t in tags):
        raise VoiceRefused("Each theme must be 40 characters or fewer", "themes")
    feedback.themes = ", ".join(dict.fromkeys(tags))
    feedback.moderation = decision
    if decision == Feedback.Moderation.PUBLISHED:
        feedback.published_at = now
    feedback.save()
    ModerationDecision.objects.create(
        feedback=feedback, decision=decision, reason=reason, moderator=moderator, decided_at=now
    )
    record_audit(
        actor=moderator,
        action=AuditEvent.Action.UPDATE,
        target=feedback,
        summary=f"Voice moderation: {feedback.get_moderation_display()}. Reason: {reason}",
        request=request,
    )
    _tell(feedback, "Your feedback has been read", f"Status: {feedback.get_moderation_display()}.")
    return feedback


def _require_responder(user: User, feedback: Feedback) -> None:
    if not can_respond(user, feedback):
        raise VoiceRefused("You cannot respond to this feedback")


@transaction.atomic
def acknowledge(
    *,
    feedback: Feedback,
    user: User,
    text: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Feedback:
    _require_responder(user, feedback)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.acknowledged_at is not None:
        raise VoiceRefused("This feedback has already been acknowledged", "text")
    feedback.acknowledgement = _clean(text, "text", "your acknowledgement", 2000)
    feedback.acknowledged_at = now or timezone.now()
    feedback.save(update_fields=["acknowledgement", "acknowledged_at"])
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=feedback,
        summary="Voice: acknowledged",
        request=request,
    )
    _tell(feedback, "Your feedback has been acknowledged", feedback.acknowledgement)
    return feedback


@transaction.atomic
def respond(
    *,
    feedback: Feedback,
    user: User,
    text: str,
    change: str = "",
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Feedback:
    """The full response; ``change`` (optional) is a change it promises."""
    _require_responder(user, feedback)
    now = now or timezone.now()
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.responded_at is not None:
        raise VoiceRefused("This feedback already has a full response", "text")
    feedback.response = _clean(text, "text", "your response")
    change = _clean(change, "change", "the change you promise", 1000, required=False)
    if feedback.acknowledged_at is None:  # a full response acknowledges too
        feedback.acknowledged_at = now
    feedback.responded_at = now
    feedback.responded_by_name = (
        feedback.organization_name
        if feedback.about == Feedback.About.SERVICE
        else str(feedback.team or "")
    )
    feedback.save()
    if change:
        Change.objects.create(feedback=feedback, description=change, promised_at=now)
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=feedback,
        summary="Voice: responded" + (" and promised a change" if change else ""),
        request=request,
    )
    _tell(
        feedback,
        "You have a response to your feedback",
        feedback.response + (f"\n\nChange promised: {change}" if change else ""),
    )
    return feedback


@transaction.atomic
def confirm_change(
    *,
    change: Change,
    user: User,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Change:
    """The person who gave the feedback confirms the promised change was made."""
    change = Change.objects.select_for_update().select_related("feedback").get(pk=change.pk)
    if change.feedback.author_id is None or change.feedback.author_id != user.pk:
        raise VoiceRefused("Only the person who gave the feedback can confirm this change")
    if change.state == Change.State.MADE:
        raise VoiceRefused("This change is already confirmed")
    change.state = Change.State.MADE
    change.made_at = now or timezone.now()
    change.confirmed_by_author = True
    change.save()
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=change,
        summary="Voice: change confirmed by the person",
        request=request,
    )
    _tell(change.feedback, "You confirmed a change was made", change.description)
    return change


@transaction.atomic
def verify_change(
    *,
    change: Change,
    moderator: User,
    evidence: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Change:
    """For feedback with nobody to confirm (anonymous, or given on paper), a moderator verifies
    the change with evidence."""
    _require_moderator(moderator)
    change = Change.objects.select_for_update().select_related("feedback").get(pk=change.pk)
    if change.feedback.author_id is not None:
        raise VoiceRefused("The person who gave this feedback confirms it themselves", "evidence")
    if change.state == Change.State.MADE:
        raise VoiceRefused("This change is already confirmed", "evidence")
    change.evidence = _clean(evidence, "evidence", "the evidence the change was made", 2000)
    change.state = Change.State.MADE
    change.made_at = now or timezone.now()
    change.verified_by = moderator
    change.save()
    record_audit(
        actor=moderator,
        action=AuditEvent.Action.UPDATE,
        target=change,
        summary=f"Voice: change verified with evidence: {change.evidence}",
        request=request,
    )
    _tell(change.feedback, "A change you asked for has been made", change.description)
    return change


@transaction.atomic
def escalate_overdue(today: dt.date | None = None) -> list[Feedback]:
    """Mark feedback past a deadline as escalated to the commissioners and tell them, once."""
    from voice import selectors

    today = today or timezone.localdate()
    found = [f for f in selectors.overdue(today) if f.escalated_at is None]
    if not found:
        return []
    now = timezone.now()
    Feedback.objects.filter(pk__in=[f.pk for f in found]).update(escalated_at=now)
    for feedback in found:
        feedback.escalated_at = now
        record_audit(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            target=feedback,
            summary="Voice: overdue, escalated",
        )
    commissioners = list(
        User.objects.filter(groups__name=Role.COMMISSIONER, is_active=True).values_list(
            "email", flat=True
        )
    )
    notify(
        f"{len(found)} feedback items are overdue",
        "\n".join(f"{f.reference}: {f.subject_name}" for f in found),
        commissioners,
    )
    return found
