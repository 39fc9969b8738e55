"""What self-directed support holds about a person, for "download my data" and erasure."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.services import register_personal_data
from budgets.models import (
    AnswerSet,
    Assessment,
    BudgetAccount,
    Contribution,
    FinancialAssessment,
    Invitation,
    PlanOutcome,
    SupportPlan,
)

ERASED = "[erased on request]"


def export(person: User) -> dict[str, Any]:
    from budgets import selectors
    from budgets.services.plans import plan_snapshot

    assessments = []
    for assessment in Assessment.objects.filter(person=person).prefetch_related(
        "answer_sets", "contributions__author", "budgets", "invitations__invitee"
    ):
        assessments.append(
            {
                "started": assessment.created_at.isoformat(),
                "questionnaire_version": assessment.version_id,
                "status": assessment.status,
                "answers": {s.kind: s.data for s in assessment.answer_sets.all()},
                "contributions": [
                    {
                        "by": c.author.get_full_name() if c.author else None,
                        "relationship": c.relationship,
                        "about": c.topic,
                        "text": c.text,
                        "at": c.created_at.isoformat(),
                    }
                    for c in assessment.contributions.all()
                ],
                "invited": [
                    {
                        "name": i.name,
                        "relationship": i.relationship,
                        "accepted": bool(i.accepted_at),
                        "withdrawn": bool(i.revoked_at),
                    }
                    for i in assessment.invitations.all()
                ],
                "indicative_budgets": [
                    {
                        "calculated": b.calculated_at.isoformat(),
                        "questionnaire_version": b.version_id,
                        "weekly": str(b.weekly),
                        "annual": str(b.annual),
                        "explanation": b.explanation,
                        "agreed": b.agreed_at.isoformat() if b.agreed_at else None,
                    }
                    for b in assessment.budgets.all()
                ],
            }
        )
    plans = []
    for plan in SupportPlan.objects.filter(person=person).prefetch_related(
        "versions", "decisions", "reviews"
    ):
        plans.append(
            {
                "status": plan.status,
                "current": plan_snapshot(plan),
                "versions": [
                    {
                        "number": v.number,
                        "event": v.event,
                        "at": v.created_at.isoformat(),
                        "plan": v.snapshot,
                    }
                    for v in plan.versions.all()
                ],
                "decisions": [
                    {"decision": d.decision, "reason": d.reason, "at": d.decided_at.isoformat()}
                    for d in plan.decisions.all()
                ],
                "reviews": [
                    {
                        "due": r.due_on.isoformat(),
                        "done": r.done_on.isoformat() if r.done_on else None,
                        "notes": r.notes,
                        "result": r.result,
                        "took_part": r.took_part,
                        "reviewed_by": r.reviewed_by.get_full_name() if r.reviewed_by else None,
                    }
                    for r in plan.reviews.all()
                ],
            }
        )
    accounts = []
    for account in BudgetAccount.objects.filter(person=person):
        found, rows = selectors.statement(account, account.period_start, account.period_end)
        accounts.append(
            {
                "kind": account.kind,
                "period": [account.period_start.isoformat(), account.period_end.isoformat()],
                "balance": str(selectors.account_balance(account).pounds),
                "statement": [
                    {
                        "date": line.effective.isoformat(),
                        "reference": line.key,
                        "type": line.kind,
                        "paid_to_or_from": rows[line.key].payee,
                        "description": line.memo,
                        "amount": str(line.amount.pounds),
                        "balance": str(line.balance.pounds),
                    }
                    for line in found.lines
                ],
            }
        )
    return {
        "assessments": assessments,
        "contributions_to_others": [
            {"text": c.text, "at": c.created_at.isoformat(), "about": c.topic}
            for c in Contribution.objects.filter(author=person).exclude(assessment__person=person)
        ],
        "financial_assessments": [
            {
                "at": fa.created_at.isoformat(),
                "weekly_charge": str(fa.weekly_charge),
                "provisional": fa.provisional,
                "what_you_told_us": fa.inputs,
                "working": fa.result,
            }
            for fa in FinancialAssessment.objects.filter(person=person)
        ],
        "support_plans": plans,
        "budget_accounts": accounts,
    }


def erase(person: User) -> None:
    """Remove the person's own words; keep the money records (the ledger must still balance and
    councils must keep financial records) against the anonymised account."""
    for answer_set in AnswerSet.objects.filter(assessment__person=person):
        data = dict(answer_set.data)
        data["free_text"] = dict.fromkeys(data.get("free_text", {}), ERASED)
        answer_set.data = data
        answer_set.save(update_fields=["data"])
    Contribution.objects.filter(assessment__person=person).update(text=ERASED)
    Contribution.objects.filter(author=person).update(text=ERASED)
    Invitation.objects.filter(assessment__person=person, invitee__isnull=True).delete()
    Invitation.objects.filter(assessment__person=person).update(name="")
    Invitation.objects.filter(invitee=person).update(revoked_at=timezone.now())
    PlanOutcome.objects.filter(plan__person=person).update(text=ERASED)
    FinancialAssessment.objects.filter(person=person).update(inputs={}, result={})


def register() -> None:
    register_personal_data("support_plan", exporter=export, eraser=erase)
