"""Open data: the gap in the market and the portfolio, as CSV and JSON anyone may reuse.

Nothing here is personal. The gap's figures are counts with small numbers (and any figure that
would reveal one) hidden, exactly as on the page; the portfolio's are sums over projects by
sector. A hidden figure is written as empty (CSV) or null (JSON) with the reason beside it, never
as 0."""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

from evidence.selectors import GapReport, GapTable
from rules.outcomes.aggregates import MINIMUM_CELL
from rules.sroi.calculate import money, ratio
from rules.sroi.portfolio import Portfolio
from wellbeing_hub.spreadsheets import SafeCsvWriter

LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "attribution": "Contains public sector information licensed under the Open Government "
    "Licence v3.0.",
}
HIDDEN = f"hidden: fewer than {MINIMUM_CELL}, or it would reveal a figure that is"
GAP_SOURCES = {
    "plans": "Support people looked for in their support plans and could not find, by kind of "
    "support and the plan's neighbourhood (each plan counted once for each kind of support)",
    "time-bank": "Time-bank requests open 14 days or more that nobody took up, by kind of help "
    "and neighbourhood",
}
CSV_HEADER = ["section", "row", "column", "value", "note"]


def _table_records(source: str, table: GapTable) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for row in (*table.rows, None):
        for column in (*table.columns, None):
            shown = table.shown(row, column)
            rows.append(
                {
                    "section": source,
                    "need": row or "All",
                    "neighbourhood": column or "All",
                    "count": shown,
                    "note": HIDDEN if shown is None else "",
                }
            )
    return rows


def gap_data(report: GapReport) -> dict[str, Any]:
    return {
        "title": "The gap in the market",
        "generated_on": report.today.isoformat(),
        "licence": LICENCE,
        "suppression": f"Counts under {MINIMUM_CELL}, and any count that would let one be worked "
        "out from the totals, are null.",
        "tables": [
            {
                "id": source,
                "how_counted": GAP_SOURCES[source],
                "cells": _table_records(source, table),
            }
            for source, table in (("plans", report.plans), ("time-bank", report.time_bank))
        ],
        "searches": {
            "how_counted": f"Directory searches since {report.since.isoformat()} that found 2 "
            f"services or fewer; words searched fewer than {MINIMUM_CELL} times are not shown",
            "shown": [
                {"words": s.words, "searches": s.searches, "neighbourhoods": list(s.neighbourhoods)}
                for s in report.searches
            ],
            "not_shown": report.hidden_searches,
        },
        "declined_for_capacity": {
            "how_counted": f"Social prescribing referrals services declined for lack of space "
            f"since {report.since.isoformat()}; services with fewer than {MINIMUM_CELL} are not "
            "shown",
            "shown": [
                {"service_id": d.service_id, "service_name": d.service_name, "count": d.count}
                for d in report.declined
            ],
            "not_shown": report.hidden_declined,
        },
    }


def gap_csv(report: GapReport) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_HEADER)
    for source, table in (("plans", report.plans), ("time-bank", report.time_bank)):
        for record in _table_records(source, table):
            writer.writerow(
                [
                    source,
                    record["need"],
                    record["neighbourhood"],
                    "" if record["count"] is None else record["count"],
                    record["note"],
                ]
            )
    for s in report.searches:
        writer.writerow(["searches", s.words, "; ".join(s.neighbourhoods), s.searches, ""])
    writer.writerow(["searches", "Not shown", "", report.hidden_searches, ""])
    for d in report.declined:
        writer.writerow(["declined-for-capacity", d.service_name, "", d.count, d.service_id])
    writer.writerow(["declined-for-capacity", "Not shown", "", report.hidden_declined, ""])
    writer.writerow(["licence", LICENCE["name"], "", "", LICENCE["url"]])
    return out.getvalue()


def portfolio_data(
    projects: list[dict[str, Any]], book: Portfolio, labels: dict[str, str], today: str
) -> dict[str, Any]:
    """``projects``: name, total_inputs, present_value and ratio of each project with a result."""
    return {
        "title": "Who invests and who gains",
        "generated_on": today,
        "licence": LICENCE,
        "convention": "Each project's present value for a gaining sector is shared among the "
        "sectors that paid for it, in proportion to what each put in. Money in pounds, rounded "
        "to the penny.",
        "projects": projects,
        "matrix": [
            {
                "invested_by": labels.get(row, row),
                "gained_by": labels.get(col, col),
                "present_value": money(book.cells.get((row, col), Fraction(0))),
            }
            for row in book.investing
            for col in book.gaining
        ],
        "invested": [
            {
                "sector": labels.get(row, row),
                "invested": money(book.invested.get(row, Fraction(0))),
                "value_per_pound": ratio(book.per_pound(row)),
            }
            for row in book.investing
        ],
        "total_invested": money(book.total_invested),
        "total_present_value": money(book.total_value),
    }


def portfolio_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_HEADER)
    for p in data["projects"]:
        writer.writerow(["project", p["name"], "inputs", p["total_inputs"], ""])
        writer.writerow(["project", p["name"], "present value", p["present_value"], ""])
        writer.writerow(["project", p["name"], "value per £1", p["ratio"] or "", ""])
    for cell in data["matrix"]:
        writer.writerow(
            ["matrix", cell["invested_by"], cell["gained_by"], cell["present_value"], ""]
        )
    for row in data["invested"]:
        writer.writerow(["invested", row["sector"], "", row["invested"], ""])
        writer.writerow(["value per £1", row["sector"], "", row["value_per_pound"] or "", ""])
    writer.writerow(["total", "invested", "", data["total_invested"], ""])
    writer.writerow(["total", "present value", "", data["total_present_value"], ""])
    writer.writerow(["licence", LICENCE["name"], "", "", LICENCE["url"]])
    return out.getvalue()
