"""Issue 19: the time bank reports (page and CSV) include organisation time credits issued and
spent."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from timebank import selectors
from timebank.models import Member
from timebank.services.credits import issue_credits, redeem_credits
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


@pytest.fixture
def credits_moved() -> User:
    coordinator = tb.coordinator()
    food_bank = tb.member(by=coordinator, kind=Member.Kind.GROUP, name="Food bank")
    museum = tb.member(by=coordinator, kind=Member.Kind.VENUE, name="=Museum")
    ann = tb.member(by=coordinator, name="Ann")
    issue_credits(
        by=food_bank.user,
        organisation=food_bank,
        member=ann,
        minutes=180,
        reason="Sorting the shelves",
        idempotency_key="k1",
    )
    redeem_credits(
        by=ann.user,
        member=ann,
        partner=museum,
        minutes=60,
        activity="A visit",
        idempotency_key="k2",
    )
    return coordinator


def test_report_counts_credits_issued_and_spent(credits_moved: User) -> None:
    credits = selectors.report().credits
    assert (credits.issued, credits.spent, credits.issues, credits.redemptions) == (180, 60, 1, 1)
    assert credits.by_organisation == (("=Museum", 0, 60), ("Food bank", 180, 0))


def test_reports_page_shows_credits_with_a_chart(client: Client, credits_moved: User) -> None:
    client.force_login(credits_moved)
    html = client.get(reverse("timebank:reports")).content.decode()
    assert 'id="credits-issued">3 hours (1 time)' in html
    assert 'id="credits-spent">1 hour (1 time)' in html
    assert 'id="chart-credits-title"' in html and 'id="credits-by-organisation"' in html


def test_reports_csv_has_credits_rows_without_formulas(client: Client, credits_moved: User) -> None:
    client.force_login(credits_moved)
    body = client.get(reverse("timebank:reports-csv")).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert ["time credits", "issued", "180", "3.00"] in rows
    assert ["time credits", "spent", "60", "1.00"] in rows
    assert ["credits issued by", "Food bank", "180", "3.00"] in rows
    spent_at = [r for r in rows if r[0] == "credits spent at" and r[2] == "60"]
    assert spent_at and not spent_at[0][1].startswith("=")  # SafeCsvWriter neutralised it
