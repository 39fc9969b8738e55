"""The SROI report as tables: one XLSX workbook (openpyxl) and one CSV file with the same figures
as the page, a sheet (or, in the CSV, a section) each for the summary, inputs, impact map, years,
sensitivity, switching values and conventions.

Money is written as numbers rounded to the penny (the page's figures); text anyone typed goes
through ``safe_cell`` (in the CSV, ``SafeCsvWriter``) so a name starting with ``=`` is never a
formula."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from wellbeing_hub.spreadsheets import SafeCsvWriter, safe_cell

MONEY = '"£"#,##0.00'


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    money_columns: tuple[int, ...] = ()  # 1-based, as openpyxl counts
    money_rows: tuple[int, ...] = ()  # Summary: the rows whose value is money (1-based, data rows)


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def sheets(data: dict[str, Any]) -> list[Sheet]:
    """The report (``rules.sroi.report`` data) as plain tables."""
    summary = Sheet("Summary", ["Figure", "Value", "Source"], money_rows=(4, 5, 6))
    summary.rows = [
        ["Project", data["name"], ""],
        ["Prices of year", data["base_year"], ""],
        ["Discount rate", data["discount_rate"], data["discount_rate_source"]],
        ["Total inputs", _money(data["total_inputs"]), ""],
        ["Present value", _money(data["present_value"]), ""],
        ["Net present value", _money(data["net_present_value"]), ""],
        ["SROI ratio (present value per £1 of inputs)", _money(data["ratio"]), ""],
        ["Payback period (months)", _money(data["payback_months"]), ""],
    ]
    inputs = Sheet(
        "Inputs",
        ["Input", "Kind", "Who put it in", "Hours", "Rate", "Amount", "Source", "What was counted"],
        money_columns=(5, 6),
    )
    inputs.rows = [
        [
            item["name"],
            item["kind"],
            item["sector"],
            _money(item["hours"]),
            _money(item["rate"]),
            _money(item["amount"]),
            item["source"],
            item.get("note", ""),
        ]
        for item in data["inputs"]
    ]
    impact = Sheet(
        "Impact map",
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
        ],
        money_columns=(7, 9, 20, 21),
    )
    impact.rows = [
        [
            o["name"],
            o["stakeholder"],
            o["indicator"],
            _money(o["quantity"]["value"]),
            o["quantity"]["source"],
            o["proxy"]["description"],
            _money(o["proxy"]["value"]),
            o["proxy"]["price_year"],
            _money(o["proxy"]["value_in_base_year"]),
            o["proxy"]["source"],
            o["deadweight"]["value"],
            o["deadweight"]["source"],
            o["displacement"]["value"],
            o["displacement"]["source"],
            o["attribution"]["value"],
            o["attribution"]["source"],
            o["drop_off"]["value"],
            o["drop_off"]["source"],
            o["duration_years"],
            _money(o["first_year_impact"]),
            _money(o["present_value"]),
            o["benefits_sector"],
            o["saving_kind"],
        ]
        for o in data["outcomes"]
    ]
    years = Sheet(
        "Years",
        ["Outcome", "Year", "Value", "Discount factor", "Present value"],
        money_columns=(3, 5),
    )
    years.rows = [
        [
            o["name"],
            y["year"],
            _money(y["value"]),
            Decimal(y["discount_factor"]),
            _money(y["present_value"]),
        ]
        for o in data["outcomes"]
        for y in o["years"]
    ]
    found = [summary, inputs, impact, years]
    if "sensitivity" in data:
        sens = Sheet(
            "Sensitivity", ["Outcome", "Assumption", "As given", "Varied to", "SROI ratio"]
        )
        sens.rows = [
            [
                row["outcome"] or "whole case",
                row["assumption"],
                row["base"],
                row["varied"],
                _money(row["ratio"]),
            ]
            for row in data["sensitivity"]
        ]
        switch = Sheet(
            "Switching values", ["Outcome", "Assumption", "As given", "Ratio is 1 at", "Note"]
        )
        switch.rows = [
            [
                row["outcome"] or "whole case",
                row["assumption"],
                row["base"],
                row["ratio_is_1_at"],
                row["note"],
            ]
            for row in data["switching_values"]
        ]
        found += [sens, switch]
    notes = Sheet("Conventions", ["How the figures are worked out"])
    notes.rows = [[line] for line in data["conventions"]]
    return [*found, notes]


def workbook_bytes(data: dict[str, Any]) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for sheet in sheets(data):
        page = book.create_sheet(sheet.title)
        page.append(sheet.header)
        for number, row in enumerate(sheet.rows, start=1):
            page.append([safe_cell(cell) for cell in row])
            columns = (2,) if number in sheet.money_rows else sheet.money_columns
            for column in columns:
                page.cell(row=page.max_row, column=column).number_format = MONEY
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(data: dict[str, Any]) -> str:
    """The same tables in one CSV: each row starts with its sheet's name, and each sheet starts
    with its own heading row, so a spreadsheet can filter the file back into the sheets."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    for sheet in sheets(data):
        writer.writerow(["sheet", *sheet.header])
        for row in sheet.rows:
            writer.writerow([sheet.title, *("" if cell is None else cell for cell in row)])
    return out.getvalue()
