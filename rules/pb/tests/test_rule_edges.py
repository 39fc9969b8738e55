"""Edges of the counting rules that the hand-checked elections do not reach (issue 14 mutation run).

Each test names the rule it pins down: what an outcome records about how it was counted, a
project that costs exactly what is left, the tie-breaking orders, and the refusals' wording.
"""

from __future__ import annotations

import importlib
from fractions import Fraction

import pytest

from rules.pb import GreedyExplanation, PBError, greedy, tally

from .test_greedy import election


def test_greedy_outcome_records_how_it_was_counted() -> None:
    """An outcome names its rule (``greedy`` or pabulib's ``greedy-no-skip``), utility, tie-break
    and completion (``none``: greedy has no completion), as the stored result and the explanation
    show them."""
    e = election({"a": 60, "b": 50}, [("a",), ("a", "b")], 100)
    skip = greedy(e, "cardinal", "cost-votes")
    assert (skip.rule, skip.utility, skip.completion, skip.tie_break) == (
        "greedy",
        "cardinal",
        "none",
        "cost-votes",
    )
    no_skip = tally(e, "greedy-no-skip", "points", tie_break="id")
    assert (no_skip.rule, no_skip.utility, no_skip.completion, no_skip.tie_break) == (
        "greedy-no-skip",
        "points",
        "none",
        "id",
    )


def test_greedy_total_cost_is_exact_even_when_nothing_is_selected() -> None:
    """Nothing fits: the total cost is an exact ``Fraction`` zero (amounts are never ints or
    floats), and the whole budget is left over."""
    e = election({"a": 60}, [("a",)], 50)
    outcome = greedy(e)
    assert outcome.selected == ()
    assert isinstance(outcome.total_cost, Fraction)
    assert outcome.total_cost == 0
    assert outcome.leftover == 50


def test_greedy_project_costing_exactly_what_is_left_is_selected() -> None:
    """A project is funded when its cost is at most what is left (``cost <= remaining``): exactly
    the remaining money is selected, one unit more is skipped."""
    exact = greedy(election({"a": 60, "b": 40}, [("a",), ("a",), ("b",)], 100))
    assert exact.selected == ("a", "b")
    assert exact.leftover == 0
    over = greedy(election({"a": 60, "b": 41}, [("a",), ("a",), ("b",)], 100))
    assert over.selected == ("a",)
    assert isinstance(over.explanation, GreedyExplanation)
    assert [s.decision for s in over.explanation.steps] == ["selected", "skipped"]


def test_tally_refuses_unknown_choices_naming_them() -> None:
    """``tally`` refuses an unknown rule, utility, completion or tie-break, naming which and
    listing the allowed values."""
    e = election({"a": 10}, [("a",)], 10)
    with pytest.raises(PBError) as rule:
        tally(e, "borda")
    assert str(rule.value) == "unknown rule 'borda' (choose one of greedy, greedy-no-skip, mes)"
    with pytest.raises(PBError) as tie:
        tally(e, tie_break="random")
    assert str(tie.value) == "unknown tie-break 'random' (choose one of id, cost-votes)"


def test_exact_rationals_are_gmpy2_unless_pure_python_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MES runs with ``gmpy2.mpq`` when it is installed (it is in requirements) and with
    ``fractions.Fraction`` when ``WELLBEING_PB_PURE`` is set (docs/benchmarks.md compares the
    two); both are exact, so outcomes are the same."""
    from rules.pb.mes import _rational_type

    mpq = importlib.import_module("gmpy2").mpq
    monkeypatch.delenv("WELLBEING_PB_PURE", raising=False)
    assert _rational_type() is mpq
    monkeypatch.setenv("WELLBEING_PB_PURE", "1")
    assert _rational_type() is Fraction
