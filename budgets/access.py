"""Who may see and change what. Views call these before a selector or a service; services call
them again, so a write is refused even if a view forgets.

**Caseloads.** A practitioner (broker or support planner, commissioner, administrator) opens a
person's records only when the person is on their caseload: assigned to them, or to a team they
belong to (:class:`budgets.models.CaseAssignment`, assigned by a coordinator or administrator).
Outside it they may "break glass": give a reason, which goes in the audit trail, and open that
person's records for :data:`BREAK_GLASS_HOURS` hours. Lists of people show only the caseload.
The person themselves, and family or friends they invited, are not affected."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from budgets.models import (
    Assessment,
    BreakGlassAccess,
    BudgetAccount,
    CaseAssignment,
    Invitation,
    SupportPlan,
)

PRACTITIONER_ROLES = (Role.BROKER, Role.COMMISSIONER, Role.ADMINISTRATOR)
APPROVER_ROLES = (Role.BROKER, Role.COMMISSIONER)
ASSIGNER_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)
CHARGING_FIGURE_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)
BREAK_GLASS_HOURS = 4


class NotAllowed(Exception):
    """The person may not do this. The message is safe to show."""


class OutsideCaseload(NotAllowed):
    """A practitioner asked for a person's records that are not on their caseload: they may
    break glass with a reason."""

    def __init__(self, person_id: int) -> None:
        super().__init__("This person is not on your caseload.")
        self.person_id = person_id


def is_practitioner(user: User) -> bool:
    return user.is_authenticated and user.has_role(*PRACTITIONER_ROLES)


def is_approver(user: User) -> bool:
    return user.is_authenticated and user.has_role(*APPROVER_ROLES)


def can_assign_caseloads(user: User) -> bool:
    return user.is_authenticated and user.has_role(*ASSIGNER_ROLES)


def can_enter_charging_figures(user: User) -> bool:
    """Coordinators and administrators enter (and a second one confirms) the charging figures
    the calculator uses: national ones from the circular, and the area's own local ones."""
    return user.is_authenticated and user.has_role(*CHARGING_FIGURE_ROLES)


def caseload(user: User) -> QuerySet[CaseAssignment]:
    """The assignments that put people on ``user``'s caseload (their own and their teams')."""
    return CaseAssignment.objects.filter(Q(practitioner=user) | Q(team__members=user))


def caseload_people(user: User) -> QuerySet[User]:
    """The people on ``user``'s caseload (nobody for someone who is not a practitioner)."""
    if not is_practitioner(user):
        return User.objects.none()
    return User.objects.filter(pk__in=caseload(user).values("person"))


def on_caseload(user: User, person_id: int | None) -> bool:
    return (
        person_id is not None
        and is_practitioner(user)
        and caseload(user).filter(person_id=person_id).exists()
    )


def break_glass_active(user: User, person_id: int | None) -> bool:
    return (
        person_id is not None
        and is_practitioner(user)
        and BreakGlassAccess.objects.filter(
            practitioner=user, person_id=person_id, expires_at__gt=timezone.now()
        ).exists()
    )


def break_glass_until(user: User, person_id: int) -> dt.datetime | None:
    grant = (
        BreakGlassAccess.objects.filter(
            practitioner=user, person_id=person_id, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )
    return grant.expires_at if grant else None


def reaches(user: User, person_id: int | None) -> bool:
    """A practitioner may open this person's records: on their caseload, or glass broken."""
    return on_caseload(user, person_id) or break_glass_active(user, person_id)


def can_act_for(user: User, person_id: int | None) -> bool:
    """The person themselves, or a practitioner who reaches them."""
    return (user.is_authenticated and person_id == user.pk) or reaches(user, person_id)


def is_contributor(user: User, assessment: Assessment) -> bool:
    return (
        user.is_authenticated
        and Invitation.objects.filter(
            assessment=assessment,
            invitee=user,
            revoked_at__isnull=True,
            accepted_at__isnull=False,
        ).exists()
    )


def can_view_assessment(user: User, assessment: Assessment) -> bool:
    return can_act_for(user, assessment.person_id) or is_contributor(user, assessment)


def can_answer(user: User, assessment: Assessment, kind: str) -> bool:
    """The person writes their own answers; a practitioner writes the practitioner's."""
    if kind == "person":
        return assessment.person_id == user.pk
    return assessment.person_id != user.pk and reaches(user, assessment.person_id)


def can_withdraw_invitation(user: User, invitation: Invitation) -> bool:
    """The person, or a practitioner on their behalf (for example to keep them safe)."""
    return can_act_for(user, invitation.assessment.person_id)


def can_view_plan(user: User, plan: SupportPlan) -> bool:
    return can_act_for(user, plan.person_id)


def can_edit_plan(user: User, plan: SupportPlan) -> bool:
    return can_view_plan(user, plan)


def can_decide_plan(user: User, plan: SupportPlan) -> bool:
    """Brokers, support planners and commissioners agree plans, never their own."""
    return is_approver(user) and plan.person_id != user.pk and reaches(user, plan.person_id)


def can_review_plan(user: User, plan: SupportPlan) -> bool:
    """A practitioner reviews a person's plan with them; a person may record their own review
    (a supported self-review)."""
    return can_act_for(user, plan.person_id)


def can_open_account(user: User, plan: SupportPlan) -> bool:
    """Brokers, support planners and commissioners open the budget account of an agreed plan
    for someone they reach, never their own (opening it allocates the council's money)."""
    return is_approver(user) and plan.person_id != user.pk and reaches(user, plan.person_id)


def can_view_account(user: User, account: BudgetAccount) -> bool:
    return can_act_for(user, account.person_id)


def can_record(user: User, account: BudgetAccount, kind: str) -> bool:
    """Allocations come from the council's side; the holder of a direct payment records their
    contributions, payments and refunds; a managed account is run by practitioners."""
    if account.person_id != user.pk and reaches(user, account.person_id):
        return kind != "allocation" or is_approver(user)
    return (
        kind != "allocation"
        and account.person_id == user.pk
        and account.kind == BudgetAccount.Kind.DIRECT_PAYMENT
    )


def can_correct(user: User, account: BudgetAccount, kind: str) -> bool:
    """Who may correct (reverse) an entry follows who may record that kind of entry; a
    correction itself is never corrected (post the amount again instead)."""
    return (
        kind != "reversal" and can_view_account(user, account) and can_record(user, account, kind)
    )


def practitioner_for(user: User, person_id: int) -> bool:
    """A practitioner acting for someone else they reach (caseload or break glass)."""
    return is_practitioner(user) and person_id != user.pk and reaches(user, person_id)


def require(condition: bool, message: str = "You cannot do that.") -> None:
    if not condition:
        raise NotAllowed(message)


def require_reach(user: User, person_id: int) -> None:
    """Raise :class:`OutsideCaseload` for a practitioner who does not reach this person."""
    if is_practitioner(user) and person_id != user.pk and not reaches(user, person_id):
        raise OutsideCaseload(person_id)
