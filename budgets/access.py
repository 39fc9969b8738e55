"""Who may see and change what. Views call these before a selector or a service; services call
them again, so a write is refused even if a view forgets."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
from budgets.models import Assessment, BudgetAccount, Invitation, SupportPlan

PRACTITIONER_ROLES = (Role.BROKER, Role.COMMISSIONER, Role.ADMINISTRATOR)
APPROVER_ROLES = (Role.BROKER, Role.COMMISSIONER)


class NotAllowed(Exception):
    """The person may not do this. The message is safe to show."""


def is_practitioner(user: User) -> bool:
    return user.is_authenticated and user.has_role(*PRACTITIONER_ROLES)


def is_approver(user: User) -> bool:
    return user.is_authenticated and user.has_role(*APPROVER_ROLES)


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
    return (
        assessment.person_id == user.pk or is_practitioner(user) or is_contributor(user, assessment)
    )


def can_answer(user: User, assessment: Assessment, kind: str) -> bool:
    """The person writes their own answers; a practitioner writes the practitioner's."""
    if kind == "person":
        return assessment.person_id == user.pk
    return is_practitioner(user) and assessment.person_id != user.pk


def can_view_plan(user: User, plan: SupportPlan) -> bool:
    return plan.person_id == user.pk or is_practitioner(user)


def can_edit_plan(user: User, plan: SupportPlan) -> bool:
    return can_view_plan(user, plan)


def can_decide_plan(user: User, plan: SupportPlan) -> bool:
    """Brokers, support planners and commissioners agree plans, never their own."""
    return is_approver(user) and plan.person_id != user.pk


def can_review_plan(user: User, plan: SupportPlan) -> bool:
    """A practitioner reviews a person's plan with them; a person may record their own review
    (a supported self-review)."""
    return is_practitioner(user) or plan.person_id == user.pk


def can_view_account(user: User, account: BudgetAccount) -> bool:
    return account.person_id == user.pk or is_practitioner(user)


def can_record(user: User, account: BudgetAccount, kind: str) -> bool:
    """Allocations come from the council's side; the holder of a direct payment records their
    contributions, payments and refunds; a managed account is run by practitioners."""
    if kind == "allocation":
        return is_approver(user)
    if is_practitioner(user):
        return True
    return account.person_id == user.pk and account.kind == BudgetAccount.Kind.DIRECT_PAYMENT


def require(condition: bool, message: str = "You cannot do that.") -> None:
    if not condition:
        raise NotAllowed(message)
