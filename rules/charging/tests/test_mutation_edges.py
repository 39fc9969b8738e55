"""Charging rules the other tests did not pin down, found by the mutation run (issue 14).

Each test names the rule and where it comes from. Figures marked "test figure" below are made up
to tell two parameters apart (the national figure for them is unknown in the parameter file);
they are never presented as the circular's.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from rules.charging import (
    AssessmentInput,
    ChargeResult,
    LocalOverride,
    NationalFigure,
    OverrideError,
    UnknownParameterError,
    assess,
    assess_dict,
    parameters_in_force,
    with_national_figures,
)
from rules.charging.parameters import ParameterValue, load_parameter_file
from rules.charging.tests.helpers import care_home, home, run, step_total

D = Decimal
SAVINGS_20K = [{"kind": "savings", "value": "20000.00"}]


def lower_limit(value: str) -> dict[str, list[LocalOverride]]:
    return {"capital.lower_limit": [LocalOverride(D(value), dt.date(2024, 4, 1))]}


def test_local_lower_capital_limit_equal_to_the_upper_limit_is_allowed() -> None:
    """Charging Regs regs 12 and 25, Annex B para 3: a council may raise the lower capital limit
    for care at home (capital.lower_limit, overridable "home"); equal to the upper limit
    (£23,250) it simply leaves no tariff band, so it is accepted: £20,000 then gives no tariff
    income, where the national £14,250 would give £23 a week."""
    data = home(capital=SAVINGS_20K, incomes={"esa": "200.00"})
    national = run(data)
    raised = run(data, lower_limit("23250.00"))
    assert step_total(national, "tariff_income") == D("23.00")
    assert step_total(raised, "tariff_income") == D("0")
    assert raised.weekly_charge == national.weekly_charge - D("23.00")


def test_local_lower_capital_limit_a_penny_above_the_upper_limit_is_refused() -> None:
    """The same rule: a lower limit above the upper limit (here £23,250.01 against £23,250.00)
    makes no sense and is refused, naming the figure and both limits."""
    with pytest.raises(OverrideError) as error:
        run(home(capital=SAVINGS_20K, incomes={"esa": "200.00"}), lower_limit("23250.01"))
    assert error.value.name == "capital.lower_limit"
    assert str(error.value) == (
        "Local figure for 'capital.lower_limit' rejected: "
        "lower limit 23250.01 is above upper 23250.00"
    )


def test_assess_dict_applies_the_councils_local_figures() -> None:
    """``assess_dict`` (used by the app's forms) passes the council's local figures on: the same
    local lower limit as above removes the £23 tariff income."""
    data = home(capital=SAVINGS_20K, incomes={"esa": "200.00"})
    assert assess_dict(data).weekly_charge - assess_dict(
        data, lower_limit("23250.00")
    ).weekly_charge == D("23.00")


def test_couple_in_a_care_home_with_savings_credit_needs_the_couple_figure() -> None:
    """Charging Regs Sched 1 para 40: in a care home, savings credit is ignored up to a maximum
    that differs for a single person (savings_credit_disregard.single_max, £6.95 in 2024/25) and a
    member of a couple (savings_credit_disregard.couple_max, not known for 2024/25). A couple
    member is refused naming the couple figure, never assessed with the single one."""
    with pytest.raises(UnknownParameterError) as error:
        run(care_home(couple=True, incomes={"pension_credit_savings": "10.00"}))
    assert error.value.name == "savings_credit_disregard.couple_max"
    single = run(care_home(incomes={"pension_credit_savings": "10.00"}))
    assert step_total(single, "income_disregarded") == D("6.95")


def test_couple_premiums_are_the_couple_figures() -> None:
    """Charging Regs reg 7(6): a member of a couple gets the couple rates of the disability and
    enhanced disability premiums (…_couple_each), not the single rates of reg 7(5). The couple
    figures are unknown in the parameter file, so test figures are supplied for 2025/26."""
    start = dt.date(2025, 4, 6)
    figures = {
        "minimum_income_guarantee.couple_18_plus_each": [
            NationalFigure(D("100.00"), start, "test figure")
        ],
        "minimum_income_guarantee.disability_premium_couple_each": [
            NationalFigure(D("10.00"), start, "test figure")
        ],
        "minimum_income_guarantee.enhanced_disability_premium_couple_each": [
            NationalFigure(D("1.00"), start, "test figure")
        ],
    }
    person = AssessmentInput.from_dict(
        home(
            date="2025-06-02",
            couple=True,
            disability_premium=True,
            enhanced_disability_premium=True,
            incomes={"esa": "200.00"},
        )
    )
    result = assess(person, national=figures)
    # 100.00 + 10.00 + 1.00; the single premiums (49.65 and 24.25) would give 173.90.
    assert step_total(result, "allowance") == D("111.00")
    single = assess(
        AssessmentInput.from_dict(
            home(
                date="2025-06-02",
                disability_premium=True,
                enhanced_disability_premium=True,
                incomes={"esa": "200.00"},
            )
        )
    )
    assert "Disability premium: £49.65." in [line.text for line in single.breakdown]


# --- Second pass (the 441 mutants first run on 3 December): boundaries and what is shown. ---

APRIL_2024 = dt.date(2024, 4, 1)
AA_HIGHER = "108.55"  # Attendance Allowance, higher rate, 2024/25


def night_and_dre(night_disregard: str) -> dict[str, LocalOverride]:
    """A council that ignores ``night_disregard`` of a higher-rate care benefit when no night
    care is arranged, and gives a £10.85 standard Disability Related Expenditure allowance to
    everyone whose disability benefits are counted (both local figures, Annex C paras 39-40)."""
    return {
        "local.no_night_care_disregard": LocalOverride(D(night_disregard), APRIL_2024),
        "local.dre_standard_allowance": LocalOverride(D("10.85"), APRIL_2024),
    }


def lines(result: ChargeResult, step: str) -> list[str]:
    return [line.text for line in result.breakdown if line.step == step]


def test_a_penny_of_a_care_benefit_counted_is_counted_and_brings_the_dre_allowance() -> None:
    """Annex C paras 39-40: the standard DRE allowance goes with disability benefits that are
    counted. With a night-time disregard a penny short of the whole higher rate, £0.01 of it is
    counted: a line says so, the penny is in the income, and the £10.85 allowance is given."""
    data = home(incomes={"attendance_allowance_higher": AA_HIGHER})
    result = run(data, night_and_dre("108.54"))
    assert step_total(result, "income_counted") == D("0.01")
    assert "Attendance Allowance (higher rate): £0.01 a week counted." in lines(
        result, "income_counted"
    )
    assert (
        "Disability Related Expenditure: the council's standard allowance of £10.85 "
        "(you can show us costs above this)." in lines(result, "allowance")
    )


def test_a_care_benefit_ignored_in_full_brings_no_dre_allowance() -> None:
    """The same rule the other way: when the council ignores all of the higher rate (its
    night-time disregard is at least the benefit), nothing of a disability benefit is counted,
    so there is no standard DRE allowance and no "counted" line for it."""
    result = run(home(incomes={"attendance_allowance_higher": AA_HIGHER}), night_and_dre(AA_HIGHER))
    assert step_total(result, "income_counted") == D("0")
    assert lines(result, "income_counted") == []
    assert not any("Disability Related Expenditure" in text for text in lines(result, "allowance"))


def test_an_income_of_nothing_is_still_listed_as_counted() -> None:
    """Every income the person declares appears in the working: an amount of £0.00 of which
    nothing is ignored is shown as £0.00 counted, not silently dropped."""
    result = run(home(incomes={"esa": "0.00"}))
    assert lines(result, "income_counted") == [
        "Employment and Support Allowance: £0.00 a week counted."
    ]


def test_a_tariff_income_of_one_pound_is_explained_as_tariff_income() -> None:
    """Charging Regs reg 25: £1 a week for every £250 or part of £250 above the lower limit
    (£14,250). A penny above gives £1, and the line explains it (not "none")."""
    result = run(home(capital=[{"kind": "savings", "value": "14250.01"}], incomes={"esa": "200"}))
    assert step_total(result, "tariff_income") == D("1.00")
    assert lines(result, "tariff_income") == [
        "Tariff income: your capital is £0.01 above the lower limit of £14,250.00. We count "
        "£1.00 a week for every £250.00 or part of £250.00: £1.00 a week."
    ]


# --- Parameters: local and national figures, and what a refusal says. ---

JUNE_2024 = dt.date(2024, 6, 3)


def local(name: str, value: str, note: str = "") -> dict[str, LocalOverride]:
    return {name: LocalOverride(D(value), APRIL_2024, note)}


def test_refused_local_figures_name_the_figure_and_say_why() -> None:
    """A council's local figure is refused for an unknown name, for a figure set nationally
    (the tariff step, Charging Regs reg 25) and for one lower than the national figure; each
    refusal names the figure (the admin shows it against that row)."""
    cases = [
        ("mig", "1.00", "there is no parameter with that name"),
        (
            "capital.tariff_step",
            "500.00",
            "this figure is set nationally and cannot be changed locally",
        ),
        (
            "personal_expenses_allowance",
            "30.14",
            "30.14 is less generous than the national 30.15 in force on 2024-06-03",
        ),
    ]
    for name, value, why in cases:
        with pytest.raises(OverrideError) as error:
            parameters_in_force(JUNE_2024, local(name, value))
        assert error.value.name == name
        assert str(error.value) == f"Local figure for '{name}' rejected: {why}"


def test_a_local_figure_equal_to_the_national_one_is_accepted() -> None:
    """Only a less generous (lower) local figure is refused: one equal to the national £30.15
    personal expenses allowance is accepted and recorded as the council's."""
    params = parameters_in_force(JUNE_2024, local("personal_expenses_allowance", "30.15"))
    assert params.value("personal_expenses_allowance") == D("30.15")
    assert params.used["personal_expenses_allowance"].source == "local"


def test_a_local_history_that_is_not_local_figures_is_refused_naming_the_figure() -> None:
    """What the admin passes must be LocalOverride rows; anything else is refused naming the
    figure it was given for."""
    bad = {"local.dre_standard_allowance": [{"value": "10.85"}]}
    with pytest.raises(OverrideError) as error:
        parameters_in_force(JUNE_2024, bad)  # type: ignore[arg-type]
    assert error.value.name == "local.dre_standard_allowance"
    assert str(error.value).endswith("expected LocalOverride, got dict")


def test_local_figures_after_one_not_yet_in_force_or_for_the_other_setting_still_apply() -> None:
    """Each local figure is applied on its own: one that starts later than the assessment
    date, or one for care homes in an assessment at home, is left out without dropping the
    figures listed after it (here a £10.85 standard DRE allowance)."""
    dre = LocalOverride(D("10.85"), APRIL_2024)
    later = {
        "capital.upper_limit": LocalOverride(D("30000.00"), dt.date(2024, 10, 1)),
        "local.dre_standard_allowance": dre,
    }
    other_setting = {
        "personal_expenses_allowance": LocalOverride(D("40.00"), APRIL_2024),
        "local.dre_standard_allowance": dre,
    }
    for overrides in (later, other_setting):
        params = parameters_in_force(JUNE_2024, overrides, setting="home")
        assert params.value("local.dre_standard_allowance") == D("10.85")
        assert params.used["local.dre_standard_allowance"].source == "local"


def test_a_local_figure_is_recorded_verified_unless_it_rests_on_a_national_estimate() -> None:
    """A local figure is the council's own, so it is recorded "verified" whatever the national
    figure's status (the per-child amount is "single_source" in 2024/25), except over a national
    estimate (the lone-parent guarantee in 2024/25): the council's figure was only checked to be
    more generous than an estimate, so it stays "estimate" and the result is provisional. Its note
    is the council's, or says it is a local figure."""
    over_single_source = parameters_in_force(
        JUNE_2024, local("minimum_income_guarantee.per_child", "110.00", "Cabinet, March 2024")
    )
    assert over_single_source.value("minimum_income_guarantee.per_child") == D("110.00")
    used = over_single_source.used["minimum_income_guarantee.per_child"]
    assert (used.status, used.source, used.note) == ("verified", "local", "Cabinet, March 2024")
    assert over_single_source.provisional_values == []

    name = "minimum_income_guarantee.lone_parent_18_plus"
    over_estimate = parameters_in_force(JUNE_2024, local(name, "120.00"))
    assert over_estimate.value(name) == D("120.00")
    used = over_estimate.used[name]
    assert (used.status, used.note) == ("estimate", "local figure set by the council")
    assert over_estimate.provisional_values == [name]


def test_an_unknown_figure_is_refused_saying_since_when_and_why() -> None:
    """The calculator refuses to run on a figure it does not have, and says why: no row before
    that date, a row marked unknown (with the file's note when there is one), and that a local
    figure cannot stand in for it."""
    couple_max = "savings_credit_disregard.couple_max"
    premium = "minimum_income_guarantee.disability_premium_couple_each"
    cases = [
        (dt.date(2024, 3, 1), {}, couple_max, "no value before 2024-04-01"),
        (JUNE_2024, {}, couple_max, "status unknown from 2024-04-01: 2024/25 not found"),
        (dt.date(2025, 6, 2), {}, premium, "status unknown from 2025-04-06"),
        (
            JUNE_2024,
            local(couple_max, "10.00"),
            couple_max,
            "status unknown from 2024-04-01: 2024/25 not found; "
            "a local figure cannot be checked against an unknown national one",
        ),
    ]
    for on, overrides, name, reason in cases:
        with pytest.raises(UnknownParameterError) as error:
            parameters_in_force(on, overrides).value(name)
        assert str(error.value) == (
            f"Cannot calculate: parameter '{name}' is unknown for {on.isoformat()} ({reason}). "
            "Add the verified figure to the parameter file before charging anyone on it."
        )


def test_asking_for_a_parameter_that_does_not_exist_names_it() -> None:
    with pytest.raises(KeyError, match=re.escape("no parameter called 'capital.top_limit'")):
        parameters_in_force(JUNE_2024).national("capital.top_limit")


def test_national_figures_entered_later_are_verified_rows_of_the_same_series() -> None:
    """A national figure entered in the admin (read in the circular, confirmed by a second
    person) becomes a "verified" row of the file's series, keeping the series' description and
    legal basis, with its references and note (or a note saying where it came from); £0.00 is
    a figure like any other (the DRE standard allowance is nationally £0.00)."""
    file = load_parameter_file()
    name = "capital.upper_limit"
    start = dt.date(2026, 4, 6)
    merged = with_national_figures(
        file,
        {
            name: [NationalFigure(D("23250.00"), start, refs=("circular_2026_27",))],
            "local.dre_standard_allowance": [
                NationalFigure(D("0.00"), start, "no national flat amount")
            ],
        },
    )
    series = merged[name]
    assert (series.name, series.description, series.legal_basis, series.overridable) == (
        name,
        file[name].description,
        file[name].legal_basis,
        file[name].overridable,
    )
    row = series.in_force(start)
    assert row == ParameterValue(
        name=name,
        value=D("23250.00"),
        status="verified",
        applies_from=start,
        refs=("circular_2026_27",),
        note="national figure entered and confirmed in the admin",
    )
    dre = merged["local.dre_standard_allowance"].in_force(start)
    assert dre is not None
    assert (dre.value, dre.note, dre.status) == (D("0.00"), "no national flat amount", "verified")
    assert file[name].in_force(start) != row  # the cached file itself is not changed


def test_refused_national_figures_name_the_figure_and_say_why() -> None:
    file = load_parameter_file()
    start = dt.date(2026, 4, 6)
    cases = [
        ("capital.top_limit", "1.00", "there is no national figure with that name"),
        ("capital.upper_limit", "-0.01", "a national figure cannot be negative"),
    ]
    for name, value, why in cases:
        with pytest.raises(OverrideError) as error:
            with_national_figures(file, {name: [NationalFigure(D(value), start)]})
        assert error.value.name == name
        assert str(error.value).endswith(f"rejected: {why}")
