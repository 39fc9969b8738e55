"""Every write that matters in self-directed support: one transactional, audited function per use
case. Each raises :class:`BudgetsError` (or ``access.NotAllowed``) with a message for people."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import importlib
import re
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from budgets import access, charging, notices
from budgets.models import (
    ZERO,
    AnswerSet,
    Assessment,
    BreakGlassAccess,
    BudgetAccount,
    CaseAssignment,
    CaseTeam,
    Contribution,
    FinancialAssessment,
    IndicativeBudget,
    Invitation,
    LedgerPosting,
    LedgerTransaction,
    LocalChargingFigure,
    NationalChargingFigure,
    Need,
    PlanDecision,
    PlanLine,
    PlanOutcome,
    PlanReview,
    PlanVersion,
    Pool,
    PoolMember,
    SupportPlan,
)
from budgets.wellbeing import WellbeingDomain
from rules import ledger
from rules.apportion import largest_remainder
from rules.charging import ChargingError, parameters_in_force
from rules.money import format_money, to_pence
from rules.ras import AnswerError, Answers, indicative_budget, load_version, version_in_force
from wellbeing_hub.notifications import notify

Action = AuditEvent.Action
INVITATION_DAYS = 14
FIRST_REVIEW_WEEKS = 8
ALLOCATION_WEEKS = 4

# The most any one money field in a plan or a ledger entry may hold. Far above any real case and
# well inside the database columns (ten digits with pence), so no amount can overflow a column.
MAX_WEEKLY_COST = Decimal("100000.00")  # a plan line, its price each time, a top-up, a pool
MAX_TIMES_A_WEEK = Decimal("100")
MAX_TRANSACTION = Decimal("1000000.00")  # one payment, contribution, refund or allocation
# Idempotency keys: letters, digits, "-" and "_", at most 100 (a uuid4 hex from the form, or
# "account-<id>-first-allocation"). Nothing else can break a link or a CSV reference.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,100}\Z")


class BudgetsError(Exception):
    """A request that cannot be done, with a message to show the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _today() -> dt.date:
    return timezone.localdate()


def pounds(amount: Decimal) -> str:
    return format_money(amount)


def check_money(
    amount: Decimal | None,
    *,
    field: str,
    label: str,
    maximum: Decimal,
    minimum: Decimal = ZERO,
) -> Decimal:
    """``amount`` as pounds and pence within ``minimum``..``maximum``, or a BudgetsError naming
    the field and the range (never a database overflow)."""
    allowed = f"between {pounds(minimum)} and {pounds(maximum)}"
    if amount is None or not isinstance(amount, Decimal) or not amount.is_finite():
        raise BudgetsError(f"{label} must be an amount of money {allowed}", field=field)
    if amount < minimum or amount > maximum:
        raise BudgetsError(f"{label} must be {allowed}", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise BudgetsError(f"{label} must be in pounds and pence, like 12.50", field=field)
    return amount.quantize(Decimal("0.01"))


def valid_key(key: str) -> bool:
    return isinstance(key, str) and KEY_PATTERN.match(key) is not None


# --- assessment ----------------------------------------------------------------------------------


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
    texts = data.setdefault("free_text", {})
    for prompt in domain.free_text:
        key = f"{domain_id}.{prompt.id}"
        value = (free_text.get(prompt.id) or "").strip()
        if value:
            texts[key] = value[:5000]
        else:
            texts.pop(key, None)
    answer_set.data = data
    answer_set.author = actor
    answer_set.save()
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=answer_set,
        subject=assessment.person,
        summary=f"Saved '{domain.label}' ({kind}'s answers)",
        request=request,
    )
    return answer_set


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
    texts = data.setdefault("free_text", {})
    for prompt in config.about_me:
        key = f"about_me.{prompt.id}"
        value = (free_text.get(prompt.id) or "").strip()
        if value:
            texts[key] = value[:5000]
        else:
            texts.pop(key, None)
    data["about_me_done"] = True
    answer_set.data = data
    answer_set.author = actor
    answer_set.save()
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=answer_set,
        subject=assessment.person,
        summary=f"Saved 'About me' ({kind}'s answers)",
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


def _find_user(identifier: str) -> User | None:
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
    invitee = _find_user(identifier)
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


# --- charging ------------------------------------------------------------------------------------


@transaction.atomic
def save_financial_assessment(
    *,
    person: User,
    actor: User,
    inputs: dict[str, Any],
    plan: SupportPlan | None = None,
    request: HttpRequest | None = None,
) -> FinancialAssessment:
    """Run the charging calculator for the person and keep the result (attached to their plan)."""
    access.require(access.can_act_for(actor, person.pk))
    try:
        outcome = charging.calculate(inputs, _today())
    except ChargingError as error:
        raise BudgetsError(str(error)) from None
    fa = FinancialAssessment.objects.create(
        person=person,
        inputs=inputs,
        result=outcome.to_dict(),
        weekly_charge=outcome.result.weekly_charge,
        provisional=outcome.provisional,
        rates_date=outcome.rates_date,
        created_by=actor,
    )
    if plan is not None:
        access.require(plan.person_id == person.pk)
        plan.financial_assessment = fa
        plan.save(update_fields=["financial_assessment", "updated_at"])
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=fa,
        subject=person,
        summary=f"Financial assessment: {pounds(fa.weekly_charge)} a week"
        + (" (provisional)" if fa.provisional else ""),
        request=request,
    )
    return fa


def check_local_figure(parameter: str, value: Decimal, applies_from: dt.date) -> None:
    """Raise BudgetsError unless the calculator accepts this local figure on that date."""
    from rules.charging import LocalOverride

    try:
        parameters_in_force(applies_from, {parameter: LocalOverride(value, applies_from)})
    except ChargingError as error:
        raise BudgetsError(str(error), field="value") from None


@transaction.atomic
def save_local_figure(
    *,
    actor: User,
    area: str,
    parameter: str,
    value: Decimal,
    year: str,
    applies_from: dt.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> LocalChargingFigure:
    check_local_figure(parameter, value, applies_from)
    figure, _ = LocalChargingFigure.objects.update_or_create(
        area=area,
        parameter=parameter,
        applies_from=applies_from,
        defaults={"value": value, "year": year, "note": note, "entered_by": actor},
    )
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=figure,
        summary=f"Local charging figure {parameter} = {value} from {applies_from}",
        request=request,
    )
    return figure


def may_enter_national_figures(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR)


@transaction.atomic
def enter_national_figure(
    *,
    actor: User,
    parameter: str,
    value: Decimal,
    year: str,
    applies_from: dt.date,
    source: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> NationalChargingFigure:
    """One person types a new national figure from the circular. It is not used until a
    different person confirms it (:func:`confirm_national_figure`)."""
    access.require(
        may_enter_national_figures(actor), "Only a coordinator or administrator can do this."
    )
    if parameter not in dict(charging.national_parameters()):
        raise BudgetsError("Choose a national charging figure from the list", field="parameter")
    value = check_money(
        value, field="value", label="Figure", minimum=ZERO, maximum=Decimal("1000000000")
    )
    figure = NationalChargingFigure.objects.create(
        parameter=parameter,
        value=value,
        year=year.strip()[:7],
        applies_from=applies_from,
        source=source.strip()[:500],
        note=note.strip()[:250],
        entered_by=actor,
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=figure,
        summary=f"Entered national charging figure {parameter} = {value} from {applies_from} "
        "(waiting for a second person to confirm)",
        request=request,
    )
    return figure


@transaction.atomic
def confirm_national_figure(
    *, figure: NationalChargingFigure, actor: User, request: HttpRequest | None = None
) -> NationalChargingFigure:
    """A second person checks the figure against the circular and confirms it; from then on the
    calculator uses it. The person who entered it cannot confirm it."""
    access.require(
        may_enter_national_figures(actor), "Only a coordinator or administrator can do this."
    )
    figure = NationalChargingFigure.objects.select_for_update().get(pk=figure.pk)
    if figure.confirmed_at is not None:
        return figure
    if figure.entered_by_id == actor.pk:
        raise BudgetsError(
            "A different person must confirm this figure: check it against the circular."
        )
    figure.confirmed_by, figure.confirmed_at = actor, timezone.now()
    figure.save(update_fields=["confirmed_by", "confirmed_at"])
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=figure,
        summary=f"Confirmed national charging figure {figure.parameter} = {figure.value} from "
        f"{figure.applies_from} (entered by someone else; source {figure.source})",
        request=request,
    )
    return figure


# --- support plans -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanTotals:
    paid_weekly: Decimal
    unpaid_minutes: int
    budget_weekly: Decimal | None
    contribution_weekly: Decimal
    top_up_weekly: Decimal

    @property
    def council_weekly(self) -> Decimal:
        """What the council pays into the budget each week: the budget less the person's share."""
        if self.budget_weekly is None:
            return ZERO
        return max(ZERO, self.budget_weekly - self.contribution_weekly)

    @property
    def over_by(self) -> Decimal:
        if self.budget_weekly is None:
            return ZERO
        return max(ZERO, self.paid_weekly - self.budget_weekly)

    @property
    def left_weekly(self) -> Decimal:
        if self.budget_weekly is None:
            return ZERO
        return max(ZERO, self.budget_weekly - self.paid_weekly)

    @property
    def over_budget(self) -> bool:
        return self.over_by > 0

    @property
    def covered_by_top_up(self) -> bool:
        return self.top_up_weekly >= self.over_by


def plan_totals(plan: SupportPlan) -> PlanTotals:
    lines = list(plan.lines.all())
    fa = plan.financial_assessment
    contribution = ZERO
    if fa is not None and plan.budget is not None:
        # A person never pays more than the budget itself.
        contribution = min(Decimal(fa.weekly_charge), Decimal(plan.budget.weekly))
    return PlanTotals(
        paid_weekly=sum((Decimal(line.weekly_cost) for line in lines), ZERO),
        unpaid_minutes=sum(line.minutes_per_week for line in lines if not line.paid),
        budget_weekly=None if plan.budget is None else Decimal(plan.budget.weekly),
        contribution_weekly=contribution,
        top_up_weekly=Decimal(plan.top_up_weekly),
    )


def _lock_plan(plan: SupportPlan) -> SupportPlan:
    return SupportPlan.objects.select_for_update().get(pk=plan.pk)


def _require_editable(plan: SupportPlan, actor: User) -> None:
    access.require(access.can_edit_plan(actor, plan))
    if not plan.editable:
        raise BudgetsError(
            "This plan is waiting for agreement or has been agreed. Choose 'Change my plan' first."
        )


@transaction.atomic
def start_plan(*, person: User, actor: User, request: HttpRequest | None = None) -> SupportPlan:
    """The person's plan, using their latest assessment and indicative budget."""
    access.require(access.can_act_for(actor, person.pk))
    plan = SupportPlan.objects.filter(person=person).first()
    if plan is not None:
        return plan
    assessment = Assessment.objects.filter(person=person).first()
    budget = IndicativeBudget.objects.filter(assessment=assessment).first() if assessment else None
    fa = FinancialAssessment.objects.filter(person=person).first()
    plan = SupportPlan.objects.create(
        person=person, assessment=assessment, budget=budget, financial_assessment=fa
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=plan,
        subject=person,
        summary="Started a support plan",
        request=request,
    )
    return plan


@transaction.atomic
def use_budget(
    *,
    plan: SupportPlan,
    budget: IndicativeBudget,
    actor: User,
    request: HttpRequest | None = None,
) -> SupportPlan:
    plan = _lock_plan(plan)
    _require_editable(plan, actor)
    if budget.assessment.person_id != plan.person_id:
        raise BudgetsError("That budget belongs to someone else.")
    plan.budget = budget
    plan.save(update_fields=["budget", "updated_at"])
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary=f"Plan uses the indicative budget of {pounds(budget.weekly)} a week",
        request=request,
    )
    return plan


@transaction.atomic
def set_neighbourhood(
    *, plan: SupportPlan, actor: User, neighbourhood: Any, request: HttpRequest | None = None
) -> None:
    access.require(access.can_edit_plan(actor, plan))
    plan.neighbourhood = neighbourhood
    plan.save(update_fields=["neighbourhood", "updated_at"])
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary="Set the neighbourhood for the plan",
        request=request,
    )


@transaction.atomic
def add_outcome(
    *,
    plan: SupportPlan,
    actor: User,
    text: str,
    wellbeing: list[str],
    open_to_sharing: bool = False,
    request: HttpRequest | None = None,
) -> PlanOutcome:
    plan = _lock_plan(plan)
    _require_editable(plan, actor)
    text = text.strip()
    if not text:
        raise BudgetsError("Write what you want to achieve, in your own words", field="text")
    unknown = set(wellbeing) - set(WellbeingDomain.values)
    if not wellbeing or unknown:
        raise BudgetsError("Choose at least one part of your wellbeing", field="wellbeing")
    outcome = PlanOutcome.objects.create(
        plan=plan,
        text=text[:2000],
        wellbeing=list(wellbeing),
        open_to_sharing=open_to_sharing,
        position=plan.outcomes.count() + 1,
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=outcome,
        subject=plan.person,
        summary="Added an outcome to the support plan",
        request=request,
    )
    return outcome


@transaction.atomic
def remove_outcome(
    *, outcome: PlanOutcome, actor: User, request: HttpRequest | None = None
) -> None:
    plan = _lock_plan(outcome.plan)
    _require_editable(plan, actor)
    outcome.delete()
    record_audit(
        actor=actor,
        action=Action.DELETE,
        object_type="budgets.planoutcome",
        object_id=str(outcome.pk),
        subject=plan.person,
        summary="Removed an outcome from the support plan",
        request=request,
    )


def timebank_services() -> Any | None:
    """The time bank's services module once it offers ``request_for_plan``; None until then."""
    try:
        module = importlib.import_module("timebank.services")
    except ImportError:
        return None
    return module if hasattr(module, "request_for_plan") else None


@transaction.atomic
def add_line(
    *,
    outcome: PlanOutcome,
    actor: User,
    kind: str,
    description: str,
    service: Any = None,
    who: str = "",
    schedule: str = "",
    unit_cost: Decimal | None = None,
    units_per_week: Decimal | None = None,
    weekly_cost: Decimal | None = None,
    minutes_per_week: int = 0,
    need: str = "",
    request: HttpRequest | None = None,
) -> PlanLine:
    """How an outcome will be met. A directory service's weekly cost is its price times how many
    a week; time bank hours and unpaid help cost nothing and count in minutes. A line of kind
    "could not find this" says what was looked for and its ``need``; it costs nothing and is
    counted (without names) on the gap-in-the-market page."""
    plan = _lock_plan(outcome.plan)
    _require_editable(plan, actor)
    if kind not in PlanLine.Kind.values or kind == PlanLine.Kind.POOL:
        raise BudgetsError("Choose how this will be met", field="kind")
    if kind == PlanLine.Kind.SERVICE:
        if service is None:
            raise BudgetsError("Choose a service from the directory", field="service")
        if unit_cost is None or units_per_week is None:
            raise BudgetsError("Say how many times a week", field="units_per_week")
        unit_cost = check_money(
            unit_cost, field="unit_cost", label="Price each time", maximum=MAX_WEEKLY_COST
        )
        if (
            not isinstance(units_per_week, Decimal)
            or not units_per_week.is_finite()
            or not Decimal("0.01") <= units_per_week <= MAX_TIMES_A_WEEK
            or units_per_week != units_per_week.quantize(Decimal("0.01"))
        ):
            raise BudgetsError(
                "How many times a week must be a number from 0.01 to 100", field="units_per_week"
            )
        weekly_cost = (unit_cost * units_per_week).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if weekly_cost > MAX_WEEKLY_COST:
            raise BudgetsError(
                f"This would cost {pounds(weekly_cost)} a week. One line of a plan can cost at "
                f"most {pounds(MAX_WEEKLY_COST)} a week: check the price and how many times a week",
                field="unit_cost",
            )
        description = description or service.name
        who = who or service.organization.name
    elif kind == PlanLine.Kind.TIME_BANK:
        if minutes_per_week <= 0:
            raise BudgetsError("Say how many hours a week", field="hours")
        weekly_cost = ZERO
    elif kind in (PlanLine.Kind.FAMILY,):
        weekly_cost = ZERO
    elif kind == PlanLine.Kind.NOT_FOUND:
        if need not in Need.values:
            raise BudgetsError("Choose what kind of support you looked for", field="need")
        if not description.strip():
            raise BudgetsError("Say what you looked for and could not find", field="description")
        weekly_cost, minutes_per_week, service = ZERO, 0, None
    if kind != PlanLine.Kind.NOT_FOUND:
        need = ""
    weekly_cost = check_money(
        weekly_cost or ZERO, field="weekly_cost", label="Cost each week", maximum=MAX_WEEKLY_COST
    )
    if not isinstance(minutes_per_week, int) or not 0 <= minutes_per_week <= 168 * 60:
        raise BudgetsError("Hours each week must be from 0 to 168", field="hours")
    if not description.strip():
        raise BudgetsError("Describe the support", field="description")
    line = PlanLine.objects.create(
        plan=plan,
        outcome=outcome,
        kind=kind,
        description=description.strip()[:250],
        service=service,
        who=who.strip()[:200],
        schedule=schedule.strip()[:200],
        unit_cost=unit_cost,
        units_per_week=units_per_week,
        weekly_cost=weekly_cost,
        minutes_per_week=minutes_per_week,
        need=need,
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=line,
        subject=plan.person,
        summary=f"Added to the plan: {line.description[:80]} ({line.get_kind_display()})",
        request=request,
    )
    return line


@transaction.atomic
def remove_line(*, line: PlanLine, actor: User, request: HttpRequest | None = None) -> None:
    plan = _lock_plan(line.plan)
    _require_editable(plan, actor)
    if line.kind == PlanLine.Kind.POOL:
        raise BudgetsError("A pooled service is changed with the others in the pool.")
    line.delete()
    record_audit(
        actor=actor,
        action=Action.DELETE,
        object_type="budgets.planline",
        object_id=str(line.pk),
        subject=plan.person,
        summary=f"Removed from the plan: {line.description[:80]}",
        request=request,
    )


def plan_snapshot(plan: SupportPlan) -> dict[str, Any]:
    """Everything a version shows, as plain data: outcomes, lines, money and the budget used."""
    totals = plan_totals(plan)
    budget = plan.budget
    return {
        "status": plan.status,
        "budget": None
        if budget is None
        else {
            "id": budget.pk,
            "version_id": budget.version_id,
            "weekly": str(budget.weekly),
            "annual": str(budget.annual),
        },
        "contribution_weekly": str(totals.contribution_weekly),
        "financial_assessment_id": plan.financial_assessment_id,
        "paid_weekly": str(totals.paid_weekly),
        "unpaid_minutes_weekly": totals.unpaid_minutes,
        "top_up_weekly": str(plan.top_up_weekly),
        "over_budget_reason": plan.over_budget_reason,
        "outcomes": [
            {
                "text": outcome.text,
                "wellbeing": list(outcome.wellbeing),
                "lines": [
                    {
                        "kind": line.kind,
                        "description": line.description,
                        "service_id": line.service_id,
                        "who": line.who,
                        "schedule": line.schedule,
                        "weekly_cost": str(line.weekly_cost),
                        "minutes_per_week": line.minutes_per_week,
                        "need": line.need,
                    }
                    for line in outcome.lines.all()
                ],
            }
            for outcome in plan.outcomes.all()
        ],
    }


def _new_version(plan: SupportPlan, actor: User, event: str) -> PlanVersion:
    last = plan.versions.order_by("-number").first()
    return PlanVersion.objects.create(
        plan=plan,
        number=(last.number + 1) if last else 1,
        event=event,
        snapshot=plan_snapshot(plan),
        created_by=actor,
    )


def _check_within_budget(plan: SupportPlan, totals: PlanTotals) -> None:
    if totals.over_budget and not totals.covered_by_top_up and not plan.over_budget_reason.strip():
        raise BudgetsError(
            f"Your plan costs {pounds(totals.paid_weekly)} a week, which is "
            f"{pounds(totals.over_by)} more than your budget. Record who will pay the difference "
            "(a top-up), or explain why the plan needs more.",
            field="top_up_weekly",
        )


@transaction.atomic
def propose_plan(
    *,
    plan: SupportPlan,
    actor: User,
    top_up_weekly: Decimal = ZERO,
    over_budget_reason: str = "",
    request: HttpRequest | None = None,
) -> PlanVersion:
    """The person (or someone helping them) proposes the plan for agreement."""
    plan = _lock_plan(plan)
    _require_editable(plan, actor)
    if plan.budget is None:
        raise BudgetsError("Work out your indicative budget before you propose your plan.")
    outcomes = list(plan.outcomes.prefetch_related("lines"))
    if not outcomes:
        raise BudgetsError("Add at least one outcome: what you want to achieve.")
    empty = [o.text[:60] for o in outcomes if not o.lines.all()]
    if empty:
        raise BudgetsError("Say how each outcome will be met. Still to do: " + "; ".join(empty))
    top_up_weekly = check_money(
        top_up_weekly, field="top_up_weekly", label="Top-up each week", maximum=MAX_WEEKLY_COST
    )
    plan.top_up_weekly = top_up_weekly
    plan.over_budget_reason = over_budget_reason.strip()
    _check_within_budget(plan, plan_totals(plan))
    plan.status = SupportPlan.Status.PROPOSED
    plan.save()
    version = _new_version(plan, actor, "proposed")
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary=f"Proposed the support plan (version {version.number})",
        request=request,
    )
    notices.plan_proposed(plan, actor)
    return version


@transaction.atomic
def decide_plan(
    *,
    plan: SupportPlan,
    actor: User,
    decision: str,
    reason: str = "",
    request: HttpRequest | None = None,
) -> PlanDecision:
    """An approver agrees the proposed plan or asks for a change with a reason the person sees.
    Nothing is refused silently: there is no "reject" without a written reason."""
    plan = _lock_plan(plan)
    access.require(
        access.can_decide_plan(actor, plan),
        "Only a broker, support planner or commissioner can agree a plan, and not their own.",
    )
    if plan.status != SupportPlan.Status.PROPOSED:
        raise BudgetsError("This plan is not waiting for agreement.")
    reason = reason.strip()
    version = plan.versions.order_by("-number").first()
    assert version is not None  # a proposed plan always has a version
    if decision == PlanDecision.Decision.CHANGES_REQUESTED:
        if not reason:
            raise BudgetsError("Explain what needs to change and why", field="reason")
        plan.status = SupportPlan.Status.CHANGES_REQUESTED
        plan.save()
        summary = "Asked for a change to the support plan"
    elif decision == PlanDecision.Decision.APPROVED:
        _check_within_budget(plan, plan_totals(plan))
        plan.status = SupportPlan.Status.APPROVED
        plan.approved_at = timezone.now()
        plan.save()
        assert plan.budget is not None
        if plan.budget.agreed_at is None:
            IndicativeBudget.objects.filter(pk=plan.budget.pk).update(agreed_at=timezone.now())
        PlanReview.objects.get_or_create(
            plan=plan,
            done_on=None,
            defaults={"due_on": _today() + dt.timedelta(weeks=FIRST_REVIEW_WEEKS)},
        )
        _request_time_bank_hours(plan, actor)
        _new_version(plan, actor, "approved")
        summary = "Agreed the support plan"
    else:
        raise BudgetsError("Choose agree or ask for a change", field="decision")
    made = PlanDecision.objects.create(
        plan=plan, version=version, decision=decision, reason=reason, decided_by=actor
    )
    notices.plan_decided(plan, made)
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary=summary,
        request=request,
    )
    return made


def _request_time_bank_hours(plan: SupportPlan, actor: User) -> None:
    """Once a plan is agreed, ask the time bank for its hours (``timebank.services``)."""
    module = timebank_services()
    if module is None:
        return
    for line in plan.lines.filter(kind=PlanLine.Kind.TIME_BANK, timebank_reference=""):
        made = module.request_for_plan(
            person=plan.person,
            category=None,
            minutes_per_week=line.minutes_per_week,
            title=line.description[:200],
            details=f"From a support plan. Outcome: {line.outcome.text[:500]}",
            by=actor,
        )
        reference = str(getattr(made, "pk", "") or "requested")[:100]
        PlanLine.objects.filter(pk=line.pk).update(timebank_reference=reference)


def time_bank_minutes_received(person: User, since: dt.date | None = None) -> int | None:
    """Confirmed time bank minutes the person received (None if the time bank is not there)."""
    try:
        module = importlib.import_module("timebank.selectors")
    except ImportError:
        return None
    if not hasattr(module, "confirmed_minutes"):
        return None
    return int(module.confirmed_minutes(person, start=since))


@transaction.atomic
def reopen_plan(*, plan: SupportPlan, actor: User, request: HttpRequest | None = None) -> None:
    """Change an agreed or proposed plan: it becomes a draft again; every version stays."""
    plan = _lock_plan(plan)
    access.require(access.can_edit_plan(actor, plan))
    if plan.editable:
        return
    plan.status = SupportPlan.Status.DRAFT
    plan.save()
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary="Started changing the support plan",
        request=request,
    )


# Months to the next review a reviewer may choose: the Care Act statutory guidance (13.32) expects
# a review at least every 12 months.
NEXT_REVIEW_MONTHS = (3, 6, 12)


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def open_review(plan: SupportPlan) -> PlanReview | None:
    """The review of an agreed plan that is waiting to be recorded, if any."""
    if plan.status != SupportPlan.Status.APPROVED:
        return None
    return plan.reviews.filter(done_on__isnull=True).order_by("due_on").first()


@transaction.atomic
def complete_review(
    *,
    plan: SupportPlan,
    actor: User,
    result: str,
    notes: str,
    next_in_months: int,
    took_part: str = "",
    request: HttpRequest | None = None,
) -> PlanReview:
    """Record the plan's open review and set the next one."""
    plan = _lock_plan(plan)
    access.require(access.can_review_plan(actor, plan))
    review = open_review(plan)
    if review is None:
        raise BudgetsError("This plan has no review waiting: it was recorded already")
    if result not in PlanReview.Result.values:
        raise BudgetsError("Choose how the plan is working", field="result")
    if not notes.strip():
        raise BudgetsError("Write what the review found", field="notes")
    if next_in_months not in NEXT_REVIEW_MONTHS:
        raise BudgetsError("Choose when the next review should be", field="next_in_months")
    review.done_on = _today()
    review.result = result
    review.notes = notes.strip()[:5000]
    review.took_part = took_part.strip()[:300]
    review.reviewed_by = actor
    review.save()
    following = PlanReview.objects.create(
        plan=plan, due_on=months_later(review.done_on, next_in_months)
    )
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=review,
        subject=plan.person,
        summary=f"Reviewed the support plan ({PlanReview.Result(result).label}); next review "
        f"due {following.due_on:%d %B %Y}",
        request=request,
    )
    return review


# --- pooling -------------------------------------------------------------------------------------


def split_cost(total: Decimal, shares: list[int]) -> list[Decimal]:
    """Split ``total`` by ``shares`` in whole pence so the parts add up exactly (largest remainder,
    ties to the earlier member)."""
    if not shares or any(share <= 0 for share in shares):
        raise BudgetsError("Every share must be a whole number above zero", field="shares")
    parts = largest_remainder(shares, to_pence(total))
    return [Decimal(part) / 100 for part in parts]


@transaction.atomic
def create_pool(
    *,
    actor: User,
    name: str,
    neighbourhood: Any,
    service: Any,
    weekly_cost: Decimal,
    members: list[tuple[PlanOutcome, int]],
    description: str = "",
    over_budget_reason: str = "",
    request: HttpRequest | None = None,
) -> Pool:
    """A broker puts people in touch (each has agreed to it) to buy a service together. A share
    that would take someone's plan over its budget needs ``over_budget_reason``."""
    access.require(access.is_practitioner(actor), "Only a broker can set up a pool.")
    access.require(
        all(access.on_caseload(actor, outcome.plan.person_id) for outcome, _ in members),
        "You can only put people on your caseload in touch with each other.",
    )
    if len(members) < 2:
        raise BudgetsError("A pool needs at least two people", field="members")
    people = {outcome.plan.person_id for outcome, _ in members}
    if len(people) != len(members):
        raise BudgetsError("Choose one outcome per person", field="members")
    for outcome, _ in members:
        if not outcome.open_to_sharing:
            raise BudgetsError("Everyone in a pool must have agreed to be put in touch")
        if outcome.plan.neighbourhood_id != neighbourhood.pk:
            raise BudgetsError("Everyone in a pool must live in the same neighbourhood")
    weekly_cost = check_money(
        weekly_cost,
        field="weekly_cost",
        label="Weekly cost of the service",
        minimum=Decimal("0.01"),
        maximum=MAX_WEEKLY_COST,
    )
    pool = Pool.objects.create(
        name=name.strip()[:150] or "Shared support",
        neighbourhood=neighbourhood,
        service=service,
        description=description.strip(),
        weekly_cost=weekly_cost,
        created_by=actor,
    )
    parts = split_cost(weekly_cost, [share for _, share in members])
    overs = _check_over_budget([outcome.plan for outcome, _ in members], parts, over_budget_reason)
    why = _one_line(over_budget_reason)
    for (outcome, share), part, over in zip(members, parts, overs, strict=True):
        PoolMember.objects.create(
            pool=pool,
            outcome=outcome,
            share=share,
            weekly_cost=part,
            over_budget_by=over,
            over_budget_reason=why if over else "",
        )
        record_audit(
            actor=actor,
            action=Action.CREATE,
            target=pool,
            subject=outcome.plan.person,
            summary=f"Suggested joining the pool '{pool.name}' at {pounds(part)} a week"
            + (f"; {pounds(over)} a week over budget because: {why}" if over else ""),
            request=request,
        )
    _tell_pool(
        pool,
        [m.outcome.plan.person for m in pool.members.select_related("outcome__plan__person")],
        f"A shared support pool was suggested to you: {pool.name}",
        "Your broker suggested sharing a service with people near you. See your share and "
        "agree or say no on your support plan home page.",
    )
    return pool


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


def _check_over_budget(
    plans: list[SupportPlan], parts: list[Decimal], reason: str
) -> list[Decimal]:
    """How far each share takes its plan over budget (0 when it stays within). Any share that
    does needs a reason, or the split is refused naming the amount."""
    overs = []
    for plan, part in zip(plans, parts, strict=True):
        totals = plan_totals(plan)
        if totals.budget_weekly is None:
            overs.append(ZERO)
            continue
        after = max(ZERO, totals.paid_weekly + part - totals.budget_weekly)
        overs.append(after if after > totals.over_by else ZERO)
    worst = max(overs, default=ZERO)
    if worst > 0 and not _one_line(reason):
        raise BudgetsError(
            f"These shares would take someone {pounds(worst)} a week over their budget. "
            "Change the shares, or say why that is all right",
            field="over_budget_reason",
        )
    return overs


def _tell_pool(pool: Pool, people: list[User], subject: str, body: str) -> None:
    recipients = [person.email for person in people if person.email]
    if pool.created_by is not None and pool.created_by.email:
        recipients.append(pool.created_by.email)
    notify(subject, body, sorted(set(recipients)), kind="support_pools")


def _may_manage_pool(actor: User, pool: Pool, members: list[PoolMember]) -> None:
    access.require(
        access.is_practitioner(actor)
        and all(access.reaches(actor, m.outcome.plan.person_id) for m in members),
        "Only a broker who has every member on their caseload can change this pool.",
    )


@transaction.atomic
def resplit_pool(
    *,
    pool: Pool,
    actor: User,
    shares: dict[int, int],
    weekly_cost: Decimal | None = None,
    over_budget_reason: str = "",
    request: HttpRequest | None = None,
) -> Pool:
    """The broker offers a new split (``shares``: member id -> share; 0 leaves someone out). Every
    earlier answer is for the old split, so everyone is asked again."""
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    members = list(pool.members.select_related("outcome__plan__person").order_by("id"))
    _may_manage_pool(actor, pool, members)
    if pool.status not in (Pool.Status.FORMING, Pool.Status.DECLINED):
        raise BudgetsError("This pool can no longer be changed.")
    if any(share < 0 or share > 100 for share in shares.values()):
        raise BudgetsError("A share must be a whole number from 0 to 100", field="shares")
    staying = [m for m in members if shares.get(m.pk, 0) > 0]
    if len(staying) < 2:
        raise BudgetsError("A pool needs at least two people", field="shares")
    cost = check_money(
        pool.weekly_cost if weekly_cost is None else weekly_cost,
        field="weekly_cost",
        label="Weekly cost of the service",
        minimum=Decimal("0.01"),
        maximum=MAX_WEEKLY_COST,
    )
    parts = split_cost(cost, [shares[m.pk] for m in staying])
    overs = _check_over_budget([m.outcome.plan for m in staying], parts, over_budget_reason)
    why = _one_line(over_budget_reason)
    leaving = [m for m in members if m not in staying]
    for member in leaving:
        record_audit(
            actor=actor,
            action=Action.UPDATE,
            target=pool,
            subject=member.outcome.plan.person,
            summary=f"Left out of the new split of the pool '{pool.name}'",
            request=request,
        )
        member.delete()
    for member, part, over in zip(staying, parts, overs, strict=True):
        member.share = shares[member.pk]
        member.weekly_cost = part
        member.agreed_at = member.declined_at = None
        member.over_budget_by = over
        member.over_budget_reason = why if over else ""
        member.save()
        record_audit(
            actor=actor,
            action=Action.UPDATE,
            target=pool,
            subject=member.outcome.plan.person,
            summary=f"Re-split the pool '{pool.name}': {pounds(part)} a week"
            + (f"; {pounds(over)} a week over budget because: {why}" if over else ""),
            request=request,
        )
    pool.weekly_cost = cost
    pool.status = Pool.Status.FORMING
    pool.split += 1
    pool.save(update_fields=["weekly_cost", "status", "split"])
    _tell_pool(
        pool,
        [m.outcome.plan.person for m in members],
        f"New shares suggested for the pool {pool.name}",
        "The broker has suggested new shares. Everyone is asked again: see your share and agree "
        "or say no on the pool's page.",
    )
    return pool


@transaction.atomic
def cancel_pool(*, pool: Pool, actor: User, request: HttpRequest | None = None) -> Pool:
    """The broker calls the pool off before everyone has agreed; every member is told."""
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    members = list(pool.members.select_related("outcome__plan__person"))
    _may_manage_pool(actor, pool, members)
    if pool.status not in (Pool.Status.FORMING, Pool.Status.DECLINED):
        raise BudgetsError("Only a pool that is not agreed yet can be cancelled.")
    pool.status = Pool.Status.CANCELLED
    pool.save(update_fields=["status"])
    for member in members:
        record_audit(
            actor=actor,
            action=Action.UPDATE,
            target=pool,
            subject=member.outcome.plan.person,
            summary=f"Cancelled the pool '{pool.name}'",
            request=request,
        )
    _tell_pool(
        pool,
        [m.outcome.plan.person for m in members],
        f"The pool {pool.name} has been cancelled",
        "The broker has cancelled this shared support pool. Nothing in your plan changes.",
    )
    return pool


@transaction.atomic
def respond_to_pool(
    *, member: PoolMember, actor: User, agree: bool, request: HttpRequest | None = None
) -> Pool:
    """A member agrees their share (or says no). When everyone agrees, each plan gets a pooled
    line at its share of the cost (a plan that was agreed goes back to draft to be agreed again)."""
    pool = Pool.objects.select_for_update().get(pk=member.pool_id)
    member = PoolMember.objects.select_related("outcome__plan").get(pk=member.pk)
    access.require(member.outcome.plan.person_id == actor.pk, "Only the person can answer.")
    if pool.status == Pool.Status.AGREED:
        raise BudgetsError("Everyone has already agreed this pool.")
    if pool.status != Pool.Status.FORMING:
        raise BudgetsError(
            "This split is no longer on offer: wait for the broker to suggest new shares."
        )
    if agree:
        member.agreed_at, member.declined_at = timezone.now(), None
    else:
        member.declined_at, member.agreed_at = timezone.now(), None
    member.save(update_fields=["agreed_at", "declined_at"])
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=pool,
        subject=actor,
        summary=f"{'Agreed' if agree else 'Said no to'} their share of the pool '{pool.name}'",
        request=request,
    )
    members = list(pool.members.select_related("outcome__plan__person"))
    if not agree:
        # This split is superseded: nobody's earlier "yes" stands for it any more.
        pool.members.exclude(pk=member.pk).update(agreed_at=None)
        pool.status = Pool.Status.DECLINED
        pool.save(update_fields=["status"])
        _tell_pool(
            pool,
            [m.outcome.plan.person for m in members],
            f"Someone said no to the pool {pool.name}",
            "One person said no to their share, so this split will not go ahead. The broker "
            "will suggest new shares or cancel the pool; you will be asked again.",
        )
        return pool
    if all(m.agreed_at for m in members):
        pool.status = Pool.Status.AGREED
        pool.save(update_fields=["status"])
        for m in members:
            plan = _lock_plan(m.outcome.plan)
            if not plan.editable:
                plan.status = SupportPlan.Status.DRAFT
                plan.save()
            PlanLine.objects.create(
                plan=plan,
                outcome=m.outcome,
                kind=PlanLine.Kind.POOL,
                description=f"{pool.name} (shared with {len(members) - 1} others)",
                service=pool.service,
                pool_member=m,
                who=pool.service.organization.name if pool.service else pool.name,
                weekly_cost=m.weekly_cost,
            )
    return pool


# --- budget accounts: the ledger -----------------------------------------------------------------

COUNCIL = "council"


def _person_ledger(account: BudgetAccount) -> str:
    return f"person:{account.person_id}"


def provider_ledger(payee: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in payee.lower()).strip("-")
    return f"provider:{slug[:80] or 'unnamed'}"


@transaction.atomic
def open_account(
    *,
    plan: SupportPlan,
    actor: User,
    kind: str,
    period_start: dt.date,
    period_end: dt.date | None = None,
    request: HttpRequest | None = None,
) -> BudgetAccount:
    """Open the budget account for an agreed plan, and allocate the council's first four weeks."""
    access.require(access.is_approver(actor), "Only a broker or commissioner opens accounts.")
    plan = _lock_plan(plan)
    if plan.status != SupportPlan.Status.APPROVED:
        raise BudgetsError("The plan must be agreed before its budget account is opened.")
    if BudgetAccount.objects.filter(plan=plan).exists():
        return plan.account
    if kind not in BudgetAccount.Kind.values:
        raise BudgetsError("Choose a direct payment or a managed account", field="kind")
    end = period_end or (period_start + dt.timedelta(days=364))
    if end <= period_start:
        raise BudgetsError("The period must end after it starts", field="period_end")
    account = BudgetAccount.objects.create(
        person=plan.person,
        plan=plan,
        kind=kind,
        period_start=period_start,
        period_end=end,
        opened_by=actor,
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=account,
        subject=plan.person,
        summary=f"Opened a budget account ({account.get_kind_display()})",
        request=request,
    )
    council = plan_totals(plan).council_weekly * ALLOCATION_WEEKS
    if council > 0:
        post(
            account=account,
            actor=actor,
            kind="allocation",
            amount=council,
            effective=period_start,
            key=f"account-{account.pk}-first-allocation",
            memo=f"Council's share for the first {ALLOCATION_WEEKS} weeks",
            request=request,
        )
    return account


def _to_rules(txn: LedgerTransaction) -> ledger.MoneyTransaction:
    postings = tuple(
        ledger.Posting(p.ledger_account, ledger.Money(p.amount_pence))
        for p in sorted(txn.postings.all(), key=lambda p: p.pk)
    )
    return ledger.Transaction.unchecked(
        txn.key,
        ledger.MoneyKind(txn.kind),
        postings,
        txn.effective,
        txn.memo,
        txn.reverses.key if txn.reverses_id else None,
    )


def account_balance_pence(account: BudgetAccount) -> int:
    total = LedgerPosting.objects.filter(ledger_account=account.ledger_id).aggregate(
        total=Sum("amount_pence")
    )["total"]
    return int(total or 0)


def _store(
    account: BudgetAccount,
    txn: ledger.MoneyTransaction,
    actor: User,
    payee: str,
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    row = LedgerTransaction.objects.create(
        key=txn.key,
        account=account,
        kind=str(txn.kind),
        effective=txn.effective,
        memo=txn.memo[:300],
        payee=payee[:250],
        reverses=reverses,
        created_by=actor,
    )
    LedgerPosting.objects.bulk_create(
        [
            LedgerPosting(
                transaction=row, ledger_account=str(p.account), amount_pence=p.amount.units
            )
            for p in txn.postings
        ]
    )
    return row


def _existing(key: str, proposed: ledger.MoneyTransaction) -> LedgerTransaction | None:
    """The stored transaction with this key if it says the same thing (a retry); raises if the key
    was used for something else."""
    found = (
        LedgerTransaction.objects.filter(key=key)
        .select_related("reverses")
        .prefetch_related("postings")
        .first()
    )
    if found is None:
        return None
    if not ledger.same_content(_to_rules(found), proposed):
        raise BudgetsError(
            "This form was already used to record something different. Reload the page and "
            "try again."
        )
    return found


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def check_in_period(account: BudgetAccount, effective: dt.date) -> None:
    """Money moves only while the account is open: from its first to its last day, inclusive."""
    if not account.period_start <= effective <= account.period_end:
        raise BudgetsError(
            f"The date must be between {long_date(account.period_start)} and "
            f"{long_date(account.period_end)}, while this account is open",
            field="effective",
        )


@dataclass(frozen=True)
class Posted:
    transaction: LedgerTransaction
    created: bool


def post(
    *,
    account: BudgetAccount,
    actor: User,
    kind: str,
    amount: Decimal,
    effective: dt.date,
    key: str,
    payee: str = "",
    memo: str = "",
    request: HttpRequest | None = None,
) -> Posted:
    """Record money moving into or out of a budget account. Safe to retry: the same ``key`` with
    the same content returns the first record and changes nothing. The account row is locked while
    its balance is checked, so two payments cannot both spend the same pounds."""
    access.require(
        access.can_view_account(actor, account) and access.can_record(actor, account, kind),
        "You cannot record this on this account.",
    )
    amount = check_money(
        amount, field="amount", label="Amount", minimum=Decimal("0.01"), maximum=MAX_TRANSACTION
    )
    try:
        money = ledger.Money.from_pounds(amount)
    except ledger.LedgerError as error:
        raise BudgetsError(error.message, field="amount") from None
    if money.units <= 0:
        raise BudgetsError("Enter an amount more than £0", field="amount")
    if not valid_key(key):
        raise BudgetsError("This form has expired. Reload the page and try again.")
    check_in_period(account, effective)
    budget = account.ledger_id
    person = _person_ledger(account)
    kinds = ledger.MoneyKind
    if kind == kinds.ALLOCATION:
        source, destination = COUNCIL, budget
    elif kind == kinds.CONTRIBUTION:
        source, destination = person, budget
    elif kind in (kinds.PROVIDER_PAYMENT, kinds.REFUND):
        if not payee.strip():
            raise BudgetsError("Say who was paid", field="payee")
        provider = provider_ledger(payee)
        source, destination = (
            (budget, provider) if kind == kinds.PROVIDER_PAYMENT else (provider, budget)
        )
    else:
        raise BudgetsError("Choose what kind of money this is", field="kind")
    proposed = ledger.transfer(
        key, kinds(kind), source, destination, money, effective, memo.strip()[:250]
    )
    for _attempt in range(2):
        try:
            with transaction.atomic():
                locked = BudgetAccount.objects.select_for_update().get(pk=account.pk)
                found = _existing(key, proposed)
                if found is not None:
                    return Posted(found, False)
                if kind == kinds.PROVIDER_PAYMENT:
                    try:
                        ledger.check_debit_limit(
                            ledger.Money(account_balance_pence(locked)),
                            -money,
                            ledger.Money(0),
                            name="the budget account",
                        )
                    except ledger.DebitLimitExceeded:
                        raise BudgetsError(
                            f"There is not enough money in the account to pay {money}. "
                            f"The balance is {ledger.Money(account_balance_pence(locked))}.",
                            field="amount",
                        ) from None
                row = _store(locked, proposed, actor, payee.strip())
                record_audit(
                    actor=actor,
                    action=Action.CREATE,
                    target=row,
                    subject=account.person,
                    summary=f"{kinds(kind).value.replace('_', ' ').capitalize()}: {money}"
                    + (f" to {payee.strip()[:60]}" if kind == kinds.PROVIDER_PAYMENT else ""),
                    request=request,
                )
                return Posted(row, True)
        except IntegrityError:
            # The same key was stored by a concurrent request between our check and insert (it
            # holds another account's lock): look again, and return it if it is the same.
            continue
    found = _existing(key, proposed)
    if found is None:
        raise BudgetsError("This could not be recorded. Try again.")
    return Posted(found, False)


def reverse_transaction(
    *,
    account: BudgetAccount,
    actor: User,
    original_key: str,
    reason: str,
    key: str,
    below_zero_reason: str = "",
    request: HttpRequest | None = None,
) -> Posted:
    """Correct a mistake with a reversal: a new transaction that exactly undoes the original.

    Who may correct an entry follows who may record that kind of entry (only staff record the
    council's money, so only staff reverse it). A correction that would leave the account below
    £0 is refused unless a practitioner who reaches the person says why (``below_zero_reason``,
    kept in the audit trail)."""
    access.require(access.can_view_account(actor, account), "You cannot correct this account.")
    if not reason.strip():
        raise BudgetsError("Say why this is being corrected", field="reason")
    if not valid_key(key):
        raise BudgetsError("This form has expired. Reload the page and try again.")
    for _attempt in range(2):
        try:
            with transaction.atomic():
                BudgetAccount.objects.select_for_update().get(pk=account.pk)
                original = (
                    LedgerTransaction.objects.filter(account=account, key=original_key)
                    .select_related("reverses")
                    .prefetch_related("postings")
                    .first()
                )
                if original is None:
                    raise BudgetsError("There is no such record on this account.")
                access.require(
                    access.can_correct(actor, account, original.kind),
                    "Only someone who may record this kind of entry may correct it.",
                )
                already = set(
                    LedgerTransaction.objects.filter(
                        account=account, reverses__isnull=False
                    ).values_list("reverses__key", flat=True)
                )
                existing = LedgerTransaction.objects.filter(key=key).first()
                if existing is not None:
                    if existing.reverses_id == original.pk:
                        return Posted(existing, False)
                    raise BudgetsError("This form was already used. Reload the page.")
                try:
                    proposed = ledger.reverse(
                        _to_rules(original),
                        reason,
                        key,
                        None,
                        reversed_keys=already,
                    )
                except ledger.LedgerError as error:
                    raise BudgetsError(error.message) from None
                change = sum(
                    p.amount.units for p in proposed.postings if p.account == account.ledger_id
                )
                after = account_balance_pence(account) + change
                why = " ".join(below_zero_reason.split())[:250]
                if change < 0 and after < 0:
                    shown = ledger.Money(after)
                    if not access.practitioner_for(actor, account.person_id):
                        raise BudgetsError(
                            f"This correction would take the account below £0 (to {shown}). "
                            "Ask the person's broker: only a practitioner can allow that, "
                            "with a reason.",
                            field="reason",
                        )
                    if not why:
                        raise BudgetsError(
                            f"This correction would take the account below £0 (to {shown}). "
                            "Say why the account may go below £0",
                            field="below_zero_reason",
                        )
                row = _store(account, proposed, actor, original.payee, reverses=original)
                record_audit(
                    actor=actor,
                    action=Action.CREATE,
                    target=row,
                    subject=account.person,
                    summary=f"Corrected (reversed) '{original.memo or original.kind}': "
                    f"{reason.strip()[:100]}"
                    + (
                        f". Below £0 ({ledger.Money(after)}) because: {why}"
                        if change < 0 and after < 0
                        else ""
                    ),
                    request=request,
                )
                return Posted(row, True)
        except IntegrityError:
            continue
    raise BudgetsError("This could not be recorded. Try again.")


# --- caseloads and break glass -------------------------------------------------------------------


@transaction.atomic
def assign_caseload(
    *,
    actor: User,
    person: User,
    practitioner: User | None = None,
    team: CaseTeam | None = None,
    request: HttpRequest | None = None,
) -> CaseAssignment:
    """Put a person on a practitioner's caseload, or a team's. Coordinators and administrators
    only; assigning again changes nothing."""
    access.require(
        access.can_assign_caseloads(actor),
        "Only a coordinator or an administrator can assign caseloads.",
    )
    if (practitioner is None) == (team is None):
        raise BudgetsError("Choose a practitioner or a team", field="practitioner")
    if practitioner is not None:
        if not access.is_practitioner(practitioner):
            raise BudgetsError(
                "That account is not a broker, commissioner or administrator",
                field="practitioner",
            )
        if practitioner.pk == person.pk:
            raise BudgetsError("Nobody can be on their own caseload", field="practitioner")
    assignment, created = CaseAssignment.objects.get_or_create(
        person=person,
        practitioner=practitioner,
        team=team,
        defaults={"assigned_by": actor},
    )
    if created:
        holder = practitioner.get_full_name() if practitioner else f"the team {team}"
        record_audit(
            actor=actor,
            action=Action.CREATE,
            target=assignment,
            subject=person,
            summary=f"Put {person.get_full_name()} on the caseload of {holder}",
            request=request,
        )
    return assignment


@transaction.atomic
def unassign_caseload(
    *, actor: User, assignment: CaseAssignment, request: HttpRequest | None = None
) -> None:
    access.require(
        access.can_assign_caseloads(actor),
        "Only a coordinator or an administrator can change caseloads.",
    )
    holder = (
        assignment.practitioner.get_full_name()
        if assignment.practitioner
        else f"the team {assignment.team}"
    )
    person = assignment.person
    pk = assignment.pk
    assignment.delete()
    record_audit(
        actor=actor,
        action=Action.DELETE,
        object_type="budgets.caseassignment",
        object_id=str(pk),
        subject=person,
        summary=f"Took {person.get_full_name()} off the caseload of {holder}",
        request=request,
    )


BREAK_GLASS_REASON_MIN = 10
BREAK_GLASS_REASON_MAX = 200


@transaction.atomic
def break_glass(
    *, actor: User, person: User, reason: str, request: HttpRequest | None = None
) -> BreakGlassAccess:
    """A practitioner opens the records of someone outside their caseload, for a stated reason,
    for ``access.BREAK_GLASS_HOURS`` hours. The audit trail says "break glass" and the reason."""
    access.require(access.is_practitioner(actor), "Only practitioners can break glass.")
    if person.pk == actor.pk:
        raise BudgetsError("These are your own records: you can open them already.")
    reason = " ".join(reason.split())
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise BudgetsError(
            f"Say why you need to open this person's records, in at least "
            f"{BREAK_GLASS_REASON_MIN} characters",
            field="reason",
        )
    if len(reason) > BREAK_GLASS_REASON_MAX:
        raise BudgetsError(
            f"Keep the reason to {BREAK_GLASS_REASON_MAX} characters or fewer", field="reason"
        )
    grant = BreakGlassAccess.objects.create(
        practitioner=actor,
        person=person,
        reason=reason,
        expires_at=timezone.now() + dt.timedelta(hours=access.BREAK_GLASS_HOURS),
    )
    record_audit(
        actor=actor,
        action=Action.VIEW,
        target=grant,
        subject=person,
        summary=f"Break glass: opened records outside the caseload for "
        f"{access.BREAK_GLASS_HOURS} hours. Reason: {reason}",
        request=request,
    )
    return grant
