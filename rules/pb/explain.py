"""Plain-English lines explaining an outcome, for residents."""

from __future__ import annotations

from fractions import Fraction

from rules.money import format_money

from .model import format_amount
from .outcome import GreedyExplanation, MESExplanation, Outcome

MAX_GROUP_LINES = 20


def money(value: Fraction) -> str:
    """An amount for reading: whole units as they are, others to 2 decimals, rounded exactly by
    ``rules.money`` (no symbol: a pabulib election may count in any currency)."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return format_money(value, symbol="")


def render(outcome: Outcome) -> list[str]:
    """Human-readable lines explaining how ``outcome`` was reached."""
    lines = [
        f"Rule: {outcome.rule}, utility {outcome.utility}, completion {outcome.completion}, "
        f"ties broken by {'project id' if outcome.tie_break == 'id' else 'lower cost, then more votes'}.",
        f"Budget {money(outcome.budget)}; {len(outcome.selected)} projects funded for "
        f"{money(outcome.total_cost)}; {money(outcome.leftover)} left over.",
    ]
    explanation = outcome.explanation
    if isinstance(explanation, GreedyExplanation):
        lines += render_greedy(explanation)
    else:
        lines += render_mes(explanation)
    return lines


def render_greedy(explanation: GreedyExplanation) -> list[str]:
    what = {
        "cost": "number of supporters",
        "points": "total points",
        "cardinal": "support per unit of cost",
    }[explanation.utility]
    lines = [
        f"Projects were taken in order of {what}, starting with {money(explanation.starting_budget)}."
    ]
    for step in explanation.steps:
        score = (
            "free"
            if step.score is None
            else format_amount(step.score)
            if (step.score.denominator == 1)
            else f"{float(step.score):.6g}"
        )
        head = f"Project {step.project_id} (cost {money(step.cost)}, {what} {score})"
        if step.decision == "selected":
            lines.append(f"{head}: funded; {money(step.remaining_after)} left.")
        elif step.decision == "skipped":
            lines.append(
                f"{head}: skipped, it costs more than the {money(step.remaining_after)} left."
            )
        elif step.decision == "stopped":
            lines.append(
                f"{head}: does not fit in the {money(step.remaining_after)} left, "
                "so counting stopped here."
            )
        else:
            lines.append(f"{head}: not reached.")
    return lines


def render_mes(explanation: MESExplanation) -> list[str]:
    lines = [f"Every voter started with an equal share of {money(explanation.initial_share)}."]
    if explanation.increments:
        lines.append(
            f"The shares were raised {explanation.increments} times by 1 (to "
            f"{money(explanation.share)}) so that more of the budget is used "
            f"({explanation.runs} counts computed)."
        )
    for pid in explanation.free_projects:
        lines.append(f"Project {pid} costs nothing and is funded first.")
    for number, step in enumerate(explanation.steps, 1):
        if step.price is not None:
            pay = f"each of its {step.supporters} supporters paid {money(step.price)}"
            if step.paid_all:
                pay += f" ({step.paid_all} had less left and paid all they had)"
        else:
            pay = (
                f"its {step.supporters} supporters paid {format_amount(step.rho)} per point of "
                f"utility ({step.paid_all} paid all they had left)"
            )
        lines.append(
            f"{number}. Project {step.project_id} (cost {money(step.cost)}) was bought: {pay}."
        )
    lines.append("No other project could be paid for by its supporters' remaining shares.")
    groups = sorted(explanation.groups, key=lambda g: -len(g.voter_ids))
    lines.append(f"Money left per voter, by ballot ({len(groups)} distinct ballots):")
    for group in groups[:MAX_GROUP_LINES]:
        ballot = ",".join(group.projects) or "(empty)"
        lines.append(
            f"  {len(group.voter_ids)} voter(s) with ballot {ballot}: {money(group.remaining)} each"
        )
    if len(groups) > MAX_GROUP_LINES:
        lines.append(f"  ... and {len(groups) - MAX_GROUP_LINES} other ballots.")
    if explanation.greedy_fill is not None:
        lines.append("The money left was then used greedily:")
        lines += render_greedy(explanation.greedy_fill)[1:]
    return lines
