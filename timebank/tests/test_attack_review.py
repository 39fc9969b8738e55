"""Issue 11 (attack review of the time bank): each test failed on the code before its fix.

Requests closed through someone else's exchange, access needs shown to every member, the
personal-data export and erasure, CSV imports with impossible dates, formula cells in the report
CSV, and ids or dates out of range in pages and forms.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from directory.tests import factories as f
from timebank import personal_data, selectors
from timebank.models import Exchange, Member, Request
from timebank.services._common import TimebankRefused
from timebank.services.credits import issue_credits
from timebank.services.exchanges import decline_exchange, submit_exchange
from timebank.services.imports import import_exchanges, import_members
from timebank.services.members import record_check
from timebank.services.offers import close_request, create_request
from timebank.services.tokens import issue_api_token, user_for_token
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


def _open_request(member: Member, **fields: Any) -> Request:
    return create_request(
        member=member, title=fields.pop("title", "Lift to the clinic"), category=None, **fields
    )


# --- 1. an exchange fulfils only the receiver's own open request -------------------------------


def test_an_exchange_cannot_close_another_members_request() -> None:
    requester, helper, other = tb.member(), tb.member(), tb.member()
    req = _open_request(requester)
    with pytest.raises(TimebankRefused, match="request"):
        tb.exchange(helper, other, 60, req=req)  # other is not the requester
    with pytest.raises(TimebankRefused, match="request"):  # nor may the requester give for it
        tb.exchange(requester, helper, 60, req=req)
    coordinator = tb.coordinator()
    with pytest.raises(TimebankRefused, match="request"):
        submit_exchange(
            by=coordinator,
            giver=helper.pk,
            receiver=other.pk,
            minutes=30,
            start=tb.at(-3),
            idempotency_key="coord-1",
            req=req,
            confirm=True,
        )
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN and Exchange.objects.count() == 0
    # The requester's own exchange does arrange it.
    tb.exchange(helper, requester, 60, req=req)
    req.refresh_from_db()
    assert req.status == Request.Status.ARRANGED


def test_an_exchange_cannot_name_a_request_that_is_not_open() -> None:
    requester, helper = tb.member(), tb.member()
    req = _open_request(requester)
    close_request(by=requester.user, req=req)
    with pytest.raises(TimebankRefused, match="no longer open"):
        tb.exchange(helper, requester, 60, req=req)


def test_exchange_form_refuses_someone_elses_request(client: Client) -> None:
    requester, helper, other = tb.member(), tb.member(), tb.member()
    req = _open_request(requester)
    client.force_login(helper.user)
    page = client.post(
        reverse("timebank:exchange-new"),
        {
            "request": req.pk,
            "direction": "gave",
            "other": other.pk,
            "day": "2/3/2026",
            "start": "10:00",
            "hours": 1,
            "minutes": 0,
            "key": "k1",
        },
    )
    assert page.status_code == 200
    assert "only for" in page.content.decode() and Exchange.objects.count() == 0


def test_exchange_form_with_a_request_id_that_is_not_a_number(client: Client) -> None:
    client.force_login(tb.member().user)
    page = client.get(reverse("timebank:exchange-new") + "?request=abc")
    assert page.status_code == 404


def test_api_refuses_someone_elses_request(client: Client) -> None:
    requester, helper, other = tb.member(), tb.member(), tb.member()
    req = _open_request(requester)
    token = issue_api_token(user=tb.coordinator())
    response = client.post(
        reverse("timebank:api-exchanges"),
        json.dumps(
            {
                "idempotency_key": "x1",
                "giver": helper.pk,
                "receiver": other.pk,
                "minutes": 30,
                "start": tb.at(-1).isoformat(),
                "request": req.pk,
                "confirm": True,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["field"] == "request"
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN and Exchange.objects.count() == 0


# --- 4. access needs: the requester, coordinators and the helpers in an exchange for it --------


def test_request_access_needs_are_shown_only_to_those_who_need_them(client: Client) -> None:
    requester, helper, bystander = tb.member(), tb.member(), tb.member()
    req = _open_request(requester, access_needs="Needs a step-free car")
    url = reverse("timebank:request", args=[req.pk])
    client.force_login(bystander.user)
    page = client.get(url)
    assert page.status_code == 200 and "step-free" not in page.content.decode()
    client.force_login(requester.user)
    assert "step-free" in client.get(url).content.decode()
    client.force_login(tb.coordinator())
    assert "step-free" in client.get(url).content.decode()
    x = tb.exchange(helper, requester, 60, req=req, confirm=False)
    client.force_login(helper.user)
    assert "step-free" in client.get(url).content.decode()
    assert "step-free" in client.get(reverse("timebank:exchange", args=[x.pk])).content.decode()
    decline_exchange(by=requester.user, exchange=x)
    assert "step-free" not in client.get(url).content.decode()


# --- 5. the personal data export and erasure ---------------------------------------------------


def test_export_includes_request_access_needs_check_notes_and_tokens() -> None:
    member = tb.member(access_needs="Hearing loop")
    _open_request(member, access_needs="Needs a step-free car")
    record_check(
        coordinator=tb.coordinator(),
        member=member,
        kind="reference",
        checked_on=tb.at(-10).date(),
        notes="Reference from the GP surgery",
    )
    issue_api_token(user=member.user)
    data = json.dumps(personal_data.export(member.user))
    for held in ("Hearing loop", "Needs a step-free car", "Reference from the GP surgery"):
        assert held in data
    exported = personal_data.export(member.user)
    assert exported["requests"][0]["access_needs"] == "Needs a step-free car"
    assert exported["checks"][0]["notes"] == "Reference from the GP surgery"
    assert len(exported["api_tokens"]) == 1 and "expires_at" in exported["api_tokens"][0]
    personal_data.erase(member.user)
    data = json.dumps(personal_data.export(member.user))
    for held in ("Hearing loop", "Needs a step-free car", "Reference from the GP surgery"):
        assert held not in data
    assert personal_data.export(member.user)["api_tokens"] == []


# --- 6. CSV imports: every bad row reported, good rows kept ------------------------------------


def test_exchange_import_reports_impossible_dates_and_keeps_later_rows() -> None:
    coordinator = tb.coordinator()
    a, b = tb.member(by=coordinator), tb.member(by=coordinator)
    ga, gb = a.user.username, b.user.username
    data = (
        "giver,receiver,date,minutes,description,key\n"
        f"{ga},{gb},2025-06-01,30,First,\n"
        f"{ga},{gb},0001-01-01,30,Year one,\n"
        f"{ga},{gb},9999-12-31,30,Year 9999,\n"
        f"{ga},{gb},2025-06-02,30,{'x' * 301},\n"
        f"{ga},{gb},2025-06-03,30,Long key,{'k' * 200}\n"
        f"{ga},{gb},2025-06-04,30,Nul\x00byte,\n"
        f"{ga},{gb},2025-06-05,30,Last,\n"
    )
    report = import_exchanges(coordinator=coordinator, data=data.encode())
    assert report.created == 2
    assert [line for line, _ in report.errors] == [3, 4, 5, 6, 7]
    assert "between" in report.errors[0][1] and "between" in report.errors[1][1]
    assert "300" in report.errors[2][1] and "key" in report.errors[3][1]
    assert "character" in report.errors[4][1]
    assert Exchange.objects.filter(description="Last").exists()
    assert selectors.ledger_problems() == []


def test_member_import_reports_over_long_fields_and_bad_encodings() -> None:
    coordinator = tb.coordinator()
    data = (
        "username,email,name,kind,neighbourhood\n"
        f"{'u' * 200},long@example.org,Long Username,person,\n"
        f"ok1,ok1@example.org,{'n' * 151},person,\n"
        "ok2,not-an-email,Bad Email,person,\n"
        "nul\x00,nul@example.org,Nul,person,\n"
        "ok3,ok3@example.org,Fine,person,\n"
    )
    report = import_members(coordinator=coordinator, data=data.encode())
    assert report.created == 1
    assert [line for line, _ in report.errors] == [2, 3, 4, 5]
    assert "150" in report.errors[0][1] and "150" in report.errors[1][1]
    assert "email" in report.errors[2][1] and "character" in report.errors[3][1]
    latin1 = "username,email,name,kind,neighbourhood\nzoe,z@example.org,Zoë,person,\n"
    bad = import_members(coordinator=coordinator, data=latin1.encode("latin-1"))
    assert bad.created == 0 and bad.errors[0][0] == 2 and "UTF-8" in bad.errors[0][1]


def test_import_page_with_a_year_one_date_reports_it(client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    coordinator = tb.coordinator()
    a, b = tb.member(by=coordinator), tb.member(by=coordinator)
    data = (
        "giver,receiver,date,minutes,description\n"
        f"{a.user.username},{b.user.username},0001-01-01,30,Year one\n"
        f"{a.user.username},{b.user.username},2025-06-05,30,Later\n"
    )
    client.force_login(coordinator)
    page = client.post(
        reverse("timebank:import"),
        {"what": "exchanges", "file": SimpleUploadedFile("x.csv", data.encode())},
    )
    assert page.status_code == 200 and "Rows not imported" in page.content.decode()
    assert Exchange.objects.filter(description="Later").exists()


# --- 7. the report CSV neutralises formula cells -----------------------------------------------


def test_report_csv_escapes_formula_labels(client: Client) -> None:
    hood = f.neighbourhood("=HYPERLINK(1)")
    term = f.term("=cmd|' /C calc'!A0")
    a, b = tb.member(), tb.member(neighbourhood=hood)
    requester_req = _open_request(b)
    requester_req.category = term
    requester_req.save()
    tb.exchange(a, b, 60, req=requester_req)
    client.force_login(tb.coordinator())
    body = client.get(reverse("timebank:reports-csv")).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    labels = {(row[0], row[1]) for row in rows}
    assert ("category", "'=cmd|' /C calc'!A0") in labels
    assert ("neighbourhood", "'=HYPERLINK(1)") in labels


# --- the same classes elsewhere: ids and dates out of range in pages and forms -----------------


@pytest.mark.parametrize(
    "name",
    ["timebank:request", "timebank:exchange", "timebank:member", "timebank:rota"],
)
def test_ids_beyond_64_bits_are_not_found_not_errors(client: Client, name: str) -> None:
    client.force_login(tb.coordinator())
    assert client.get(reverse(name, args=[2**70])).status_code == 404


def test_api_confirm_with_an_id_beyond_64_bits(client: Client) -> None:
    token = issue_api_token(user=tb.coordinator())
    response = client.post(
        reverse("timebank:api-exchange-confirm", args=[2**70]),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("day", ["1/1/0001", "31/12/9999", "1/1/1"])
def test_exchange_form_refuses_dates_out_of_range(client: Client, day: str) -> None:
    a, b = tb.member(), tb.member()
    client.force_login(a.user)
    page = client.post(
        reverse("timebank:exchange-new"),
        {
            "direction": "gave",
            "other": b.pk,
            "day": day,
            "start": "23:00",
            "hours": 23,
            "minutes": 0,
            "key": "k",
        },
    )
    assert page.status_code == 200 and "between" in page.content.decode()
    assert Exchange.objects.count() == 0


@pytest.mark.parametrize(
    "dates", [("1/1/0001", "8/1/0001"), ("1/12/9999", "31/12/9999"), ("1/1/2026", "31/12/9999")]
)
def test_rota_form_refuses_dates_out_of_range(client: Client, dates: tuple[str, str]) -> None:
    client.force_login(tb.coordinator())
    page = client.post(
        reverse("timebank:rota-new"),
        {
            "title": "Lift",
            "weekday": "6",
            "start_time": "10:00",
            "duration_minutes": "60",
            "first_date": dates[0],
            "end_date": dates[1],
            "remind_days_before": "2",
        },
    )
    assert page.status_code == 200 and "between" in page.content.decode()


@pytest.mark.parametrize(
    "query", ["from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31"]
)
def test_reports_refuse_periods_out_of_range(client: Client, query: str) -> None:
    client.force_login(tb.coordinator())
    assert client.get(reverse("timebank:reports") + "?" + query).status_code == 400
    assert client.get(reverse("timebank:reports-csv") + "?" + query).status_code == 400


def test_check_form_refuses_dates_out_of_range(client: Client) -> None:
    m = tb.member()
    client.force_login(tb.coordinator())
    page = client.post(
        reverse("timebank:check-new", args=[m.pk]),
        {"kind": "dbs_basic", "checked_on": "1/1/0001", "expires_on": "31/12/9999"},
    )
    assert page.status_code == 200 and "between" in page.content.decode()
    assert m.checks.count() == 0


def test_audit_of_refused_exchange_is_not_written() -> None:
    requester, helper, other = tb.member(), tb.member(), tb.member()
    req = _open_request(requester)
    before = AuditEvent.objects.count()
    with pytest.raises(TimebankRefused):
        tb.exchange(helper, other, 60, req=req, confirm=False)
    assert AuditEvent.objects.count() == before


# --- 3. API tokens: members and coordinators see and revoke them, audited ----------------------


def test_member_sees_creates_and_revokes_their_tokens(client: Client) -> None:
    from timebank.models import ApiToken

    member = tb.member()
    client.force_login(member.user)
    page = client.post(reverse("timebank:tokens"))
    html = page.content.decode()
    row = ApiToken.objects.get(user=member.user)
    shown = html.split('id="new-token">')[1].split("<")[0]
    assert user_for_token(shown) == member.user and row.token_hash != shown
    assert "Active" in html and "Never" in html and "Revoke" in html
    assert AuditEvent.objects.filter(
        actor=member.user, action="create", object_type="timebank.apitoken"
    ).exists()
    # Another member can neither see nor revoke it.
    intruder = tb.member()
    client.force_login(intruder.user)
    assert "You have no API tokens" in client.get(reverse("timebank:tokens")).content.decode()
    assert client.post(reverse("timebank:token-revoke", args=[row.pk])).status_code == 404
    assert user_for_token(shown) == member.user
    client.force_login(member.user)
    client.post(reverse("timebank:token-revoke", args=[row.pk]))
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == member.user
    assert user_for_token(shown) is None
    assert "Revoked" in client.get(reverse("timebank:tokens")).content.decode()
    assert AuditEvent.objects.filter(
        actor=member.user, action="update", object_type="timebank.apitoken", subject=member.user
    ).exists()


def test_coordinator_sees_and_revokes_anyones_token(client: Client) -> None:
    from timebank.models import ApiToken

    member = tb.member(name="Dee")
    token = issue_api_token(user=member.user)
    coordinator = tb.coordinator()
    client.force_login(coordinator)
    html = client.get(reverse("timebank:tokens")).content.decode()
    assert member.user.get_full_name() in html
    row = ApiToken.objects.get(user=member.user)
    client.post(reverse("timebank:token-revoke", args=[row.pk]))
    assert user_for_token(token) is None
    assert AuditEvent.objects.filter(
        actor=coordinator, action="update", object_type="timebank.apitoken", subject=member.user
    ).exists()


def test_people_who_are_not_members_cannot_create_tokens(client: Client) -> None:
    client.force_login(f.user())
    assert client.post(reverse("timebank:tokens")).status_code == 403
    applicant = tb.member(approved=False)
    client.force_login(applicant.user)
    assert client.post(reverse("timebank:tokens")).status_code == 403


# --- the same classes elsewhere: numbers too large for the ledger, dates at the ends of time ----


def test_credits_form_refuses_more_hours_than_the_ledger_holds(client: Client) -> None:
    org = tb.member(kind="service", name="Food bank")
    member = tb.member()
    client.force_login(org.user)
    page = client.post(
        reverse("timebank:credits", args=["issue"]),
        {"member": member.pk, "hours": str(10**12), "minutes": "0", "reason": "Thanks", "key": "k"},
    )
    assert page.status_code == 200 and "1000 or fewer" in page.content.decode()
    assert selectors.balance_of(member) == 300
    with pytest.raises(TimebankRefused, match="at most"):
        issue_credits(
            by=org.user,
            organisation=org,
            member=member,
            minutes=2**40,
            reason="Thanks",
            idempotency_key="big",
        )


def test_confirmed_minutes_takes_the_last_day_python_has() -> None:
    from datetime import date

    member = tb.member()
    assert selectors.confirmed_minutes(member.user, start=date.min, end=date.max) == 0
    assert selectors.exchange_records(date.min, date.max) == []
