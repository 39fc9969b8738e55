"""Edges of the counting rules that the hand-checked elections do not reach (issue 14 mutation run).

Each test names the rule it pins down: what an outcome records about how it was counted, a
project that costs exactly what is left, the tie-breaking orders, and the refusals' wording.
"""

from __future__ import annotations

import importlib
from fractions import Fraction

import pytest

from rules.pb import (
    Ballot,
    Election,
    GreedyExplanation,
    MESExplanation,
    PBError,
    Project,
    equal_shares,
    greedy,
    mes_engine,
    tally,
)
from rules.pb import mes as mes_module
from rules.pb.profile import build_profile, tie_ranks

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


def test_greedy_refuses_an_unknown_utility_naming_the_allowed_ones() -> None:
    """``greedy`` called directly (not through ``tally``) refuses an unknown utility itself."""
    e = election({"a": 10}, [("a",)], 10)
    with pytest.raises(PBError) as error:
        greedy(e, "joy")
    assert str(error.value) == "unknown utility 'joy' (choose one of cost, points, cardinal)"


def test_greedy_order_is_utility_per_unit_of_cost() -> None:
    """pabutools ``greedy_utilitarian_welfare``: projects in decreasing total utility per unit of
    cost. Cardinal utility on approvals (1 per supporter): 'y' (cost 3, 4 supporters, 4/3 a unit)
    before 'x' (cost 1, 1 supporter, exactly 1 a unit); with a budget of 3 only 'y' fits. A cost
    of exactly 1 is an ordinary cost (only a free project is first)."""
    e = election({"x": 1, "y": 3}, [("x", "y"), ("y",), ("y",), ("y",)], 3)
    outcome = greedy(e, "cardinal")
    assert outcome.selected == ("y",)
    assert isinstance(outcome.explanation, GreedyExplanation)
    scores = [(s.project_id, s.score) for s in outcome.explanation.steps]
    assert scores == [("y", Fraction(4, 3)), ("x", Fraction(1))]


def test_greedy_project_with_total_utility_one_ranks_above_an_unsupported_one() -> None:
    """A project whose total utility is exactly 1 (one approval, cardinal utility) scores 1/cost,
    above a project nobody supports (score 0), whatever the tie-breaking order: 'z' (1/10) comes
    before 'b' (0), although 'b' sorts first by id."""
    e = election({"b": 100, "z": 10}, [("z",)], 100)
    outcome = greedy(e, "cardinal")
    assert outcome.selected == ("z",)
    assert isinstance(outcome.explanation, GreedyExplanation)
    scores = [(s.project_id, s.score) for s in outcome.explanation.steps]
    assert scores == [("z", Fraction(1, 10)), ("b", Fraction(0))]


def test_greedy_free_supported_project_first_free_unsupported_last() -> None:
    """A supported project that costs nothing comes first (infinite utility per cost, score
    ``None``); one nobody supports comes last with score 0 even when free, as in pabutools."""
    e = election({"a": 10, "f": 0, "u": 0}, [("a", "f")], 10)
    outcome = greedy(e, "cardinal")
    assert outcome.selected == ("f", "a", "u")
    assert isinstance(outcome.explanation, GreedyExplanation)
    scores = [(s.project_id, s.score) for s in outcome.explanation.steps]
    assert scores == [("f", None), ("a", Fraction(1, 10)), ("u", Fraction(0))]


def test_greedy_explanation_says_whether_it_skips() -> None:
    """The explanation records ``skip`` (True for greedy, False for greedy-no-skip): the
    rendered explanation says which rule counted."""
    e = election({"a": 10}, [("a",)], 10)
    skipping = greedy(e).explanation
    stopping = greedy(e, skip=False).explanation
    assert isinstance(skipping, GreedyExplanation) and isinstance(stopping, GreedyExplanation)
    assert skipping.skip is True
    assert stopping.skip is False


def test_add1_greedy_fill_starts_from_what_mes_left() -> None:
    """``add1-greedy`` (pabutools ``completion_by_rule_combination``): greedy fills the money MES
    left: MES buys 'a' and 'c' (60 of 100), so greedy starts with exactly 40 and buys 'b' (39)."""
    e = election(
        {"a": 40, "b": 39, "c": 20, "e": 30},
        [("a", "b"), ("a", "b"), ("a", "c"), ("a", "c"), ("e",)],
        100,
    )
    filled = tally(e, "mes", completion="add1-greedy")
    assert isinstance(filled.explanation, MESExplanation)
    fill = filled.explanation.greedy_fill
    assert fill is not None
    assert fill.starting_budget == 40
    first = fill.steps[0]
    assert (first.project_id, first.decision, first.remaining_after) == (
        "b",
        "selected",
        Fraction(1),
    )


def test_tally_counts_with_mes_by_default() -> None:
    """``tally`` without a rule counts with the Method of Equal Shares (with add1)."""
    e = election({"a": 10}, [("a",)], 10)
    outcome = tally(e)
    assert (outcome.rule, outcome.completion, outcome.utility, outcome.tie_break) == (
        "mes",
        "add1",
        "cost",
        "id",
    )


def test_profile_groups_identical_ballots_and_leaves_free_projects_out_of_cost_groups() -> None:
    """rules.pb.profile: identical ballots are one group with its voters (in ballot order). With
    the cost utility a free project carries no utility, so ballots that differ only by a free
    project are the same group; a project costing exactly 1 is not free. Utilities are implicit
    (``None``: each is the project's cost) with the cost utility, explicit otherwise."""
    e = election({"a": 10, "f": 0, "one": 1}, [("a", "f"), ("a",), ("one",), ("one", "f")], 20)
    cost = build_profile(e)
    assert cost == build_profile(e, "cost", "id")
    assert cost.supporters == (2, 2, 2)
    assert [(g.projects, g.utilities, g.voter_ids) for g in cost.groups] == [
        ((0,), None, ("v0", "v1")),
        ((2,), None, ("v2", "v3")),
    ]
    cardinal = build_profile(e, "cardinal")
    assert [(g.projects, g.utilities, g.voter_ids) for g in cardinal.groups] == [
        ((0, 1), (Fraction(1), Fraction(1)), ("v0",)),
        ((0,), (Fraction(1),), ("v1",)),
        ((2,), (Fraction(1),), ("v2",)),
        ((1, 2), (Fraction(1), Fraction(1)), ("v3",)),
    ]


def test_profile_totals_are_exact_fractions_even_for_unsupported_projects() -> None:
    """Total utilities are exact ``Fraction`` values, zero for a project nobody supports."""
    e = election({"a": 10, "u": 5}, [("a",)], 20)
    for utility in ("cost", "points", "cardinal"):
        totals = build_profile(e, utility).total_utility
        assert all(isinstance(t, Fraction) for t in totals)
        assert totals[1] == 0


def test_profile_refuses_unknown_utility_and_tie_break_naming_the_allowed_ones() -> None:
    """``build_profile`` (used by MES) refuses an unknown utility or tie-break itself."""
    e = election({"a": 10}, [("a",)], 10)
    with pytest.raises(PBError) as utility:
        build_profile(e, "joy")
    assert str(utility.value) == "unknown utility 'joy' (choose one of cost, points, cardinal)"
    with pytest.raises(PBError) as tie:
        build_profile(e, "cost", "random")
    assert str(tie.value) == "unknown tie-break 'random' (choose one of id, cost-votes)"


def test_cost_votes_tie_break_cheaper_then_more_supporters_then_id() -> None:
    """equalshares.net's recommended tie-break (``cost-votes``): the cheaper project first, then
    the one with more supporters, then the id; ``id``: the id that sorts first as a string. The
    order the projects are listed in plays no part."""
    e = election(
        {"c": 10, "a": 10, "b": 5, "d": 10},
        [("a", "d", "c"), ("a", "d")],
        30,
    )
    # cost-votes: b (5), then a and d (10, 2 supporters each, by id), then c (10, 1 supporter)
    assert tie_ranks(e, "cost-votes") == [3, 1, 0, 2]
    assert tie_ranks(e, "id") == [2, 0, 1, 3]
    with pytest.raises(PBError) as error:
        tie_ranks(e, "random")
    assert str(error.value) == "unknown tie-break 'random' (choose one of id, cost-votes)"


def test_tally_passes_the_tie_break_to_greedy_and_mes() -> None:
    """``tally`` counts with the tie-break asked for. Greedy: 'a' (20) and 'b' (10) have the same
    utility per unit of cost; by id 'a' wins and 'b' no longer fits, by cost-votes the cheaper 'b'
    wins and 'a' no longer fits. MES: the same tie at rho = 1/2 (see test_mes.test_tie_breaks)."""
    e = election({"a": 20, "b": 10}, [("a", "b"), ("a", "b")], 20)
    assert tally(e, "greedy").selected == ("a",)
    assert tally(e, "greedy", tie_break="cost-votes").selected == ("b",)
    assert tally(e, "greedy-no-skip", tie_break="cost-votes").selected == ("b",)
    mes = election({"9": 10, "10": 20}, [("9", "10"), ("9", "10")], 20)
    assert tally(mes, "mes", completion="none").selected == ("10",)
    assert tally(mes, "mes", completion="none", tie_break="cost-votes").selected == ("9",)


def test_add1_overspending_at_the_first_increment_returns_the_unraised_outcome() -> None:
    """add1 (pabutools ``voter_budget_increment=1``): if raising every share by one unit already
    overspends, the outcome at the starting share is returned (0 increments, not exhaustive).
    Shares of 10/4 buy 'b' (3) only; at 7/2 'c' (10, three supporters at 10/3 each) and then 'b'
    are bought, 13 > 10."""
    e = election({"a": 6, "b": 3, "c": 10}, [("b",), ("a", "b", "c"), ("a", "c"), ("c",)], 10)
    outcome = equal_shares(e, completion="add1")
    assert outcome.selected == ("b",)
    explanation = outcome.explanation
    assert isinstance(explanation, MESExplanation)
    assert (explanation.increments, explanation.share) == (0, Fraction(5, 2))
    assert not explanation.exhaustive
    assert explanation.runs == 2


def test_add1_on_small_profiles_counts_its_exact_runs() -> None:
    """rules.pb.mes: on a small profile add1 runs MES exactly at the starting share and at the
    share it stops at; the shares in between are certified in batches in floating point, and a
    share too close to call is run exactly too. The explanation reports the number of exact runs
    ("N counts computed"). In the first election 'e' (30, one supporter) becomes affordable at a
    share of exactly 30 (k = 10), too close to call in floats: one more exact run."""
    over = election(
        {"a": 40, "b": 39, "c": 20, "e": 30},
        [("a", "b"), ("a", "b"), ("a", "c"), ("a", "c"), ("e",)],
        100,
    )
    stopped = equal_shares(over, completion="add1").explanation  # overspends at k = 10
    assert isinstance(stopped, MESExplanation)
    assert (stopped.increments, stopped.runs) == (9, 3)
    small = election(
        {"a": 40, "b": 50, "c": 30, "d": 20},
        [("a", "b", "d"), ("a", "b"), ("a", "c"), ("a", "c")],
        100,
    )
    exhaustive = equal_shares(small, completion="add1").explanation  # exhaustive at k = 5
    assert isinstance(exhaustive, MESExplanation)
    assert (exhaustive.increments, exhaustive.runs, exhaustive.exhaustive) == (5, 2, True)


@pytest.mark.parametrize("dense", [True, False])
def test_add1_exact_path_same_outcomes_and_its_run_count(
    monkeypatch: pytest.MonkeyPatch, dense: bool
) -> None:
    """rules.pb.mes ``_add1`` (profiles over 30,000 projects x groups, forced here by setting the
    limit to 0): one exact run per share tried, skipping shares proven to buy the same projects,
    plus one at the previous share when add1 overspends. Same outcomes as the batched path.
    Also without the engine's dense projects x groups matrix (profiles over 400,000 cells,
    forced by setting that limit to 0): the interval on which a project stays unaffordable is
    then bounded by ``Engine._bound_unaffordable``, and the same shares are skipped ('e', 30,
    one supporter, becomes affordable at a share of exactly 30 in the third election)."""
    monkeypatch.setattr(mes_module, "_BATCH_CELLS", 0)
    if not dense:
        monkeypatch.setattr(mes_engine, "_DENSE_LIMIT", 0)
    cases = [
        # overspends at the first increment: runs at 5/2, at 7/2 (overspent), again at 5/2
        (
            election({"a": 6, "b": 3, "c": 10}, [("b",), ("a", "b", "c"), ("a", "c"), ("c",)], 10),
            (("b",), 0, Fraction(5, 2), 3, False),
        ),
        # exhaustive at k = 5: runs at 25 and 30 (26 to 29 proven to buy the same)
        (
            election(
                {"a": 40, "b": 50, "c": 30, "d": 20},
                [("a", "b", "d"), ("a", "b"), ("a", "c"), ("a", "c")],
                100,
            ),
            (("a", "c", "d"), 5, Fraction(30), 2, True),
        ),
        # overspends at k = 10: runs at 20 and 30 (21 to 29 proven), again at 29
        (
            election(
                {"a": 40, "b": 39, "c": 20, "e": 30},
                [("a", "b"), ("a", "b"), ("a", "c"), ("a", "c"), ("e",)],
                100,
            ),
            (("a", "c"), 9, Fraction(29), 3, False),
        ),
    ]
    for e, expected in cases:
        outcome = equal_shares(e, completion="add1")
        x = outcome.explanation
        assert isinstance(x, MESExplanation)
        assert (outcome.selected, x.increments, x.share, x.runs, x.exhaustive) == expected


def test_add1_share_that_changes_the_outcome_is_finished_in_floats_at_that_share() -> None:
    """rules.pb.mes ``_add1_in_batches``: where a batch finds the first share that buys something
    else, that run is finished in floating point at that share (k = 5: 25 + 5 = 30) and
    certified, with no extra exact run. v0 has 15 + k left after paying 10 for 'a', so 'd'
    (19.5) becomes affordable at k = 5 with a margin of 0.5; then 'b' (50) does not fit in the
    10.5 left: exhaustive."""
    projects = [Project(p, Fraction(c)) for p, c in (("a", 40), ("b", 50), ("c", 30))]
    projects.append(Project("d", Fraction(39, 2)))
    votes = [("a", "b", "d"), ("a", "b"), ("a", "c"), ("a", "c")]
    e = Election(100, projects, [Ballot(f"v{i}", v, None) for i, v in enumerate(votes)])
    outcome = equal_shares(e, completion="add1")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert (outcome.selected, x.increments, x.share, x.runs, x.exhaustive) == (
        ("a", "c", "d"),
        5,
        Fraction(30),
        2,
        True,
    )


def test_mes_with_no_voters_computes_nothing() -> None:
    """With no ballots every share is 0, nothing is bought and no MES run is computed: 0 runs,
    0 increments (the explanation says so)."""
    outcome = equal_shares(election({"a": 40}, [], 100))
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert (outcome.selected, x.runs, x.increments, x.initial_share) == ((), 0, 0, Fraction(0))


def test_equal_shares_refuses_an_unknown_completion_naming_the_allowed_ones() -> None:
    """``equal_shares`` called directly refuses an unknown completion itself."""
    with pytest.raises(PBError) as error:
        equal_shares(election({"a": 40}, [("a",)], 100), completion="add2")
    assert str(error.value) == "unknown completion 'add2' (choose one of none, add1, add1-greedy)"


def test_mes_without_completion_is_one_exact_run() -> None:
    """``completion="none"``: one MES run at the starting share, no increments."""
    outcome = equal_shares(election({"a": 40, "b": 30}, [("a",), ("b",)], 100), completion="none")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert (x.runs, x.increments, x.share) == (1, 0, Fraction(50))


def test_mes_explanation_of_a_worked_example() -> None:
    """Method of Equal Shares (cost utility, no completion) worked by hand. Budget 120, four
    voters: shares of 30. v0 and v1 cast the same ballot (one group of two). 'c' (48, four
    supporters) costs 12 each (rho 1/4): 18 left each. 'b' (30; v0, v1, v2) costs 10 each
    (rho 1/3): 8, 8, 8 and 18 left. 'd' (24; v2, v3) would cost 12 each, but v2 has 8: v2 pays
    all 8 and v3 pays 16, rho x 24 = 16, rho = 2/3. The explanation records for each step the
    number of *voters* supporting it (identical ballots counted once each), the price (rho x
    cost) and how many supporters paid all they had left; and each group's remaining share,
    and how it was counted (utility, completion)."""
    e = election(
        {"b": 30, "c": 48, "d": 24},
        [("b", "c"), ("b", "c"), ("b", "c", "d"), ("c", "d")],
        120,
    )
    outcome = equal_shares(e, completion="none")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert (outcome.selected, outcome.total_cost) == (("c", "b", "d"), Fraction(102))
    assert [(s.project_id, s.rho, s.price, s.supporters, s.paid_all) for s in x.steps] == [
        ("c", Fraction(1, 4), Fraction(12), 4, 0),
        ("b", Fraction(1, 3), Fraction(10), 3, 0),
        ("d", Fraction(2, 3), Fraction(16), 2, 1),
    ]
    assert [(g.voter_ids, g.remaining) for g in x.groups] == [
        (("v0", "v1"), Fraction(8)),
        (("v2",), Fraction(0)),
        (("v3",), Fraction(2)),
    ]
    assert (x.utility, x.completion, x.initial_share) == ("cost", "none", Fraction(30))
    added = equal_shares(e, completion="add1-greedy").explanation
    assert isinstance(added, MESExplanation)
    assert (added.utility, added.completion) == ("cost", "add1-greedy")


def test_mes_step_has_no_single_price_when_supporters_utilities_differ() -> None:
    """With cardinal utilities each supporter pays rho x their own utility: 'a' (40) with
    3 and 1 points is bought at rho = 10 (v0 pays 30, v1 pays 10), so there is no one price
    (``price`` is None) and nobody ran out."""
    e = election({"a": 40}, [("a",), ("a",)], 100, "cumulative", [(3,), (1,)])
    outcome = equal_shares(e, "cardinal", completion="none")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert [(s.rho, s.price, s.supporters, s.paid_all) for s in x.steps] == [
        (Fraction(10), None, 2, 0)
    ]
    assert [g.remaining for g in x.groups] == [Fraction(20), Fraction(40)]
    assert x.utility == "cardinal"


def test_mes_total_cost_is_an_exact_zero_when_nothing_is_bought() -> None:
    """'a' (60) never fits the budget of 50: with every completion nothing is bought and the
    total cost is an exact ``Fraction`` zero (amounts are never ints or floats)."""
    e = election({"a": 60}, [("a",)], 50)
    for completion in ("none", "add1", "add1-greedy"):
        outcome = equal_shares(e, completion=completion)
        assert outcome.selected == ()
        assert isinstance(outcome.total_cost, Fraction)
        assert outcome.total_cost == 0


def test_mes_buys_free_supported_projects_first_in_the_tie_breaking_order() -> None:
    """rules.pb.mes: supported projects that cost nothing are bought first, without a round of
    MES (pabutools does the same), in the tie-breaking order: by id 'a' before 'z' although 'z'
    is listed first. They are reported as free projects, not as MES steps. (With the cardinal
    utility: a free project is worth its score; with the cost utility it is worth nothing.)"""
    e = election({"z": 0, "a": 0, "b": 10}, [("z", "b"), ("a",), ("a", "b")], 30)
    outcome = equal_shares(e, "cardinal", completion="none")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert outcome.selected == ("a", "z", "b")
    assert x.free_projects == ("a", "z")
    assert [s.project_id for s in x.steps] == ["b"]


def test_mes_project_costing_one_unit_is_not_free() -> None:
    """Only a project costing 0 is bought without payment: 'a' costing 1 (the smallest whole
    cost) needs its one supporter's share of 1/2 to reach 1, so with no completion nothing is
    bought."""
    e = election({"a": 1, "b": 2}, [("a",), ("b",)], 1)
    outcome = equal_shares(e, completion="none")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert (outcome.selected, x.free_projects, x.steps) == ((), (), ())


def test_add1_exact_path_reports_prices_at_the_final_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the mutation work (issue 14): add1's exact path (profiles over 30,000 cells,
    forced here) resumes a run from the first round that changes and kept the earlier rounds'
    rho from the smaller share. Budget 16, four voters. At a share of 4: '4' (8; v0, v1, v3)
    costs 8/3 each (rho 1/3), then '1' (5; v2, v3): v3 has 4/3 left and pays it all, v2 pays
    11/3 (rho 11/15); '2' (1; v2) no longer fits v2's 1/3, but fits the budget: add1 raises
    the share to 5. There v3 pays 7/3 and v2 8/3 for '1' (rho 8/15, price 8/3), and v2 buys '2'
    with the 7/3 left: exhaustive. The explanation must give rho 8/15 and price 8/3 for '1', as
    the batched path does, not the 11/15 of the share of 4."""
    projects = [Project(p, Fraction(c)) for p, c in (("1", 5), ("2", 1), ("3", 0), ("4", 8))]
    votes = [("4",), ("4",), ("1", "2"), ("1", "4")]
    e = Election(16, projects, [Ballot(f"v{i}", v, None) for i, v in enumerate(votes)])
    monkeypatch.setattr(mes_module, "_BATCH_CELLS", 0)
    outcome = equal_shares(e, completion="add1")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert (outcome.selected, x.increments, x.share, x.exhaustive) == (
        ("4", "1", "2"),
        1,
        Fraction(5),
        True,
    )
    assert [(s.project_id, s.rho, s.price, s.paid_all) for s in x.steps] == [
        ("4", Fraction(1, 3), Fraction(8, 3), 0),
        ("1", Fraction(8, 15), Fraction(8, 3), 1),
        ("2", Fraction(1), Fraction(1), 0),
    ]
    assert [g.remaining for g in x.groups] == [Fraction(7, 3), Fraction(4, 3), Fraction(0)]
