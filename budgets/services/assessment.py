"""Self-assessment: starting it, answering the questions, inviting family and friends to
contribute, and working out the indicative budget."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit
from budgets import access
from budgets.models import (
    AnswerSet,
    Assessment,
    Contribution,
    IndicativeBudget,
    Invitation,
)
from budgets.services._common import (
    Action,
    BudgetsError,
    _today,
    pounds,
)
from rules.ras import AnswerError, Answers, indicative_budget, load_version, version_in_force

INVITATION_DAYS = 14


@transaction.atomic
def start_assessment(
    *, person: User, actor: User, request: HttpRequest | None = None
) -> Assessment:
    access.require(access.can_act_for(actor, person.pk))
    existing = Assessment.objects.filter(
        person=person, status=Assessment.Status.IN_PROGRESS
    ).first()
    if existing is not None:
        return existing
    config = version_in_force(_today())
    assessment = Assessment.objects.create(person=person, version_id=config.version_id)
    AnswerSet.objects.create(
        assessment=assessment, kind=AnswerSet.Kind.PERSON, author=person, data={}
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=assessment,
        subject=person,
        summary=f"Started a self-assessment ({config.version_id})",
        request=request,
    )
    return assessment


def _answer_set(assessment: Assessment, kind: str, actor: User) -> AnswerSet:
    answer_set = (
        AnswerSet.objects.select_for_update().filter(assessment=assessment, kind=kind).first()
    )
    if answer_set is None:
        answer_set = AnswerSet.objects.create(
            assessment=assessment, kind=kind, author=actor, data={}
        )
        answer_set = AnswerSet.objects.select_for_update().get(pk=answer_set.pk)
    return answer_set


@transaction.atomic
def save_domain(
    *,
    assessment: Assessment,
    kind: str,
    actor: User,
    domain_id: str,
    answer: str,
    informal_support: str | None,
    free_text: dict[str, str],
    request: HttpRequest | None = None,
) -> AnswerSet:
    """Save one domain's answers (save and continue)."""
    access.require(access.can_answer(actor, assessment, kind))
    config = load_version(assessment.version_id)
    domain = config.domain(domain_id)
    if domain is None:
        raise BudgetsError("There is no such question.")
    if domain.option(answer) is None:
        raise BudgetsError("Choose the answer that fits best", field="answer")
    answer_set = _answer_set(assessment, kind, actor)
    data: dict[str, Any] = dict(answer_set.data)
    data.setdefault("answers", {})[domain_id] = answer
    informal = data.setdefault("informal_support", {})
    if domain_id in config.informal_support.applies_to_domains and informal_support:
        if config.informal_support.option(informal_support) is None:
            raise BudgetsError("Choose how much help family or friends give", "informal_support")
        informal[domain_id] = informal_support
    else:
        informal.pop(domain_id, None)
    _keep_free_text(data, domain_id, [p.id for p in domain.free_text], free_text)
    return _save_answers(
        answer_set, data, actor, assessment, f"Saved '{domain.label}'", kind, request
    )


@transaction.atomic
def save_about_me(
    *,
    assessment: Assessment,
    kind: str,
    actor: User,
    carer: str | None,
    free_text: dict[str, str],
    request: HttpRequest | None = None,
) -> AnswerSet:
    """Strengths in the person's words (what I can offer, who supports me) and the carer question."""
    access.require(access.can_answer(actor, assessment, kind))
    config = load_version(assessment.version_id)
    if carer and config.carer.option(carer) is None:
        raise BudgetsError("Choose how caring is affecting your carer", "carer")
    answer_set = _answer_set(assessment, kind, actor)
    data: dict[str, Any] = dict(answer_set.data)
    data["carer"] = carer or None
    _keep_free_text(data, "about_me", [p.id for p in config.about_me], free_text)
    data["about_me_done"] = True
    return _save_answers(answer_set, data, actor, assessment, "Saved 'About me'", kind, request)


def _keep_free_text(
    data: dict[str, Any], prefix: str, prompt_ids: list[str], free_text: dict[str, str]
) -> None:
    """Keep each prompt's answer (trimmed, at most 5,000 characters) under "prefix.prompt";
    an empty answer removes the one kept before."""
    texts = data.setdefault("free_text", {})
    for prompt_id in prompt_ids:
        key = f"{prefix}.{prompt_id}"
        value = (free_text.get(prompt_id) or "").strip()
        if value:
            texts[key] = value[:5000]
        else:
            texts.pop(key, None)


def _save_answers(
    answer_set: AnswerSet,
    data: dict[str, Any],
    actor: User,
    assessment: Assessment,
    what: str,
    kind: str,
    request: HttpRequest | None,
) -> AnswerSet:
    """Store the answers with their author and audit it against the person assessed."""
    answer_set.data = data
    answer_set.author = actor
    answer_set.save()
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=answer_set,
        subject=assessment.person,
        summary=f"{what} ({kind}'s answers)",
        request=request,
    )
    return answer_set


def answers_for_rules(data: dict[str, Any]) -> dict[str, Any]:
    """The stored answer data in exactly the shape ``rules.ras.Answers.from_dict`` takes."""
    return {
        "answers": dict(data.get("answers") or {}),
        "informal_support": dict(data.get("informal_support") or {}),
        "carer": data.get("carer") or None,
        "free_text": dict(data.get("free_text") or {}),
    }


def find_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    if not identifier:
        return None
    if "@" in identifier:
        matches = list(User.objects.filter(email__iexact=identifier, is_active=True)[:2])
        return matches[0] if len(matches) == 1 else None
    return User.objects.filter(username__iexact=identifier, is_active=True).first()


@transaction.atomic
def invite_account(
    *,
    assessment: Assessment,
    actor: User,
    identifier: str,
    relationship: str,
    request: HttpRequest | None = None,
) -> Invitation:
    """Ask someone who already has an account (by username or email) to contribute."""
    access.require(assessment.person_id == actor.pk, "Only the person can invite others.")
    invitee = find_user(identifier)
    if invitee is None:
        raise BudgetsError(
            "We could not find an account with that username or email address. "
            "Check it, or create an invitation link instead.",
            field="identifier",
        )
    if invitee.pk == actor.pk:
        raise BudgetsError("You cannot invite yourself", field="identifier")
    existing = Invitation.objects.filter(
        assessment=assessment, invitee=invitee, revoked_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    invitation = Invitation.objects.create(
        assessment=assessment,
        invited_by=actor,
        invitee=invitee,
        relationship=relationship,
        name=invitee.get_full_name(),
        accepted_at=timezone.now(),
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=invitation,
        subject=assessment.person,
        summary=f"Invited {invitee.get_full_name()} ({relationship}) to contribute",
        request=request,
    )
    return invitation


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite_by_link(
    *,
    assessment: Assessment,
    actor: User,
    name: str,
    relationship: str,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """A link with a one-time token for someone to contribute. Only its hash is stored."""
    access.require(assessment.person_id == actor.pk, "Only the person can invite others.")
    token = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        assessment=assessment,
        invited_by=actor,
        relationship=relationship,
        name=name.strip()[:150],
        token_hash=_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=invitation,
        subject=assessment.person,
        summary=f"Created an invitation link for {name.strip()[:60] or 'someone'}",
        request=request,
    )
    return invitation, token


@transaction.atomic
def accept_invitation(*, token: str, user: User, request: HttpRequest | None = None) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("assessment")
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise BudgetsError("This invitation link is not valid. Ask for a new one.")
    if invitation.accepted_at is not None:
        if invitation.invitee_id == user.pk:
            return invitation
        raise BudgetsError("This invitation link has already been used. Ask for a new one.")
    if invitation.expires_at is not None and invitation.expires_at < timezone.now():
        raise BudgetsError("This invitation link has expired. Ask for a new one.")
    if invitation.assessment.person_id == user.pk:
        raise BudgetsError("This is your own invitation link: send it to the person you invite.")
    invitation.invitee = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["invitee", "accepted_at"])
    record_audit(
        actor=user,
        action=Action.UPDATE,
        target=invitation,
        subject=invitation.assessment.person,
        summary="Accepted an invitation to contribute to a self-assessment",
        request=request,
    )
    return invitation


@transaction.atomic
def revoke_invitation(
    *, invitation: Invitation, actor: User, request: HttpRequest | None = None
) -> None:
    access.require(
        access.can_withdraw_invitation(actor, invitation),
        "Only the person, or a practitioner working with them, can withdraw an invitation.",
    )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        behalf = "" if invitation.assessment.person_id == actor.pk else " on the person's behalf"
        record_audit(
            actor=actor,
            action=Action.UPDATE,
            target=invitation,
            subject=invitation.assessment.person,
            summary=f"Withdrew the invitation for {invitation.name or 'someone'}{behalf}",
            request=request,
        )


@transaction.atomic
def add_contribution(
    *,
    assessment: Assessment,
    author: User,
    topic: str,
    text: str,
    request: HttpRequest | None = None,
) -> Contribution:
    """Family, friends, advocates (invited) or a practitioner add their words; each is attributed."""
    access.require(access.can_view_assessment(author, assessment))
    config = load_version(assessment.version_id)
    if topic != "about_me" and config.domain(topic) is None:
        raise BudgetsError("Choose what your words are about", field="topic")
    text = text.strip()
    if not text:
        raise BudgetsError("Write what you would like to add", field="text")
    invitation = Invitation.objects.filter(
        assessment=assessment, invitee=author, revoked_at__isnull=True
    ).first()
    if author.pk == assessment.person_id:
        relationship = "the person"
    elif invitation is not None:
        relationship = invitation.get_relationship_display()
    else:
        relationship = "practitioner"
    contribution = Contribution.objects.create(
        assessment=assessment,
        author=author,
        relationship=relationship,
        topic=topic,
        text=text[:5000],
    )
    record_audit(
        actor=author,
        action=Action.CREATE,
        target=contribution,
        subject=assessment.person,
        summary=f"Added a contribution ({relationship})",
        request=request,
    )
    return contribution


@transaction.atomic
def calculate_budget(
    *,
    assessment: Assessment,
    kind: str,
    actor: User,
    request: HttpRequest | None = None,
) -> IndicativeBudget:
    """The indicative budget from one answer set, with the version used and its explanation."""
    access.require(access.can_view_assessment(actor, assessment))
    access.require(
        access.can_act_for(actor, assessment.person_id),
        "Only the person or a practitioner can work out the budget.",
    )
    answer_set = AnswerSet.objects.filter(assessment=assessment, kind=kind).first()
    if answer_set is None:
        raise BudgetsError("These answers have not been started yet.")
    config = load_version(assessment.version_id)
    data = answers_for_rules(answer_set.data)
    try:
        answers = Answers.from_dict(data, config)
    except AnswerError as error:
        missing = [
            (config.domain(path.split(".", 1)[1]) or config.domains[0]).label
            for path, message in error.problems
            if path.startswith("answers.") and message == "missing"
        ]
        if missing:
            raise BudgetsError(
                "Answer every question before we work out a budget. Still to do: "
                + "; ".join(missing)
            ) from None
        raise BudgetsError(str(error)) from None
    result = indicative_budget(config, answers)
    budget = IndicativeBudget.objects.create(
        assessment=assessment,
        answer_kind=kind,
        version_id=result.version_id,
        answers=data,
        total_points=result.total_points,
        weekly=result.weekly,
        annual=result.annual,
        explanation=[line.text for line in result.explanation],
        needs_review=result.needs_review or "",
        calculated_by=actor,
    )
    if assessment.status != Assessment.Status.SUBMITTED:
        assessment.status = Assessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.save(update_fields=["status", "submitted_at"])
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=budget,
        subject=assessment.person,
        summary=f"Indicative budget {pounds(result.weekly)} a week ({result.version_id})",
        request=request,
    )
    return budget
