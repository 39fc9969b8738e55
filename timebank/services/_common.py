"""What every time bank service shares: the refusal people read, date and text checks, the
coordinator check, the prepared cursor of the hot paths and the emails."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.db import connection
from django.db.models import Field, ForeignObjectRel

from accounts.models import User
from accounts.roles import Role
from timebank.permissions import acts_for, is_coordinator
from wellbeing_hub.notifications import notify

MAX_EXCHANGE_MINUTES = 24 * 60
"""One exchange lasts at most a day; longer help is several exchanges (or a rota)."""
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)
"""Every date the time bank stores (exchanges, checks, rotas, report periods) lies in this range.
Dates such as 1 January of year 1 or 31 December 9999 are typing mistakes, and arithmetic on them
(a day either side, a time zone) would leave what Python's dates can hold."""
DATE_RANGE_TEXT = "between 1 January 1900 and 31 December 2099"


class TimebankRefused(Exception):
    """A request the time bank refuses, with a message for the person who made it.

    ``field``: the input the refusal is about, when there is one (the JSON API names it).
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def date_in_range(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def _require_date_in_range(day: date, what: str, *, field: str = "") -> None:
    if not date_in_range(day):
        raise TimebankRefused(f"{what} must be {DATE_RANGE_TEXT}.", field=field)


_NOT_ALLOWED_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def has_forbidden_characters(text: str) -> bool:
    """NUL bytes (PostgreSQL cannot store them) and lone surrogates (not valid Unicode text)."""
    return bool(_NOT_ALLOWED_CHARACTERS.search(text))


def _require_coordinator(user: User) -> None:
    if not is_coordinator(user):
        raise TimebankRefused("Only a time bank coordinator can do this.")


_acts_for = acts_for


def _prepared_cursor() -> Any:
    """A cursor for the few statements every exchange runs (token, locks, overlap, ledger entry).

    On PostgreSQL (psycopg 3) its parameters are bound by the server and each statement is
    prepared on the connection the first time it runs, so PostgreSQL parses and plans it once per
    connection instead of once per exchange. It is still Django's cursor wrapper (errors,
    logging, execute wrappers); the other queries keep Django's client-side binding. Elsewhere
    it is Django's usual cursor. (Behind a pooler in transaction mode, such as PgBouncer before
    1.21, prepared statements need the pooler's support for them.)
    """
    if connection.vendor != "postgresql" or _PreparingCursor is None:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # psycopg prepares nothing while the threshold is None (Django's default); out of reach,
        # it prepares only what is asked for: these statements, not every query run 5 times.
        raw.prepare_threshold = _NEVER_BY_ITSELF
    with connection.wrap_database_errors:
        # Django's own step wrapping a new cursor in its CursorWrapper (private, not in the stubs).
        return cast(Any, connection)._prepare_cursor(_PreparingCursor(raw))


def _column(field: Field[Any, Any] | ForeignObjectRel | None) -> str:
    """The quoted column name of a model's concrete field, for the statements written out as SQL
    (table and column names come from the models' metadata; every value is a parameter)."""
    column = getattr(field, "column", None)
    assert isinstance(column, str), f"{field!r} is not a concrete field with a column"
    return connection.ops.quote_name(column)


_NEVER_BY_ITSELF = 2**62


def _preparing_cursor_class() -> Any:
    try:
        from django.db.backends.postgresql.psycopg_any import is_psycopg3
    except ImportError:  # pragma: no cover - no PostgreSQL driver installed
        return None
    if not is_psycopg3:  # pragma: no cover - psycopg2: Django's usual cursor
        return None
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparingCursor


_PreparingCursor = _preparing_cursor_class()


def _link(name: str, *args: Any) -> str:
    """An absolute link to a time bank page for an email (``settings.SITE_URL`` when set)."""
    from django.urls import reverse

    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{reverse(name, args=args)}"


def _converted(model: type[Any], names: tuple[str, ...], values: Iterable[Any]) -> list[Any]:
    """Values of ``model``'s fields ``names`` read with a plain cursor, converted as the ORM
    converts them (on SQLite, for example, dates and times arrive as text)."""
    key = (connection.vendor, model._meta.label, names)
    converters = _CONVERTERS.get(key)
    if converters is None:
        converters = []
        for i, name in enumerate(names):
            field = model._meta.get_field(name)
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                converters.append((i, column, found))
        _CONVERTERS[key] = converters
    row = list(values)
    for i, column, found in converters:
        for convert in found:
            row[i] = convert(row[i], column, connection)
    return row


_CONVERTERS: dict[tuple[str, str, tuple[str, ...]], list[tuple[int, Any, list[Any]]]] = {}


def _coordinator_emails() -> list[str]:
    return list(
        User.objects.filter(groups__name__in=[Role.COORDINATOR], is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _notify(subject: str, body: str, recipients: list[str], kind: str) -> None:
    notify(subject, body, recipients, kind=kind)


def _notify_coordinators(subject: str, body: str) -> None:
    _notify(subject, body, _coordinator_emails(), "timebank_coordination")
