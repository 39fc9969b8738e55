"""Giving feedback: online by the person, or entered by staff from a phone call or paper."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from directory import selectors as directory_selectors
from rules.voice import add_working_days
from voice.models import Feedback, Team
from voice.permissions import can_enter_for_others
from voice.services._common import VoiceRefused, _clean, _tell
from voice.services.clocks import clock_for
from wellbeing_hub.notifications import notify


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
    if entered_by is not None and not can_enter_for_others(entered_by):
        raise VoiceRefused("Only staff can enter feedback for someone else", "source")
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
        kind="feedback_moderation",
    )
    _tell(
        feedback,
        "We have received your feedback",
        "Thank you. An independent moderator will read it first. We will email you when it moves on.",
    )
    return feedback
