"""Emails about a person's support plan (issue 13): the people who agree plans hear that one is
waiting for them, and the person hears the decision. Each names its kind
(``wellbeing_hub.notifications.KINDS``), so people can turn it off, and links to the page with a
full address (an email has no page to be relative to)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from budgets.access import APPROVER_ROLES
from budgets.models import CaseAssignment, PlanDecision, SupportPlan
from wellbeing_hub.notifications import notify, site_url


def approvers_for(person: User, *, besides: User | None = None) -> list[str]:
    """The addresses of the brokers and commissioners with ``person`` on their caseload (their
    own or their team's) who could agree their plan: never the person, nor ``besides``."""
    assignments = CaseAssignment.objects.filter(person=person)
    people = (
        User.objects.filter(
            Q(pk__in=assignments.values("practitioner"))
            | Q(case_teams__in=assignments.values("team")),
            groups__name__in=[str(r) for r in APPROVER_ROLES],
            is_active=True,
        )
        .exclude(pk=person.pk)
        .exclude(email="")
    )
    if besides is not None:
        people = people.exclude(pk=besides.pk)
    return sorted(set(people.values_list("email", flat=True)))


def plan_proposed(plan: SupportPlan, actor: User) -> None:
    name = plan.person.get_full_name()
    notify(
        f"A support plan to agree: {name}",
        f"{name}'s support plan has been sent for agreement. Agree it, or ask for a change "
        f"and say why: {site_url(reverse('budgets:plan-decide', args=[plan.pk]))}",
        approvers_for(plan.person, besides=actor),
        kind="plans_to_agree",
    )


def plan_decided(plan: SupportPlan, decision: PlanDecision) -> None:
    link = site_url(reverse("budgets:plan", args=[plan.pk]))
    if decision.decision == PlanDecision.Decision.APPROVED:
        subject = "Your support plan is agreed"
        body = f"Your support plan has been agreed. You can see it, print it or download it: {link}"
    else:
        subject = "Your support plan: a change is needed"
        body = (
            "Your support plan has not been agreed yet. This needs to change:\n\n"
            f"{decision.reason}\n\nChange your plan and send it again: {link}"
        )
    notify(subject, body, [plan.person.email], kind="support_plan")
