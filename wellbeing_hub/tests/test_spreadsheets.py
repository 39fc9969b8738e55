"""CSV cells that a spreadsheet would run as formulas are written as plain text."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from wellbeing_hub.spreadsheets import SafeCsvWriter, safe_cell


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")', "-", "+"],
)
def test_text_that_starts_a_formula_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-12.50", "+3", "-7", "0.00", "12"])
def test_plain_numbers_stay_numbers(text: str) -> None:
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", ["Tai Chi", "a=b", " =1", "", "£5 - £10"])
def test_ordinary_text_is_untouched(value: str) -> None:
    assert safe_cell(value) == value


def test_non_text_values_pass_through() -> None:
    assert safe_cell(Decimal("-5.00")) == Decimal("-5.00")
    assert safe_cell(-3) == -3
    assert safe_cell(None) is None


def test_writer_neutralises_every_cell_of_every_row() -> None:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(["=cmd", "ok", -1])
    writer.writerows([["@x", "-1.5"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'=cmd", "ok", "-1"], ["'@x", "-1.5"]]
