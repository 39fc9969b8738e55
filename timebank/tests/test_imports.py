"""CSV imports of members and past exchanges: good rows kept, bad rows reported with line numbers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from directory.tests import factories as f
from timebank import selectors
from timebank.models import Exchange, Member
from timebank.services.imports import import_exchanges, import_members
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db

MEMBERS = """username,email,name,kind,neighbourhood
ann,ann@example.org,Ann Example,person,Millbrook
,nobody@example.org,No Username,person,
bob,bob@example.org,Bob Example,robot,
art,art@example.org,Art Club,group,Atlantis
cat,cat@example.org,Cat Example,,millbrook
"""


def test_member_import_keeps_good_rows_and_reports_bad_ones_with_line_numbers() -> None:
    f.neighbourhood("Millbrook")
    report = import_members(coordinator=tb.coordinator(), data=MEMBERS.encode())
    assert report.created == 2
    assert report.errors == [
        (3, "Enter a username."),
        (4, "Kind must be one of person, service, group, venue, not 'robot'."),
        (5, "There is no neighbourhood called 'Atlantis'."),
    ]
    ann = Member.objects.get(user__username="ann")
    assert ann.is_approved and ann.neighbourhood is not None
    assert ann.neighbourhood.name == "Millbrook"
    assert selectors.balance_of(ann) == 300
    again = import_members(coordinator=tb.coordinator(), data=MEMBERS.encode())
    assert again.created == 0 and (2, "There is already an account called 'ann'.") in again.errors


def test_exchange_import_is_idempotent_and_reports_bad_rows() -> None:
    coordinator = tb.coordinator()
    a, b = tb.member(by=coordinator), tb.member(by=coordinator)
    data = (
        "giver,receiver,date,minutes,description\n"
        f"{a.user.username},{b.user.username},2025-06-01,90,Gardening\n"
        f"{a.user.username},nobody,2025-06-02,60,Shopping\n"
        f"{a.user.username},{b.user.username},02/06/2025,60,Shopping\n"
        f"{a.user.username},{b.user.username},2025-06-03,0,Nothing\n"
        f"{a.user.username},{b.user.username},2025-06-04,lots,Nothing\n"
        f"{b.user.username},{a.user.username},2025-06-05,30,Tea\n"
    )
    report = import_exchanges(coordinator=coordinator, data=data)
    assert report.created == 2
    assert [line for line, _ in report.errors] == [3, 4, 5, 6]
    assert "no member 'nobody'" in report.errors[0][1]
    assert "YYYY-MM-DD" in report.errors[1][1]
    assert "more than zero" in report.errors[2][1]
    assert "whole number" in report.errors[3][1]
    assert selectors.balance_of(a) == 300 + 90 - 30
    again = import_exchanges(coordinator=coordinator, data=data)
    assert again.created == 2 and Exchange.objects.count() == 2  # recorded once
    assert selectors.ledger_problems() == []


def test_missing_columns_are_reported_on_line_one() -> None:
    report = import_exchanges(coordinator=tb.coordinator(), data="who,when\nx,y\n")
    assert report.created == 0 and report.errors[0][0] == 1 and "missing" in report.errors[0][1]


def test_import_page_shows_the_report(client: Client) -> None:
    client.force_login(tb.coordinator())
    upload = SimpleUploadedFile("members.csv", MEMBERS.encode(), content_type="text/csv")
    html = client.post(
        reverse("timebank:import"), {"what": "members", "file": upload}
    ).content.decode()
    assert "Rows not imported" in html and "Enter a username." in html
