"""Issue 19, the calculator on today's figures: "I'm not sure" about Pension Credit age, the size
of the uncertainty on an earlier year's figures, and a new year's national figures entered by one
person and confirmed by another."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets import charging
from budgets.access import NotAllowed
from budgets.models import NationalChargingFigure
from budgets.services._common import BudgetsError
from budgets.services.charging import confirm_national_figure, enter_national_figure
from directory.tests import factories as f
from rules.charging.parameters import load_parameter_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 2)
SIXTY_SIX = {
    "setting": "home",
    "age": 66,
    "couple": False,
    "weekly_cost_of_care": "300.00",
    "incomes": {"state_pension": "230.25"},
}


def test_not_sure_at_66_shows_both_results_not_a_silent_yes() -> None:
    outcome = charging.calculate(dict(SIXTY_SIX), DAY)
    yes = charging.calculate({**SIXTY_SIX, "reached_pension_credit_age": True}, DAY)
    no = charging.calculate({**SIXTY_SIX, "reached_pension_credit_age": False}, DAY)
    assert yes.result.weekly_charge != no.result.weekly_charge
    assert outcome.result.weekly_charge == no.result.weekly_charge
    assert [r.weekly_charge for _, r in outcome.alternatives] == [
        yes.result.weekly_charge,
        no.result.weekly_charge,
    ]
    assert any("legislation.gov.uk/ukpga/2014/19/section/26" in n for n in outcome.notes)


def test_a_date_of_birth_settles_it_on_the_day_asked_for() -> None:
    # Born 5 May 1960: State Pension age 66 and 1 month, reached on 5 June 2026.
    before = charging.calculate({**SIXTY_SIX, "date_of_birth": "1960-05-05"}, dt.date(2026, 6, 4))
    after = charging.calculate({**SIXTY_SIX, "date_of_birth": "1960-05-05"}, dt.date(2026, 6, 5))
    no = charging.calculate({**SIXTY_SIX, "reached_pension_credit_age": False}, DAY)
    yes = charging.calculate({**SIXTY_SIX, "reached_pension_credit_age": True}, DAY)
    assert before.result.weekly_charge == no.result.weekly_charge
    assert after.result.weekly_charge == yes.result.weekly_charge
    assert not before.alternatives and not after.alternatives


def test_ages_that_settle_it_need_no_answer() -> None:
    at_65 = charging.calculate({**SIXTY_SIX, "age": 65}, DAY)
    at_67 = charging.calculate({**SIXTY_SIX, "age": 67}, DAY)
    assert not at_65.alternatives and not at_67.alternatives
    assert at_65.result.weekly_charge > at_67.result.weekly_charge


def test_the_page_shows_both_results(client: Client) -> None:
    page = client.post(
        reverse("budgets:calculator"),
        {
            "setting": "home",
            "age": "66",
            "pension_age": "not_sure",
            "couple": "no",
            "weekly_cost_of_care": "300.00",
            "income_state_pension": "230.25",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "If you have reached State Pension age" in text
    assert "If you have not reached State Pension age" in text
    bad = client.post(
        reverse("budgets:calculator"),
        {
            "setting": "home",
            "age": "66",
            "couple": "no",
            "weekly_cost_of_care": "300.00",
            "date_of_birth": "not a date",
        },
    )
    assert bad.status_code == 400
    assert "#id_date_of_birth" in bad.content.decode()


def test_an_earlier_years_result_states_the_size_of_the_uncertainty() -> None:
    working_age = {
        "setting": "home",
        "age": 40,
        "couple": False,
        "weekly_cost_of_care": "300.00",
        "incomes": {"universal_credit": "200.00"},
    }
    outcome = charging.calculate(working_age, DAY)
    assert outcome.rates_date == dt.date(2026, 4, 5)
    assert outcome.expected_charge is not None
    # 112.50 x 1.07 = 120.375 -> 120.40: the charge is 7.90 a week lower with the rise.
    assert outcome.result.weekly_charge - outcome.expected_charge == Decimal("7.90")
    text = " ".join(outcome.notes)
    assert "7%" in text and "7.90" in text


def _figures_for_2026(admin: User, checker: User) -> None:
    for name, series in load_parameter_file().items():
        current = series.in_force(dt.date(2026, 4, 6))
        if current is None or current.is_usable or current.applies_from.year != 2026:
            continue
        if name == "people.pension_credit_qualifying_age":
            continue
        earlier = [v for v in series.values if v.is_usable][-1]
        value = earlier.value
        assert value is not None  # a usable value has a figure
        if name == "minimum_income_guarantee.single_25_to_pension_credit_age":
            value = Decimal("120.40")
        figure = enter_national_figure(
            actor=admin,
            parameter=name,
            value=value,
            year="2026/27",
            applies_from=dt.date(2026, 4, 6),
            source="https://www.gov.uk/government/publications/social-care-charging-2026",
        )
        confirm_national_figure(figure=figure, actor=checker)


def test_new_national_figures_need_a_second_person_and_are_used_once_confirmed() -> None:
    coordinator = f.user(Role.COORDINATOR)
    checker = f.user(Role.ADMINISTRATOR)
    with pytest.raises(NotAllowed):
        enter_national_figure(
            actor=f.user(Role.BROKER),
            parameter="capital.upper_limit",
            value=Decimal("23250"),
            year="2026/27",
            applies_from=dt.date(2026, 4, 6),
            source="https://www.gov.uk/x",
        )
    figure = enter_national_figure(
        actor=coordinator,
        parameter="minimum_income_guarantee.single_25_to_pension_credit_age",
        value=Decimal("120.40"),
        year="2026/27",
        applies_from=dt.date(2026, 4, 6),
        source="https://www.gov.uk/x",
    )
    assert charging.national_figures() == {}  # not used until confirmed
    with pytest.raises(BudgetsError, match="different person"):
        confirm_national_figure(figure=figure, actor=coordinator)
    confirm_national_figure(figure=figure, actor=checker)
    assert AuditEvent.objects.filter(summary__startswith="Confirmed national charging").exists()
    assert list(charging.national_figures()) == [
        "minimum_income_guarantee.single_25_to_pension_credit_age"
    ]
    with pytest.raises(BudgetsError):
        enter_national_figure(
            actor=coordinator,
            parameter="no.such",
            value=Decimal("1"),
            year="2026/27",
            applies_from=dt.date(2026, 4, 6),
            source="https://www.gov.uk/x",
        )


def test_with_the_whole_circular_confirmed_the_calculator_is_current() -> None:
    _figures_for_2026(f.user(Role.COORDINATOR), f.user(Role.ADMINISTRATOR))
    outcome = charging.calculate(
        {
            "setting": "home",
            "age": 40,
            "couple": False,
            "weekly_cost_of_care": "300.00",
            "incomes": {"universal_credit": "200.00"},
        },
        DAY,
    )
    assert outcome.rates_date == DAY
    assert not outcome.provisional
    assert outcome.result.weekly_charge == Decimal("79.60")  # 200 - 120.40
    document = charging.figures_document()
    assert document["national"]["capital.upper_limit"][0]["applies_from"] == "2026-04-06"


def test_the_admin_confirm_action_refuses_the_person_who_entered(client: Client) -> None:
    coordinator = f.user(Role.COORDINATOR)
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    add = reverse("admin:budgets_nationalchargingfigure_add")
    response = client.post(
        add,
        {
            "parameter": "capital.upper_limit",
            "year": "2026/27",
            "value": "23250.00",
            "applies_from": "2026-04-06",
            "source": "https://www.gov.uk/circular",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure = NationalChargingFigure.objects.get()
    assert figure.entered_by == coordinator
    changelist = reverse("admin:budgets_nationalchargingfigure_changelist")
    client.post(changelist, {"action": "confirm", "_selected_action": [figure.pk]})
    figure.refresh_from_db()
    assert figure.confirmed_at is None
    other = f.user(Role.ADMINISTRATOR)
    other.is_staff = True
    other.save()
    client.force_login(other)
    client.post(changelist, {"action": "confirm", "_selected_action": [figure.pk]})
    figure.refresh_from_db()
    assert figure.confirmed_by == other


def test_the_admin_download_feeds_the_command_line(
    client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rules.charging.cli import main

    _figures_for_2026(f.user(Role.COORDINATOR), f.user(Role.ADMINISTRATOR))
    admin_user = f.user(Role.ADMINISTRATOR)
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    figure = NationalChargingFigure.objects.first()
    assert figure is not None
    response = client.post(
        reverse("admin:budgets_nationalchargingfigure_changelist"),
        {"action": "download_figures", "_selected_action": [figure.pk]},
    )
    assert response.status_code == 200
    path = tmp_path / "figures.yaml"
    path.write_bytes(response.content)
    example = tmp_path / "person.yaml"
    example.write_text(
        'setting: home\nage: 40\ncouple: false\nweekly_cost_of_care: "300.00"\n'
        'incomes: {universal_credit: "200.00"}\n',
        encoding="utf-8",
    )
    assert main(["calc", str(example), "--date", "2026-12-02", "--figures", str(path)]) == 0
    assert '"weekly_charge": "79.60"' in capsys.readouterr().out
