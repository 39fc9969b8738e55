"""Writes for people's voice. Each one is transactional and audited; a refusal raises
:class:`VoiceRefused` naming the field, for the view to show as a GOV.UK error."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from directory import selectors as directory_selectors
from directory import services as directory_services
from rules.voice import DEFAULT_CLOCKS, Clock, add_working_days
from rules.voice.areas import AreaClocks, load_areas
from rules.voice.coproduction import KIND_KEYS, rung_name
from rules.voice.quality_parameters import (
    DOMAIN_KEYS,
    MIN_EXPERTS,
    RESPONSE_WORKING_DAYS,
    SCALE_MAX,
    SCALE_MIN,
)
from timebank import selectors as timebank_selectors
from timebank import services as timebank_services
from voice.models import (
    Change,
    CheckExpert,
    CoproductionAssessment,
    ExpertByExperience,
    Feedback,
    ModerationDecision,
    QualityCheck,
    Team,
    VisitPair,
)
from wellbeing_hub.notifications import notify, site_url

STAFF_ENTRY_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR, Role.MODERATOR)
TEXT_MAX = 5000
NOT_SEEN = "not_seen"


class VoiceRefused(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@functools.cache
def _areas() -> dict[str, AreaClocks]:
    return load_areas()


def clock_area() -> AreaClocks | None:
    """The area this deployment's clocks come from (setting ``VOICE_CLOCK_AREA``), if listed
    in ``rules/voice/data/area_clocks.yaml``."""
    return _areas().get(getattr(settings, "VOICE_CLOCK_AREA", "") or "")


def clock_for(kind: str) -> Clock:
    """The clock for ``kind``: the area's own where it sets one, else the defaults."""
    area = clock_area()
    return area.clock_for(kind) if area is not None else DEFAULT_CLOCKS[kind]


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
        notify(
            subject,
            f"{body}\n\nYour reference: {feedback.reference}",
            [address],
            kind="feedback",
        )


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
        kind="feedback_moderation",
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
def escalate_overdue(today: dt.date | None = None) -> list[Feedback | QualityCheck]:
    """Mark feedback past a deadline, and quality-check reports past their response deadline,
    as escalated to the commissioners and tell them, once."""
    from voice import selectors

    today = today or timezone.localdate()
    found: list[Feedback | QualityCheck] = [
        f for f in selectors.overdue(today) if f.escalated_at is None
    ]
    checks = [c for c in selectors.overdue_checks(today) if c.escalated_at is None]
    if not found and not checks:
        return []
    now = timezone.now()
    Feedback.objects.filter(pk__in=[f.pk for f in found]).update(escalated_at=now)
    QualityCheck.objects.filter(pk__in=[c.pk for c in checks]).update(escalated_at=now)
    lines = []
    for item in [*found, *checks]:
        item.escalated_at = now
        record_audit(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            target=item,
            summary="Voice: overdue, escalated",
        )
        what = (
            f"quality check report on {item.subject_name}: no response"
            if isinstance(item, QualityCheck)
            else item.subject_name
        )
        lines.append(f"{item.reference}: {what}")
    commissioners = list(
        User.objects.filter(groups__name=Role.COMMISSIONER, is_active=True).values_list(
            "email", flat=True
        )
    )
    notify(
        f"{len(lines)} feedback items are overdue",
        "\n".join(lines),
        commissioners,
        kind="feedback_moderation",
    )
    return [*found, *checks]


# --- experts-by-experience quality checks -------------------------------------------------------

CHECK_MINUTES_MAX = 12 * 60
"""An expert's time on one check (visit, travel, writing up) is at most a long day."""


def _subject_organization(check: QualityCheck) -> object | None:
    if check.about == QualityCheck.About.SERVICE and check.organization_id:
        return directory_selectors.organization_for_page(check.organization_id)
    return None


def can_answer_for_check(user: object, check: QualityCheck) -> bool:
    """People who speak for the checked provider or team: members of its directory organisation
    or of the council team. They give the self-assessment and the response, and cannot be
    experts on the check."""
    if not getattr(user, "is_authenticated", False):
        return False
    if check.about == QualityCheck.About.TEAM and check.team is not None:
        return check.team.members.filter(pk=user.pk).exists()  # type: ignore[attr-defined]
    organization = _subject_organization(check)
    return organization is not None and directory_services.can_act_for(user, organization)  # type: ignore[arg-type]


def credit_organisations() -> list[Any]:
    """Approved time-bank organisations that can thank experts with time credits."""
    return [m for m in timebank_selectors.approved_members() if m.is_organisation]


def _credit_organisation(member_id: int | None) -> Any:
    if member_id is None:
        return None
    return next((m for m in credit_organisations() if m.pk == member_id), None)


def _lock_check(check: QualityCheck) -> QualityCheck:
    return (
        QualityCheck.objects.select_for_update(of=("self",)).select_related("team").get(pk=check.pk)
    )


@transaction.atomic
def plan_check(
    *,
    lead: User,
    about: str,
    visit_date: dt.date,
    minutes_per_expert: int,
    service_id: str = "",
    team: Team | None = None,
    credits_member_id: int | None = None,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> QualityCheck:
    _require_moderator(lead)
    now = now or timezone.now()
    check = QualityCheck(about=about, visit_date=visit_date, lead=lead, created_at=now)
    if about == QualityCheck.About.SERVICE:
        service = directory_selectors.service_for_page(service_id) if service_id else None
        if service is None:
            raise VoiceRefused("Choose a service from the directory", "service_name")
        check.service_id, check.service_name = str(service.pk), service.name
        if service.organization is not None:
            check.organization_id = str(service.organization.pk)
            check.organization_name = service.organization.name
    elif about == QualityCheck.About.TEAM:
        if team is None:
            raise VoiceRefused("Select a council team", "team")
        check.team = team
    else:
        raise VoiceRefused("Select what the check is of", "about")
    if isinstance(minutes_per_expert, bool) or not 1 <= minutes_per_expert <= CHECK_MINUTES_MAX:
        raise VoiceRefused(
            "Enter each expert's time as a number of minutes from 1 to 720 (12 hours)",
            "minutes_per_expert",
        )
    check.minutes_per_expert = minutes_per_expert
    if credits_member_id is not None:
        organisation = _credit_organisation(credits_member_id)
        if organisation is None:
            raise VoiceRefused(
                "Select an approved time bank organisation to issue the time credits",
                "credits_member",
            )
        check.credits_member_id, check.credits_member_name = organisation.pk, organisation.name
    check.save()
    record_audit(
        actor=lead,
        action=AuditEvent.Action.CREATE,
        target=check,
        summary=f"Voice: quality check of {check.subject_name} planned for {visit_date}",
        request=request,
    )
    return check


def _find_person(who: str) -> User:
    wanted = (who or "").strip()
    if not wanted:
        raise VoiceRefused("Enter the expert's username or email address", "who")
    found = list(
        User.objects.filter(is_active=True)
        .filter(Q(username__iexact=wanted) | Q(email__iexact=wanted))
        .distinct()[:2]
    )
    if len(found) != 1:
        raise VoiceRefused(
            f"We could not find one account with the username or email address ‘{wanted}’. "
            "Check it, or ask the expert to create an account first",
            "who",
        )
    return found[0]


@transaction.atomic
def register_expert(
    *,
    lead: User,
    who: str,
    recruited_from: str,
    training: str,
    trained_on: dt.date,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> ExpertByExperience:
    """Add a trained expert by experience to the register (or record newer training)."""
    _require_moderator(lead)
    person = _find_person(who)
    if recruited_from not in ExpertByExperience.RecruitedFrom.values:
        raise VoiceRefused("Select where the expert was recruited from", "recruited_from")
    training = _clean(training, "training", "the training they completed", 200)
    now = now or timezone.now()
    if trained_on > timezone.localdate(now):
        raise VoiceRefused("The date of the training must be today or in the past", "trained_on")
    expert, created = ExpertByExperience.objects.update_or_create(
        user=person,
        defaults={
            "recruited_from": recruited_from,
            "training": training,
            "trained_on": trained_on,
            "registered_by": lead,
            "registered_at": now,
        },
    )
    record_audit(
        actor=lead,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=expert,
        subject=person,
        summary=f"Voice: registered as a trained expert by experience ({training}, {trained_on})",
        request=request,
    )
    return expert


def _expert_label(number: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"Expert {letters[number % 26]}{number // 26 or ''}"


@transaction.atomic
def add_expert(
    *,
    lead: User,
    check: QualityCheck,
    who: str,
    reward: str,
    request: HttpRequest | None = None,
) -> CheckExpert:
    """Add an expert by experience (found by username or email address) to an open check."""
    _require_moderator(lead)
    check = _lock_check(check)
    if check.state != QualityCheck.State.OPEN:
        raise VoiceRefused("The report is published: experts can no longer be added", "who")
    expert = _find_person(who)
    if check.experts.filter(expert=expert).exists():
        raise VoiceRefused(
            f"{expert.get_full_name() or expert.username} is already on this check", "who"
        )
    if can_answer_for_check(expert, check):
        raise VoiceRefused(
            "This person works for the provider or team being checked, so cannot be one of its experts",
            "who",
        )
    trained = ExpertByExperience.objects.filter(user=expert).first()
    if trained is None or trained.trained_on > check.visit_date:
        raise VoiceRefused(
            f"{expert.get_full_name() or expert.username} has no training as an expert by "
            f"experience recorded on or before the visit ({check.visit_date:%d/%m/%Y}). "
            "Add their training to the register of experts first",
            "who",
        )
    if reward not in CheckExpert.Reward.values:
        raise VoiceRefused("Select how the expert's time is rewarded", "reward")
    if reward == CheckExpert.Reward.TIME_CREDITS:
        if check.credits_member_id is None:
            raise VoiceRefused(
                "This check has no time bank organisation to issue credits; choose payment or no reward",
                "reward",
            )
        member = timebank_selectors.member_for(expert)
        if member is None or not member.is_approved or member.is_organisation:
            raise VoiceRefused(
                "This person is not an approved member of the time bank, so cannot receive time "
                "credits. Choose payment, or ask them to join the time bank first",
                "reward",
            )
    place = CheckExpert.objects.create(
        quality_check=check,
        expert=expert,
        label=_expert_label(check.experts.count()),
        reward=reward,
        minutes=check.minutes_per_expert,
    )
    record_audit(
        actor=lead,
        action=AuditEvent.Action.CREATE,
        target=place,
        subject=expert,
        summary=f"Voice: added as {place.label} to quality check {check.reference}",
        request=request,
    )
    return place


def _expert_name(place: CheckExpert) -> str:
    person = place.expert
    name = (person.get_full_name() or person.username) if person is not None else "account erased"
    return f"{name} ({place.label})"


@transaction.atomic
def record_visit_pair(
    *,
    lead: User,
    check: QualityCheck,
    first: int | str | None,
    second: int | str | None,
    visit_on: dt.date,
    place: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> VisitPair:
    """Pair two of a check's experts for a visit on a date to a place or part of the service.

    Refuses a pair of one person with themselves, anyone who is not an expert on this check,
    and an expert whose training is not recorded on or before the visit date."""
    _require_moderator(lead)
    check = _lock_check(check)
    if check.state != QualityCheck.State.OPEN:
        raise VoiceRefused("The report is published: visits can no longer be paired", "first")
    places: list[CheckExpert] = []
    for field, wanted in (("first", first), ("second", second)):
        found = (
            check.experts.select_related("expert").filter(pk=int(wanted)).first()
            if str(wanted or "").isdigit()
            else None
        )
        if found is None:
            message = (
                "Select the first expert from the experts on this check"
                if field == "first"
                else "Select the second expert from the experts on this check"
            )
            raise VoiceRefused(message, field)
        places.append(found)
    one, other = places
    if one.pk == other.pk:
        raise VoiceRefused(
            f"Select two different experts: {_expert_name(one)} cannot be paired with themselves",
            "second",
        )
    place = _clean(place, "place", "the place or part of the service they visit", 200)
    for field, member in (("first", one), ("second", other)):
        if member.expert is None:
            raise VoiceRefused(
                f"{_expert_name(member)} can no longer visit: their account was erased", field
            )
        trained = ExpertByExperience.objects.filter(user=member.expert).first()
        if trained is None:
            raise VoiceRefused(
                f"{_expert_name(member)} has no training as an expert by experience recorded. "
                "Add their training to the register of experts first",
                field,
            )
        if trained.trained_on > visit_on:
            raise VoiceRefused(
                f"{_expert_name(member)} finished their training on "
                f"{trained.trained_on:%d/%m/%Y}, after this visit. Choose a visit date on or "
                "after their training, or another expert",
                "visit_on",
            )
    one, other = sorted((one, other), key=lambda p: p.pk)
    if VisitPair.objects.filter(
        quality_check=check, first=one, second=other, visit_on=visit_on, place=place
    ).exists():
        raise VoiceRefused(
            f"{one.label} and {other.label} are already paired to visit ‘{place}’ on "
            f"{visit_on:%d/%m/%Y}",
            "second",
        )
    pair = VisitPair.objects.create(
        quality_check=check,
        first=one,
        second=other,
        visit_on=visit_on,
        place=place,
        recorded_by=lead,
        recorded_at=now or timezone.now(),
    )
    for member in (one, other):
        record_audit(
            actor=lead,
            action=AuditEvent.Action.CREATE,
            target=pair,
            subject=member.expert,
            summary=(
                f"Voice: {one.label} and {other.label} paired to visit {place} on {visit_on} "
                f"(quality check {check.reference})"
            ),
            request=request,
        )
    return pair


def _clean_scores(scores: Mapping[str, Any], field_prefix: str) -> dict[str, int | None]:
    """One answer for every domain: a score on the scale, or ``None`` ("did not see this")."""
    cleaned: dict[str, int | None] = {}
    for domain in DOMAIN_KEYS:
        value = scores.get(domain)
        if value in (None, ""):
            raise VoiceRefused(
                "Select a score, or ‘Did not see this’, for every question",
                f"{field_prefix}{domain}",
            )
        if value == NOT_SEEN:
            cleaned[domain] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if str(number) != str(value).strip() or not SCALE_MIN <= number <= SCALE_MAX:
            raise VoiceRefused(
                f"Choose a score between {SCALE_MIN} and {SCALE_MAX}, or ‘Did not see this’",
                f"{field_prefix}{domain}",
            )
        cleaned[domain] = number
    return cleaned


@transaction.atomic
def submit_scores(
    *,
    expert: User,
    check: QualityCheck,
    scores: Mapping[str, Any],
    notes: str = "",
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> CheckExpert:
    """An expert's own scores, sent once (they are final, and no expert sees another's before
    the report is published)."""
    place = (
        CheckExpert.objects.select_for_update()
        .select_related("quality_check")
        .filter(quality_check=check, expert=expert)
        .first()
    )
    if place is None:
        raise VoiceRefused("You are not an expert on this check")
    if place.quality_check.state != QualityCheck.State.OPEN:
        raise VoiceRefused("The report is published: scores can no longer be sent")
    if place.submitted_at is not None:
        raise VoiceRefused("You have already sent your scores for this check")
    place.scores = _clean_scores(scores, "")
    place.notes = _clean(notes, "notes", "your notes", 3000, required=False)
    place.submitted_at = now or timezone.now()
    place.save(update_fields=["scores", "notes", "submitted_at"])
    record_audit(
        actor=expert,
        action=AuditEvent.Action.UPDATE,
        target=place,
        subject=expert,
        summary=f"Voice: {place.label} sent scores for quality check {check.reference}",
        request=request,
    )
    return place


@transaction.atomic
def submit_self_assessment(
    *,
    user: User,
    check: QualityCheck,
    scores: Mapping[str, Any],
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> QualityCheck:
    """The provider's or team's own scores on the same rubric, until the report is published."""
    if not can_answer_for_check(user, check):
        raise VoiceRefused("Only the provider or team being checked can assess itself")
    check = _lock_check(check)
    if check.state != QualityCheck.State.OPEN:
        raise VoiceRefused("The report is published: the self-assessment can no longer change")
    check.self_assessment = _clean_scores(scores, "")
    check.self_assessed_at = now or timezone.now()
    check.self_assessed_by = user
    check.save(update_fields=["self_assessment", "self_assessed_at", "self_assessed_by"])
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=check,
        summary=f"Voice: self-assessment for quality check {check.reference}",
        request=request,
    )
    return check


def credit_key_for(check: QualityCheck, place: CheckExpert) -> str:
    """The time bank idempotency key of one expert's credits for one check."""
    return f"voice-check:{check.reference}:{place.pk}"


def _reward_experts(check: QualityCheck, places: list[CheckExpert], now: dt.datetime) -> int:
    """Issue time credits to each expert who chose them and has none yet for this check.
    Called under the check's row lock, so two publishes of one check cannot both get here with
    an expert uncredited; the ledger's unique key would refuse a second entry anyway."""
    owed = [p for p in places if p.reward == CheckExpert.Reward.TIME_CREDITS and not p.credit_key]
    if not owed:
        return 0
    organisation = _credit_organisation(check.credits_member_id)
    if organisation is None:
        raise VoiceRefused(
            f"The time bank organisation ‘{check.credits_member_name or 'Not known'}’ cannot "
            "issue credits now (it is no longer approved). Ask a time bank coordinator"
        )
    for place in owed:
        member = timebank_selectors.member_for(place.expert)
        if member is None:
            raise VoiceRefused(
                f"{place.label} is no longer a member of the time bank, so cannot receive time credits"
            )
        key = credit_key_for(check, place)
        try:
            timebank_services.issue_credits(
                by=organisation.user,
                organisation=organisation,
                member=member,
                minutes=place.minutes,
                reason=f"Expert by experience, quality check {check.reference} of {check.subject_name}",
                idempotency_key=key,
            )
        except timebank_services.TimebankRefused as refused:
            raise VoiceRefused(f"{place.label}: {refused.message}") from refused
        place.credit_key, place.credited_at = key, now
        place.save(update_fields=["credit_key", "credited_at"])
    return len(owed)


def publish_check(
    *,
    lead: User,
    check: QualityCheck,
    summary: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> QualityCheck:
    """Publish the report: combine the scores of the experts who sent them (at least
    ``MIN_EXPERTS``), reward their time exactly once, and start the provider's response clock.

    Publishing again, or twice at the same moment, changes nothing and issues nothing more: the
    check's row is locked first and a published check is returned as it is."""
    _require_moderator(lead)
    now = now or timezone.now()
    with transaction.atomic():
        check = _lock_check(check)
        if check.state == QualityCheck.State.PUBLISHED:
            return check
        places = list(
            check.experts.select_for_update(of=("self",))
            .filter(submitted_at__isnull=False)
            .select_related("expert")
        )
        if len(places) < MIN_EXPERTS:
            raise VoiceRefused(
                f"At least {MIN_EXPERTS} experts must send their scores before the report is "
                f"published ({len(places)} so far)",
                "summary",
            )
        check.summary = _clean(summary, "summary", "a summary of what the experts found")
        rewarded = _reward_experts(check, places, now)
        check.state = QualityCheck.State.PUBLISHED
        check.published_at, check.published_by = now, lead
        check.respond_by = add_working_days(timezone.localdate(now), RESPONSE_WORKING_DAYS)
        check.save()
        record_audit(
            actor=lead,
            action=AuditEvent.Action.UPDATE,
            target=check,
            summary=(
                f"Voice: quality check report published ({len(places)} experts; time credits "
                f"issued to {rewarded})"
            ),
            request=request,
        )
    addresses = [p.expert.email for p in places if p.expert is not None and p.expert.email]
    if addresses:
        report = site_url(reverse("voice:check", args=[check.reference]))
        notify(
            f"The quality check of {check.subject_name} is published",
            f"Thank you for your part in quality check {check.reference}.\n\n"
            f"Read the published report: {report}\n",
            addresses,
            kind="quality_checks",
        )
    return check


@transaction.atomic
def respond_to_check(
    *,
    user: User,
    check: QualityCheck,
    text: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> QualityCheck:
    """The provider's or team's public response to a published report (on its clock)."""
    if not can_answer_for_check(user, check):
        raise VoiceRefused("Only the provider or team that was checked can respond")
    check = _lock_check(check)
    if check.state != QualityCheck.State.PUBLISHED:
        raise VoiceRefused("The report is not published yet", "text")
    if check.responded_at is not None:
        raise VoiceRefused("This report already has a response", "text")
    check.response = _clean(text, "text", "your response")
    check.responded_at = now or timezone.now()
    check.responded_by_name = check.organisation_label
    check.save(update_fields=["response", "responded_at", "responded_by_name"])
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=check,
        summary=f"Voice: response to quality check {check.reference}",
        request=request,
    )
    return check


# --- co-production self-assessment --------------------------------------------------------------

COPRODUCTION_ROLES = (Role.MODERATOR, Role.COMMISSIONER, Role.ADMINISTRATOR)


def can_record_coproduction(user: object) -> bool:
    """The voice organisation's moderators, commissioners and administrators write up a
    workshop's self-assessment."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*COPRODUCTION_ROLES)  # type: ignore[attr-defined]


@transaction.atomic
def record_coproduction(
    *,
    user: User,
    subject: str,
    held_on: dt.date,
    participants: str,
    ratings: Mapping[str, Mapping[str, Any]],
    prefill: list[dict[str, str]],
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> CoproductionAssessment:
    """Save what a workshop agreed: for every kind a rung of the ladder, impact and effort."""
    if not can_record_coproduction(user):
        raise VoiceRefused("Only moderators, commissioners and administrators can record this")
    subject = _clean(subject, "subject", "the organisation or project", 200)
    key = slugify(subject)[:80]
    if not key:
        raise VoiceRefused("Enter the name of the organisation or project in words", "subject")
    participants = _clean(participants, "participants", "who took part", 300)
    now = now or timezone.now()
    if held_on > timezone.localdate(now):
        raise VoiceRefused("The date of the workshop must be today or in the past", "held_on")
    cleaned: dict[str, dict[str, Any]] = {}
    for kind in KIND_KEYS:
        given = ratings.get(kind) or {}
        try:
            rung = int(given.get("rung", 0))
            rung_name(rung)
        except (TypeError, ValueError) as error:
            raise VoiceRefused("Select a rung of the ladder", f"{kind}_rung") from error
        entry: dict[str, Any] = {"rung": rung}
        for part in ("impact", "effort"):
            if given.get(part) not in ("high", "low"):
                raise VoiceRefused(f"Select high or low {part}", f"{kind}_{part}")
            entry[part] = given[part]
        entry["notes"] = _clean(
            str(given.get("notes", "")), f"{kind}_notes", "the notes", 1000, required=False
        )
        cleaned[kind] = entry
    assessment = CoproductionAssessment.objects.create(
        subject=subject,
        subject_key=key,
        held_on=held_on,
        participants=participants,
        prefill=prefill,
        ratings=cleaned,
        recorded_by=user,
        recorded_at=now,
    )
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE,
        target=assessment,
        summary=f"Voice: co-production self-assessment of {subject} ({held_on}) recorded",
        request=request,
    )
    return assessment
