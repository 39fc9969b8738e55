"""Issue 19: organisation time credits issued and spent, in a period and by organisation."""

from __future__ import annotations

from datetime import date

import pytest

from rules.timebank import CreditRecord, credit_totals


def test_credit_totals_count_issued_and_spent_in_the_period_by_organisation() -> None:
    records = [
        CreditRecord(date(2026, 1, 5), "Museum", 120, issued=False),
        CreditRecord(date(2026, 1, 6), "Food bank", 180, issued=True),
        CreditRecord(date(2026, 2, 1), "Food bank", 60, issued=True),
        CreditRecord(date(2025, 12, 31), "Food bank", 600, issued=True),  # before the period
        CreditRecord(date(2026, 2, 2), "Food bank", 30, issued=False),
    ]
    totals = credit_totals(records, date(2026, 1, 1), date(2026, 2, 28))
    assert (totals.issued, totals.spent, totals.issues, totals.redemptions) == (240, 150, 2, 2)
    assert totals.unspent == 90
    assert totals.by_organisation == (("Food bank", 240, 30), ("Museum", 0, 120))
    assert credit_totals([]).by_organisation == ()


def test_a_record_without_time_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        credit_totals([CreditRecord(date(2026, 1, 1), "Museum", 0, issued=True)])
