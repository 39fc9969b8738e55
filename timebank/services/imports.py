"""Members and past exchanges imported from CSV files by a coordinator."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DataError, transaction
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from directory import selectors as directory_selectors
from timebank.models import Member
from timebank.services._common import (
    TimebankRefused,
    _require_coordinator,
    _require_date_in_range,
    has_forbidden_characters,
)
from timebank.services.exchanges import propose_exchange
from timebank.services.members import apply_to_join, approve_member


@dataclass
class ImportReport:
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        problems = len(self.errors)
        return (
            f"{self.created} row{'s' if self.created != 1 else ''} imported; "
            f"{problems} row{'s' if problems != 1 else ''} with problems."
        )


MEMBER_COLUMNS = ("username", "email", "name", "kind", "neighbourhood")
EXCHANGE_COLUMNS = ("giver", "receiver", "date", "minutes", "description")
IMPORT_KEY_LENGTH = 100 - len("import:")


class _FileProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _rows(
    data: bytes | str, required: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    """The file's rows with their line numbers, and problems that stop rows being read at all.

    A file that is not UTF-8 is refused whole, naming the first line that is not (its rows cannot
    be told apart reliably). A row with a NUL character is reported and left out; a line the CSV
    reader cannot read ends the reading, reported with the lines after it.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise _FileProblem(
                line, f"Line {line} is not UTF-8 text. Save the file as CSV in UTF-8 and try again."
            ) from None
    else:
        text = data
    reader = csv.DictReader(io.StringIO(text))
    try:
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        raise _FileProblem(1, f"The first line could not be read as CSV: {error}.") from None
    missing = [c for c in required if c not in headers]
    if missing:
        raise _FileProblem(
            1, f"The first line must name the columns; missing: {', '.join(missing)}."
        )
    reader.fieldnames = headers
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[tuple[int, str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(
                (
                    reader.line_num,
                    f"This line could not be read as CSV ({error}); it and the lines after it "
                    "were not imported.",
                )
            )
            break
        cleaned = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str) and k}
        bad = [k for k, v in cleaned.items() if has_forbidden_characters(v)]
        if bad:
            problems.append(
                (reader.line_num, f"The {bad[0]} column contains a character that is not allowed.")
            )
            continue
        rows.append((reader.line_num, cleaned))
    return rows, problems


def _import_rows(
    data: bytes | str, required: tuple[str, ...], report: ImportReport
) -> list[tuple[int, dict[str, str]]]:
    try:
        rows, problems = _rows(data, required)
    except _FileProblem as problem:
        report.errors.append((problem.line, problem.message))
        return []
    report.errors.extend(problems)
    return rows


def _check_length(value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        raise TimebankRefused(f"{what} must be {limit} characters or fewer.")


def _check_member_row(row: dict[str, str]) -> None:
    """Over-long or malformed values are refused, never cut short or passed to the database."""
    username_field = User._meta.get_field("username")
    username = row.get("username", "")
    _check_length(username, username_field.max_length or 150, "The username")
    try:
        username_field.run_validators(username)
    except ValidationError as error:
        raise TimebankRefused(f"The username is not allowed: {' '.join(error.messages)}") from None
    email = row.get("email", "")
    if email:
        _check_length(email, User._meta.get_field("email").max_length or 254, "The email address")
        try:
            validate_email(email)
        except ValidationError:
            raise TimebankRefused(f"'{email}' is not an email address.") from None
    _check_length(row.get("name", ""), Member._meta.get_field("name").max_length or 150, "The name")


def import_members(*, coordinator: User, data: bytes | str) -> ImportReport:
    """Members from CSV (username, email, name, kind, neighbourhood), approved on import.

    Each good row is kept even when others fail; every bad row is reported with its line number.
    """
    _require_coordinator(coordinator)
    report = ImportReport()
    rows = _import_rows(data, MEMBER_COLUMNS, report)
    hoods = {n.slug: n for n in directory_selectors.neighbourhoods()}
    hoods |= {n.name.lower(): n for n in hoods.values()}
    for line, row in rows:
        try:
            with transaction.atomic():
                username = row.get("username", "")
                if not username:
                    raise TimebankRefused("Enter a username.")
                _check_member_row(row)
                if User.objects.filter(username=username).exists():
                    raise TimebankRefused(f"There is already an account called '{username}'.")
                kind = (row.get("kind") or "person").lower()
                if kind not in Member.Kind.values:
                    raise TimebankRefused(
                        f"Kind must be one of {', '.join(Member.Kind.values)}, not '{kind}'."
                    )
                hood_name = row.get("neighbourhood", "")
                hood = hoods.get(hood_name.lower()) if hood_name else None
                if hood_name and hood is None:
                    raise TimebankRefused(f"There is no neighbourhood called '{hood_name}'.")
                if not row.get("name"):
                    raise TimebankRefused("Enter the member's name.")
                user = User.objects.create_user(
                    username=username, email=row.get("email", ""), display_name=row["name"]
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
                member = apply_to_join(user=user, kind=kind, name=row["name"], neighbourhood=hood)
                approve_member(coordinator=coordinator, member=member)
                report.created += 1
        except TimebankRefused as error:
            report.errors.append((line, error.message))
        except DataError:
            report.errors.append((line, "A value in this row is too long or not allowed."))
    report.errors.sort(key=lambda e: e[0])
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.CREATE,
        object_type="timebank.member",
        summary=f"Imported members: {report.summary()}",
    )
    return report


def import_exchanges(*, coordinator: User, data: bytes | str) -> ImportReport:
    """Past exchanges from CSV (giver, receiver by username; date YYYY-MM-DD; minutes;
    description; optional key). Recorded as confirmed by the coordinator; idempotent per key.

    Each good row is kept even when others fail; every bad row is reported with its line number.
    """
    _require_coordinator(coordinator)
    report = ImportReport()
    rows = _import_rows(data, EXCHANGE_COLUMNS, report)
    members = {
        m.user.username: m
        for m in Member.objects.select_related("user").filter(user__is_active=True)
    }
    for line, row in rows:
        try:
            giver = members.get(row.get("giver", ""))
            receiver = members.get(row.get("receiver", ""))
            if giver is None:
                raise TimebankRefused(f"There is no member '{row.get('giver', '')[:150]}'.")
            if receiver is None:
                raise TimebankRefused(f"There is no member '{row.get('receiver', '')[:150]}'.")
            try:
                day = date.fromisoformat(row.get("date", ""))
            except ValueError:
                raise TimebankRefused(
                    "Enter the date as YYYY-MM-DD, for example 2026-03-04."
                ) from None
            _require_date_in_range(day, "The date")
            text = row.get("minutes", "")
            if not re.fullmatch(r"-?[0-9]{1,9}", text):
                raise TimebankRefused("Minutes must be a whole number, for example 90.")
            minutes = int(text)
            description = row.get("description", "")
            _check_length(description, 300, "The description")
            _check_length(row.get("key", ""), IMPORT_KEY_LENGTH, "The key")
            start = timezone.make_aware(datetime.combine(day, time(9)))
            key = (
                row.get("key")
                or hashlib.sha256(
                    f"{giver.pk}|{receiver.pk}|{day}|{minutes}|{description}".encode()
                ).hexdigest()[:40]
            )
            propose_exchange(
                by=coordinator,
                giver=giver,
                receiver=receiver,
                minutes=minutes,
                start=start,
                idempotency_key=f"import:{key}",
                description=description,
                confirm=True,
            )
            report.created += 1
        except TimebankRefused as error:
            report.errors.append((line, error.message))
        except DataError:
            report.errors.append((line, "A value in this row is too long or not allowed."))
    report.errors.sort(key=lambda e: e[0])
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.CREATE,
        object_type="timebank.exchange",
        summary=f"Imported exchanges: {report.summary()}",
    )
    return report
