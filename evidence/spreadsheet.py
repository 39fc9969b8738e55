"""The SROI report as an XLSX workbook (openpyxl): the same figures as the page, one sheet each for
the summary, inputs, impact map, years, sensitivity, switching values and conventions.

Money is written as numbers rounded to the penny (the page's figures); text anyone typed goes
through ``safe_cell`` so a name starting with ``=`` is never a formula."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from wellbeing_hub.spreadsheets import safe_cell

MONEY = '"£"#,##0.00'


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return safe_cell(value)
    return value


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def workbook_bytes(data: dict[str, Any]) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    rows: list[tuple[str, Any, str]] = [
        ("Project", data["name"], ""),
        ("Prices of year", data["base_year"], ""),
        ("Discount rate", data["discount_rate"], data["discount_rate_source"]),
        ("Total inputs", _money(data["total_inputs"]), "money"),
        ("Present value", _money(data["present_value"]), "money"),
        ("Net present value", _money(data["net_present_value"]), "money"),
        ("SROI ratio (present value per £1 of inputs)", _money(data["ratio"]), ""),
        ("Payback period (months)", _money(data["payback_months"]), ""),
    ]
    summary.append(["Figure", "Value", "Source"])
    for label, value, note in rows:
        summary.append([label, _cell(value), "" if note == "money" else _cell(note)])
        if note == "money":
            summary.cell(row=summary.max_row, column=2).number_format = MONEY

    inputs = book.create_sheet("Inputs")
    inputs.append(
        ["Input", "Kind", "Who put it in", "Hours", "Rate", "Amount", "Source", "What was counted"]
    )
    for item in data["inputs"]:
        inputs.append(
            [
                _cell(item["name"]),
                item["kind"],
                item["sector"],
                _money(item["hours"]),
                _money(item["rate"]),
                _money(item["amount"]),
                _cell(item["source"]),
                _cell(item.get("note", "")),
            ]
        )
        for column in (5, 6):
            inputs.cell(row=inputs.max_row, column=column).number_format = MONEY

    impact = book.create_sheet("Impact map")
    impact.append(
        [
            "Outcome",
            "For whom",
            "Indicator",
            "Quantity",
            "Quantity source",
            "Proxy",
            "Proxy value",
            "Price year",
            "Value in report year",
            "Proxy source",
            "Deadweight",
            "Deadweight source",
            "Displacement",
            "Displacement source",
            "Attribution",
            "Attribution source",
            "Drop-off",
            "Drop-off source",
            "Years",
            "Year-1 impact",
            "Present value",
            "Who gains",
            "Kind of value",
        ]
    )
    for o in data["outcomes"]:
        impact.append(
            [
                _cell(o["name"]),
                _cell(o["stakeholder"]),
                _cell(o["indicator"]),
                _money(o["quantity"]["value"]),
                _cell(o["quantity"]["source"]),
                _cell(o["proxy"]["description"]),
                _money(o["proxy"]["value"]),
                o["proxy"]["price_year"],
                _money(o["proxy"]["value_in_base_year"]),
                _cell(o["proxy"]["source"]),
                o["deadweight"]["value"],
                _cell(o["deadweight"]["source"]),
                o["displacement"]["value"],
                _cell(o["displacement"]["source"]),
                o["attribution"]["value"],
                _cell(o["attribution"]["source"]),
                o["drop_off"]["value"],
                _cell(o["drop_off"]["source"]),
                o["duration_years"],
                _money(o["first_year_impact"]),
                _money(o["present_value"]),
                o["benefits_sector"],
                o["saving_kind"],
            ]
        )
        for column in (7, 9, 20, 21):
            impact.cell(row=impact.max_row, column=column).number_format = MONEY

    years = book.create_sheet("Years")
    years.append(["Outcome", "Year", "Value", "Discount factor", "Present value"])
    for o in data["outcomes"]:
        for y in o["years"]:
            years.append(
                [
                    _cell(o["name"]),
                    y["year"],
                    _money(y["value"]),
                    Decimal(y["discount_factor"]),
                    _money(y["present_value"]),
                ]
            )
            for column in (3, 5):
                years.cell(row=years.max_row, column=column).number_format = MONEY

    if "sensitivity" in data:
        sens = book.create_sheet("Sensitivity")
        sens.append(["Outcome", "Assumption", "As given", "Varied to", "SROI ratio"])
        for row in data["sensitivity"]:
            sens.append(
                [
                    _cell(row["outcome"] or "whole case"),
                    row["assumption"],
                    row["base"],
                    row["varied"],
                    _money(row["ratio"]),
                ]
            )
        switch = book.create_sheet("Switching values")
        switch.append(["Outcome", "Assumption", "As given", "Ratio is 1 at", "Note"])
        for row in data["switching_values"]:
            switch.append(
                [
                    _cell(row["outcome"] or "whole case"),
                    row["assumption"],
                    row["base"],
                    row["ratio_is_1_at"],
                    row["note"],
                ]
            )

    notes = book.create_sheet("Conventions")
    notes.append(["How the figures are worked out"])
    for line in data["conventions"]:
        notes.append([line])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
