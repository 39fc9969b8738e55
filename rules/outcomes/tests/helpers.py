"""Shared test helpers for rules.outcomes."""

from __future__ import annotations

from rules.outcomes import Measure, ReliableChangeRule, default_registry

REGISTRY = default_registry()
SWEMWBS = REGISTRY.get("swemwbs")
WEMWBS = REGISTRY.get("wemwbs")
ONS4 = REGISTRY.get("ons4")
GBO = REGISTRY.get("goal_based_outcomes")
SHS = REGISTRY.get("short_health_scale")
ASCOT = REGISTRY.get("ascot_sct4")


def reliable_change(measure: Measure) -> ReliableChangeRule:
    """The measure's reliable change rule (a test of a measure without one is a mistake)."""
    rule = measure.reliable_change
    assert rule is not None, f"{measure.id} has no reliable change rule"
    return rule


def answers_for_raw(measure: Measure, raw: int) -> dict[str, int]:
    """Whole-number answers whose sum is ``raw`` (filling items from the first)."""
    answers = {item.id: item.scale.min for item in measure.items}
    left = raw - sum(answers.values())
    for item in measure.items:
        step = min(left, item.scale.max - item.scale.min)
        answers[item.id] += step
        left -= step
    assert left == 0, f"raw {raw} is out of range"
    return answers
