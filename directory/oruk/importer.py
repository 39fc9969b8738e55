"""Import Open Referral UK JSON feeds (3.0, and the older 1.0) into the directory.

``import_paths`` takes files and folders of page files. A file may hold a page of services (3.0
``contents`` or 1.0 ``content``), one fully nested service, or a JSON array of services.

**What is kept.** Each service record is written in its own transaction, with everything it
carries (its organisation's details, places, schedules, contacts…) and its search words: a record
is kept whole or not at all. A record that cannot be kept is reported with where it is (file, page,
position, id) and why, and the others are kept; whatever goes wrong with one record (bad values,
the database refusing it, a bug) never stops the import. ``ImportReport`` counts what was created
and updated, lists the ids kept (``kept``) and every record not kept (``errors``). A file that is
not JSON at all is reported as a whole; one whose JSON is nested too deep for the parser (or holds
a number too long to read) is read record by record, so only the records at fault are refused.
An interrupted import (Ctrl-C) reports what was kept before it stopped.

**What a record may hold.** Text must be valid Unicode (no lone surrogates, no bytes that are not
UTF-8), and at most ``directory.models.MAX_TEXT_CHARS`` (10,000) characters in a free-text field
(names and other short fields have their columns' limits); a record over a limit is refused,
naming the record and field. Names
and other one-line fields are made one line (line breaks, tabs and control characters become
spaces); descriptions keep their line breaks and lose other control characters
(``directory.text``). Ids may not hold control characters. A record nested more than
``MAX_DEPTH`` levels deep is refused. Numbers may have at most 15 digits before the point.

**Matching and who may change what.** Records are matched by their HSDS id, so importing a feed
again updates rather than duplicates: a service's one-to-one fields are set from the record, and
each list the record carries (schedules, locations, contacts, languages, cost options, service
areas, phones, attributes) replaces the service's rows of that kind. Organisations, taxonomies and
taxonomy terms are updated in place, by id. A service's publisher is its organisation: a record
updates an existing service only when it names the organisation the service already belongs to.
A record that reuses the id of another organisation's service is refused, and that service keeps
its organisation and its details (a feed cannot move a service, or take over another publisher's
listing, by reusing its id); if a service really has moved, a coordinator changes its organisation
in the admin and the feed then updates it. Likewise a place (location) that belongs to another
organisation is linked to as it is, never changed by this record. A record whose
``organization_id`` and ``organization.id`` differ is refused. Child rows (contacts, phones,
schedules…) keep the rule that their ids may not belong to another record.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Model

from directory import search_index
from directory.html import sanitise
from directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Neighbourhood,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from directory.oruk import v1
from directory.services.search_words import refresh_search_documents, search_document_for
from directory.text import has_control_characters, has_surrogates, multi_line, one_line

logger = logging.getLogger(__name__)

Record = dict[str, Any]
MAX_DEPTH = 32  # a fully nested ORUK 3.0 service is about 7 deep
MAX_NUMBER_CHARS = 40
MAX_INTEGER_DIGITS = 15
TAXONOMY_NAMESPACE = uuid.UUID("5b0c3c57-4d0a-4c43-a5a8-3e5d2bb3a0f4")
# Services a feed gives without an organisation are kept under this clearly named record.
ORGANISATION_NOT_GIVEN_ID = "wellbeing-hub-organisation-not-given"
ORGANISATION_NOT_GIVEN_NAME = "Organisation not given by the publisher"
COUNTRIES = {
    "united kingdom": "GB",
    "uk": "GB",
    "england": "GB",
    "great britain": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
}


class RecordProblem(ValueError):
    """Why one record cannot be imported, in words for the person running the import."""


@dataclass(frozen=True)
class Note:
    """Something done to one field of a record that was kept: a value repaired (``repaired``,
    the record went in whole) or a field set aside (``dropped``, the record went in without it)."""

    field: str
    problem: str
    action: str
    kind: str = "repaired"  # or "dropped"


_notes: ContextVar[list[Note] | None] = ContextVar("oruk_import_notes", default=None)


def _note(field_name: str, problem: str, action: str, kind: str = "repaired") -> None:
    notes = _notes.get()
    if notes is not None:
        notes.append(Note(field_name, problem, action, kind))


@dataclass(frozen=True)
class ImportProblem:
    """One file or record that was not imported: where it is, and why."""

    file: str
    reason: str
    page: int | None = None
    index: int | None = None
    record_id: str = ""
    field: str = ""
    action: str = "not imported"
    # "error": the record (or file) was not kept; "dropped": kept without this field;
    # "repaired": kept with the value repaired; "withdrawn": the publisher dropped the service.
    severity: str = "error"
    record_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        """One row of the machine-readable report."""
        return {
            "file": self.file,
            "page": self.page,
            "position": None if self.index is None else self.index + 1,
            "record": self.record_id,
            "name": self.record_name,
            "field": self.field,
            "problem": self.reason,
            "action": self.action,
            "severity": self.severity,
        }

    def __str__(self) -> str:
        where = [self.file]
        if self.page is not None:
            where.append(f"page {self.page}")
        if self.index is not None:
            where.append(f"record {self.index + 1}")
        if self.record_id:
            where.append(f"id {self.record_id}")
        if self.field:
            where.append(self.field)
        text = f"{', '.join(where)}: {self.reason}"
        if self.severity != "error":
            text += f" ({self.action})"
        # Printable whatever the feed held: a lone surrogate would fail to print.
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    failed: int = 0
    files: int = 0
    errors: list[ImportProblem] = field(default_factory=list)  # records and files not kept
    warnings: list[ImportProblem] = field(default_factory=list)  # repairs, fields set aside
    kept: list[str] = field(default_factory=list)  # ids of the services created or updated
    seen: list[str] = field(default_factory=list)  # every service id read, kept or not
    withdrawn: list[str] = field(default_factory=list)  # services the publisher dropped
    unusable_files: int = 0
    interrupted: bool = False

    @property
    def dropped_fields(self) -> int:
        return sum(1 for w in self.warnings if w.severity == "dropped")

    @property
    def repaired(self) -> int:
        return sum(1 for w in self.warnings if w.severity == "repaired")

    @property
    def exit_status(self) -> int:
        """0 everything went in (repairs included), 1 some records or fields were set aside,
        2 a file could not be used at all (or the import was interrupted)."""
        if self.unusable_files or self.interrupted:
            return 2
        if self.failed or self.errors or self.dropped_fields:
            return 1
        return 0

    def summary(self) -> str:
        text = (
            f"Read {self.files} file{'s' if self.files != 1 else ''}: "
            f"{self.created} services created, {self.updated} updated, {self.failed} failed"
            f"; {self.repaired} value{'s' if self.repaired != 1 else ''} repaired, "
            f"{self.dropped_fields} field{'s' if self.dropped_fields != 1 else ''} set aside"
        )
        if self.withdrawn:
            text += f"; {len(self.withdrawn)} no longer in the feed, marked inactive"
        if self.unusable_files:
            text += (
                f"; {self.unusable_files} file{'s' if self.unusable_files != 1 else ''} unusable"
            )
        text += "."
        if self.interrupted:
            text += " Interrupted: the services counted above were kept; later records not read."
        return text

    def problems(self) -> list[ImportProblem]:
        return [*self.errors, *self.warnings]

    def as_dict(self) -> dict[str, Any]:
        """The machine-readable report (``--report``)."""
        return {
            "summary": self.summary(),
            "exit_status": self.exit_status,
            "files": self.files,
            "created": self.created,
            "updated": self.updated,
            "not_imported": self.failed,
            "repaired": self.repaired,
            "fields_set_aside": self.dropped_fields,
            "withdrawn": self.withdrawn,
            "interrupted": self.interrupted,
            "problems": [p.as_dict() for p in self.problems()],
        }


# --- reading files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadRecord:
    """A record of a file that could not be read as JSON on its own (the rest of the file could)."""

    reason: str
    record_id: str = ""


@dataclass(frozen=True)
class Salvaged:
    """A file read record by record (see ``_salvage``): its records, bad ones as ``BadRecord``."""

    records: list[Any]
    page: int | None
    v1_page: bool


def _natural_key(path: Path) -> list[Any]:
    """page-2.json before page-10.json. Only ASCII digits count as a number ("²" is a digit to
    ``isdigit`` but not to ``int``)."""
    parts = re.split(r"([0-9]+)", path.name)
    return [(0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p.lower()) for p in parts]


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                (p for p in path.iterdir() if p.suffix.lower() == ".json" and p.is_file()),
                key=_natural_key,
            )
        else:
            yield path


def _parse_int(text: str) -> int | Decimal:
    """JSON integers: Python refuses to read one of more than 4,300 digits (a ValueError that
    would abort the file), so a long one is kept as a Decimal for ``_number`` to refuse."""
    return int(text) if len(text) <= 100 else Decimal(text)


def _json(text: str) -> Any:
    return json.loads(text, parse_int=_parse_int)


def _load(path: Path) -> Any:
    """The file's JSON (or a ``Salvaged`` file), or RecordProblem saying why it cannot be read."""
    if not path.is_file():
        raise RecordProblem("no such file")
    size = path.stat().st_size
    limit = settings.MAX_IMPORT_BYTES
    if size > limit:
        raise RecordProblem(
            f"the file is {size / 1_048_576:.1f} MB, over the {limit / 1_048_576:.1f} MB limit "
            "(MAX_IMPORT_BYTES); split the feed into page files"
        )
    raw = path.read_bytes()
    try:
        text, utf8 = raw.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        # Bytes that are not UTF-8 become lone surrogates (which ``_text`` refuses), so only the
        # records holding them fail; a file that is not text at all fails to parse below.
        text, utf8 = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape"), False
    try:
        return _json(text)
    except RecursionError:
        return _salvage(text)
    except json.JSONDecodeError as error:
        if not utf8:
            raise RecordProblem("this is not a JSON file (it is not UTF-8 text)") from None
        raise RecordProblem(
            f"this is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except ValueError as error:  # from a parse hook: a number Python cannot hold
        raise RecordProblem(f"this JSON cannot be read ({str(error)[:200]})") from None


# Strings (with their escapes) and the punctuation that gives JSON its structure.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[][{}:,]')
_ID = re.compile(r'"id"\s*:\s*"((?:[^"\\]|\\.){1,250})"')


def _salvage(text: str) -> Salvaged:
    """A file Python's JSON parser cannot read whole because something in it is nested too deep
    (the parser recurses, and raises RecursionError): find each record's text without parsing
    (one pass over the strings and brackets), then parse the records one by one, so the records
    nested too deep are refused and the others kept."""
    depth = 0
    top = ""  # "[" or "{": what the file is
    key = ""  # the last key read at depth 1 of a top-level object
    array_depth = 0  # the depth of the records' array once found
    v1_page = False
    page: int | None = None
    spans: list[tuple[int, int]] = []
    start = value_start = 0
    previous = ""
    for match in _TOKENS.finditer(text):
        mark = match.group()
        if mark in "[{":
            if depth == 0:
                top = mark
                if mark == "[":
                    array_depth, start = 1, match.end()
            elif depth == 1 and top == "{" and mark == "[" and key in ("contents", "content"):
                array_depth, start, v1_page = 2, match.end(), key == "content"
            depth += 1
        elif mark in "]}":
            if depth == array_depth and mark == "]":
                if text[start : match.start()].strip():
                    spans.append((start, match.start()))
                array_depth = -1  # done: one records array per file
            elif depth == 1 and mark == "}":
                page = _page_number(text, key, value_start, match.start(), page)
            depth -= 1
        elif mark == ",":
            if depth == array_depth:
                spans.append((start, match.start()))
                start = match.end()
            elif depth == 1:
                page = _page_number(text, key, value_start, match.start(), page)
        elif mark == ":" and depth == 1 and previous.startswith('"'):
            key, value_start = previous[1:-1], match.end()
        previous = mark
    if array_depth == 0:
        raise RecordProblem(
            f"this file is nested more than {MAX_DEPTH} levels deep and is not an Open Referral "
            "UK page or list of services"
        )
    records: list[Any] = []
    for begin, end in spans:
        chunk = text[begin:end]
        try:
            records.append(_json(chunk))
        except RecursionError:
            found = _ID.search(chunk[:2000])
            records.append(
                BadRecord(
                    f"the record is nested more than {MAX_DEPTH} levels deep",
                    found.group(1) if found else "",
                )
            )
        except ValueError as error:
            records.append(BadRecord(f"this record is not valid JSON ({str(error)[:200]})"))
    return Salvaged(records, page, v1_page)


def _page_number(text: str, key: str, start: int, end: int, page: int | None) -> int | None:
    """The page number, when the value just read (``text[start:end]``) is a page's number."""
    value = text[start:end].strip()
    if key in ("page_number", "number") and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return page


def _records(data: Any) -> tuple[list[Any], int | None, bool]:
    """The service records in a file's JSON, its page number if it is a page, and whether it is
    an ORUK 1.0 page."""
    if isinstance(data, Salvaged):
        return data.records, data.page, data.v1_page
    if isinstance(data, list):
        return data, None, False
    if isinstance(data, dict):
        if isinstance(data.get("contents"), list):
            page = data.get("page_number")
            return data["contents"], page if isinstance(page, int) else None, False
        if isinstance(data.get("content"), list):
            page = data.get("number")
            return data["content"], page if isinstance(page, int) else None, True
        if "id" in data and "name" in data:
            return [data], None, False
    raise RecordProblem(
        "this is not an Open Referral UK feed: expected a page with 'contents' (3.0) or "
        "'content' (1.0), a service, or a list of services"
    )


def _too_deep(record: Any) -> str | None:
    """Where the record is nested more than MAX_DEPTH levels deep (a path like
    ``service_at_locations[0].location``), or None. Walked without recursion."""
    stack: list[tuple[Any, int, str]] = [(record, 1, "")]
    while stack:
        value, depth, where = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            return where or "the record"
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, dict | list):
                path = f"{where}[{key}]" if isinstance(value, list) else f"{where}.{key}"
                stack.append((item, depth + 1, path.removeprefix(".")))
    return None


def _shown(value: Any) -> str:
    """A value in an error message: its repr, cut short (a message must not be megabytes)."""
    text = (
        repr(value)
        if isinstance(value, str | int | float | Decimal | bool)
        else type(value).__name__
    )
    return text if len(text) <= 60 else text[:57] + "…"


# --- values -------------------------------------------------------------------------------------


def _text(record: Record, key: str, *, required: bool = False) -> str:
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise RecordProblem(f"{key} is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise RecordProblem(f"{key} must be text, not {type(value).__name__}")
    text = str(value)
    if has_surrogates(text):
        raise RecordProblem(
            f"{key} holds text that is not valid Unicode (a lone surrogate, or bytes that are "
            "not UTF-8)"
        )
    return text.strip()


_DOMAIN = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}(?:[/?#:].*)?$",
    re.I,
)
_SCHEME_NO_SLASHES = re.compile(r"^(https?):/{0,1}(?!/)", re.I)
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")


def _url(record: Record, key: str) -> str:
    """A web address, repaired where the repair is sure (each repair noted): a missing scheme
    added ("www.example.org", "example.org/page"), a scheme without its slashes completed
    ("http:www.…"), an upper-case scheme lowered, a Facebook redirect link replaced by the address
    it leads to."""
    original = _text(record, key)
    value = _INVISIBLE.sub("", original).strip()
    if not value:
        return ""
    if _SCHEME_NO_SLASHES.match(value):
        value = _SCHEME_NO_SLASHES.sub(lambda m: m.group(1).lower() + "://", value, count=1)
    scheme, sep, rest = value.partition("://")
    if sep and scheme.lower() in ("http", "https") and scheme != scheme.lower():
        value = scheme.lower() + "://" + rest
    if not sep and _DOMAIN.match(value):
        value = "https://" + value
    unwrapped = _unwrap_redirect(value)
    if value != original:
        action = "scheme added" if "://" not in original else "address repaired"
        _note(key, f"web address {_shown(original)} was not a full address", f"{action}: {value}")
    if unwrapped != value:
        _note(
            key,
            "web address was a Facebook redirect link",
            f"replaced by the address it leads to: {unwrapped}",
        )
    return unwrapped


def _unwrap_redirect(value: str) -> str:
    parts = urlsplit(value) if value.startswith(("http://", "https://")) else None
    if parts is None or parts.hostname not in ("l.facebook.com", "lm.facebook.com"):
        return value
    target = parse_qs(parts.query).get("u", [""])[0]
    return target if target.startswith(("http://", "https://")) else value


def _email(record: Record, key: str) -> str:
    """An email address, repaired where sure (noted): invisible characters and a "mailto:" taken
    off, a trailing dot removed."""
    original = _text(record, key)
    value = _INVISIBLE.sub("", original).strip()
    if value.lower().startswith("mailto:"):
        value = value[7:].strip()
    value = value.rstrip(".").strip()
    if value != original:
        _note(
            key, f"email address {_shown(original)} had characters around it", f"repaired: {value}"
        )
    return value


def _id(record: Record, *, what: str, required: bool = False, key: str = "id") -> str:
    value = _text(record, key)
    if not value:
        if required:
            raise RecordProblem(f"the {what} has no id")
        return str(uuid.uuid4())
    if has_control_characters(value):
        raise RecordProblem(
            f"the {what} id {_shown(value)} holds a line break or control character"
        )
    if len(value) > 250:
        raise RecordProblem(f"the {what} id is {len(value):,} characters long; the most is 250")
    return value


def _number(record: Record, key: str) -> Decimal | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise RecordProblem(f"{key} must be a number, not {_shown(value)}")
    text = str(value).strip()
    try:
        if len(text) > MAX_NUMBER_CHARS:
            raise InvalidOperation(text)
        number = Decimal(text)
    except InvalidOperation:
        raise RecordProblem(f"{key} must be a number, not {_shown(value)}") from None
    if not number.is_finite():
        raise RecordProblem(f"{key} must be a number, not {_shown(value)}")
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        raise RecordProblem(f"{key} is too large: {_shown(value)}")
    return number


def _whole(record: Record, key: str) -> int | None:
    number = _number(record, key)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise RecordProblem(f"{key} must be a whole number, 0 or more, not {_shown(record[key])}")
    return int(number)


def _optional(read: Any, record: Record, key: str) -> Any:
    """An optional value read with ``read``; a wrong one is set aside with a note, not the
    record."""
    try:
        return read(record, key)
    except RecordProblem as problem:
        _note(key, str(problem), "field set aside; the record was imported without it", "dropped")
        return None


def _flag(record: Record, key: str) -> bool | None:
    """True, False, or None when the record does not say (not known)."""
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "yes", "no", "1", "0"}:
        return value.strip().lower() in {"true", "yes", "1"}
    raise RecordProblem(f"{key} must be true or false, not {_shown(value)}")


def _date(record: Record, key: str) -> date | None:
    raw = _text(record, key)
    if not raw:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw[:10], pattern).date()
        except ValueError:
            continue
    raise RecordProblem(f"{key} must be a date like 2026-01-31, not {_shown(raw)}")


def _time(record: Record, key: str) -> time | None:
    raw = _text(record, key)
    if not raw:
        return None
    try:
        return time.fromisoformat(raw.removesuffix("Z")).replace(tzinfo=None)
    except ValueError:
        raise RecordProblem(f"{key} must be a time of day like 09:30, not {_shown(raw)}") from None


def _coordinate(record: Record, key: str, limit: int) -> Decimal | None:
    number = _number(record, key)
    if number is None:
        return None
    if not -limit <= number <= limit:
        raise RecordProblem(f"{key} {number} is outside -{limit} to {limit}")
    return number.quantize(Decimal("0.000001"))


def _items(record: Record, key: str) -> list[Record]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RecordProblem(f"{key} must be a list of objects")
    return value


def _object(record: Record, key: str) -> Record | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordProblem(f"{key} must be an object")
    return value


def _clean_text(obj: Model, where: str) -> None:
    """Names and other short fields made one line, long text given plain line breaks
    (``directory.text``); text that cannot be stored at all refused, naming the field."""
    for model_field in obj._meta.concrete_fields:
        if model_field.primary_key or model_field.is_relation or not model_field.editable:
            continue
        if not isinstance(model_field, models.CharField | models.TextField):
            continue
        value = getattr(obj, model_field.attname)
        if not isinstance(value, str):
            continue
        if has_surrogates(value):
            raise RecordProblem(
                f"{where}: {model_field.name} holds text that is not valid Unicode (a lone "
                "surrogate, or bytes that are not UTF-8)"
            )
        limit = model_field.max_length
        if limit is not None and len(value) > 2 * limit:  # not worth cleaning: far too long
            problem = (
                f"{model_field.name} is {len(value):,} characters long; the most kept is {limit:,}"
            )
            if not model_field.blank:
                raise RecordProblem(f"{where}: {problem}")
            _note(f"{where}.{model_field.name}", problem, "field set aside", "dropped")
            setattr(obj, model_field.attname, model_field.get_default())
            continue
        clean = multi_line if isinstance(model_field, models.TextField) else one_line
        setattr(obj, model_field.attname, clean(value))


def _save(obj: Model, where: str) -> None:
    """Check and save one row. A value an optional field cannot hold (a web address that is not
    one, an email address that is not one, text over its limit) is set aside with a note and the
    row kept; a required field that is missing or wrong refuses the record."""
    _clean_text(obj, where)
    for _attempt in range(3):
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
            break
        except ValidationError as error:
            messages = error.message_dict
            optional = {
                f.name: f
                for f in obj._meta.concrete_fields
                if f.name in messages and f.blank and not f.primary_key and not f.is_relation
            }
            if set(messages) - set(optional):
                text = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in messages.items())
                raise RecordProblem(f"{where}: {text}") from None
            for name, model_field in optional.items():
                value = getattr(obj, model_field.attname)
                _note(
                    f"{where}.{name}",
                    f"{_shown(value)} is not valid ({' '.join(messages[name])})",
                    "field set aside; the record was imported without it",
                    "dropped",
                )
                setattr(obj, model_field.attname, model_field.get_default())
    else:  # pragma: no cover - each attempt clears the fields it names
        raise RecordProblem(f"{where}: could not be checked")
    obj.save()


def _fresh(model: type[Model], record: Record, what: str) -> Any:
    """A new row for a child list: the record's id, which must not belong to another row."""
    row_id = _id(record, what=what)
    if model._default_manager.filter(pk=row_id).exists():
        raise RecordProblem(f"{what} id {row_id} is already used by another record")
    return model(pk=row_id)


# --- the importer -------------------------------------------------------------------------------


class _Importer:
    def __init__(self) -> None:
        self.pending_parents: dict[str, str] = {}
        self.touched: list[str] = []
        self.first_seen: dict[str, str] = {}  # service id -> where this import first read it

    # organisations

    def organization_id(self, record: Record) -> str:
        """The organisation the record names (``organization_id``, or ``organization.id``)."""
        data = _object(record, "organization")
        named = (
            _id(record, what="organization", key="organization_id")
            if _text(record, "organization_id")
            else ""
        )
        nested = _id(data, what="organization") if data and _text(data, "id") else ""
        if named and nested and named != nested:
            raise RecordProblem(
                f"organization_id {_shown(named)} and organization.id {_shown(nested)} differ"
            )
        if not (named or nested):
            _note(
                "organization",
                "the service has no organization (organization_id or organization)",
                f"imported under the record {_shown(ORGANISATION_NOT_GIVEN_NAME)}",
            )
            return ORGANISATION_NOT_GIVEN_ID
        return named or nested

    def organization(self, record: Record, org_id: str) -> Organization:
        if org_id == ORGANISATION_NOT_GIVEN_ID:
            org, _ = Organization.objects.get_or_create(
                pk=ORGANISATION_NOT_GIVEN_ID,
                defaults={
                    "name": ORGANISATION_NOT_GIVEN_NAME,
                    "description": "The publisher of an imported feed did not say which "
                    "organisation runs these services. Ask the service itself.",
                },
            )
            return org
        data = _object(record, "organization")
        found = Organization.objects.filter(pk=org_id).first()
        if data is None:
            if found is None:
                raise RecordProblem(f"organization {org_id} is not in the feed or the directory")
            return found
        org = found or Organization(pk=org_id)
        org.name = _text(data, "name", required=True)
        org.alternate_name = _text(data, "alternate_name")
        org.description = _text(data, "description") or org.description or org.name
        org.email = _email(data, "email")
        org.website = _url(data, "website") or _url(data, "url")
        org.description = sanitise(org.description)
        if "x_provider_kind" in data:
            org.provider_kind = _text(data, "x_provider_kind")
        if "x_staff_count" in data:
            org.staff_count = _whole(data, "x_staff_count")
        _save(org, "organization")
        if "organization_identifiers" in data:
            org.organization_identifiers.all().delete()
            for item in _items(data, "organization_identifiers"):
                ident = _fresh(OrganizationIdentifier, item, "organization identifier")
                ident.organization = org
                ident.identifier_scheme = _text(item, "identifier_scheme")
                ident.identifier_type = _text(item, "identifier_type", required=True)
                ident.identifier = _text(item, "identifier", required=True)
                _save(ident, "organization_identifiers")
        if "contacts" in data:
            Contact.objects.filter(organization=org, service__isnull=True).delete()
            for item in _items(data, "contacts"):
                self.contact(item, organization=org)
        return org

    # taxonomies

    def taxonomy(self, term_record: Record) -> Taxonomy | None:
        detail = _object(term_record, "taxonomy_detail")
        tax_id = _text(term_record, "taxonomy_id") or (_text(detail, "id") if detail else "")
        name = (_text(detail, "name") if detail else "") or _text(term_record, "taxonomy")
        if not tax_id and not name:
            return None
        if not tax_id:
            tax_id = str(uuid.uuid5(TAXONOMY_NAMESPACE, name.lower()))
        tax = Taxonomy.objects.filter(pk=tax_id).first()
        if tax is not None and detail is None:
            return tax
        tax = tax or Taxonomy(pk=tax_id)
        detail = detail or {}
        tax.name = name or tax.name or tax_id
        tax.description = _text(detail, "description") or tax.description or tax.name
        tax.uri = _url(detail, "uri") or tax.uri
        tax.version = _text(detail, "version") or tax.version
        _save(tax, "taxonomy")
        return tax

    def term(self, record: Record) -> TaxonomyTerm:
        term_id = _id(record, what="taxonomy term", required=True)
        term = TaxonomyTerm.objects.filter(pk=term_id).first() or TaxonomyTerm(pk=term_id)
        term.name = _text(record, "name") or _text(record, "term") or term.name
        if not term.name:
            raise RecordProblem(f"taxonomy term {term_id} has no name")
        term.description = _text(record, "description")
        term.code = _text(record, "code")
        term.term_uri = _url(record, "term_uri")
        term.taxonomy = self.taxonomy(record)
        parent_id = _text(record, "parent_id")
        term.parent = None
        if parent_id and parent_id != term_id:
            parent = TaxonomyTerm.objects.filter(pk=parent_id).first()
            if parent is None:
                self.pending_parents[term_id] = parent_id
            term.parent = parent
        _save(term, f"taxonomy term {term_id}")
        return term

    # the parts of a service

    def contact(
        self,
        record: Record,
        *,
        service: Service | None = None,
        organization: Organization | None = None,
    ) -> None:
        contact = _fresh(Contact, record, "contact")
        contact.service = service
        contact.organization = organization
        contact.name = _text(record, "name")
        contact.title = _text(record, "title")
        contact.email = _email(record, "email")
        _save(contact, "contact")
        for item in _items(record, "phones"):
            self.phone(item, contact=contact)

    def phone(
        self, record: Record, *, service: Service | None = None, contact: Contact | None = None
    ) -> None:
        phone = _fresh(Phone, record, "phone")
        phone.service = service
        phone.contact = contact
        phone.number = _text(record, "number", required=True)
        phone.type = _text(record, "type") or "voice"
        phone.description = _text(record, "description")
        _save(phone, "phone")

    def schedule(
        self,
        record: Record,
        *,
        service: Service | None = None,
        sal: ServiceAtLocation | None = None,
    ) -> None:
        schedule = _fresh(Schedule, record, "schedule")
        schedule.service = service
        schedule.service_at_location = sal
        schedule.freq = _text(record, "freq").upper()
        schedule.interval = _whole(record, "interval")
        schedule.byday = _text(record, "byday").upper().replace(" ", "")
        schedule.opens_at = _time(record, "opens_at")
        schedule.closes_at = _time(record, "closes_at")
        schedule.valid_from = _date(record, "valid_from")
        schedule.valid_to = _date(record, "valid_to")
        schedule.description = _text(record, "description")
        schedule.attending_type = _text(record, "attending_type")
        schedule.notes = _text(record, "notes")
        _save(schedule, "schedule")

    def location(self, record: Record, organization: Organization) -> Location:
        loc_id = _id(record, what="location", required=True)
        loc = Location.objects.filter(pk=loc_id).first() or Location(pk=loc_id)
        if loc.organization_id not in (None, organization.pk):
            return loc  # another organisation's place: linked to as it is, not changed
        if loc.organization_id is None:
            loc.organization = organization
        loc.location_type = _text(record, "location_type").lower() or "physical"
        loc.name = _text(record, "name")
        loc.description = _text(record, "description")
        loc.latitude = _coordinate(record, "latitude", 90)
        loc.longitude = _coordinate(record, "longitude", 180)
        slug = _text(record, "x_neighbourhood")
        if slug:
            loc.neighbourhood = Neighbourhood.objects.filter(slug=slug).first()
        _save(loc, f"location {loc_id}")
        if "addresses" in record:
            loc.addresses.all().delete()
            for item in _items(record, "addresses"):
                addr = _fresh(Address, item, "address")
                addr.location = loc
                addr.address_1 = _text(item, "address_1", required=True)
                addr.city = _text(item, "city", required=True)
                addr.region = _text(item, "region")
                addr.state_province = _text(item, "state_province")
                addr.postal_code = _text(item, "postal_code", required=True)
                country = _text(item, "country") or "GB"
                addr.country = COUNTRIES.get(country.lower(), country.upper())
                addr.address_type = _text(item, "address_type").lower() or "physical"
                _save(addr, f"location {loc_id} address")
        if "accessibility" in record:
            loc.accessibility.all().delete()
            for item in _items(record, "accessibility"):
                feature = _fresh(Accessibility, item, "accessibility")
                feature.location = loc
                feature.description = _text(item, "description") or _text(item, "accessibility")
                feature.details = _text(item, "details")
                feature.url = _url(item, "url")
                _save(feature, f"location {loc_id} accessibility")
        return loc

    # a service

    def service(self, record: Record) -> bool:
        """Write one service record; True if it was new."""
        service_id = _id(record, what="service", required=True)
        org_id = self.organization_id(record)
        service = Service.objects.filter(pk=service_id).select_related("organization").first()
        if service is not None and service.organization_id != org_id:
            raise _moved_service(service, org_id)
        organization = self.organization(record, org_id)
        created = service is None
        service = service or Service(pk=service_id)
        service.organization = organization
        _service_fields(service, record)
        _save(service, "service")
        # Each list the record gives replaces the service's list; a list not given is kept.
        self.service_schedules(service, record)
        self.service_at_locations(service, record, organization)
        _languages(service, record)
        _cost_options(service, record)
        _service_areas(service, record)
        self.service_contacts(service, record)
        self.service_phones(service, record)
        self.attributes(service, record)
        _stamp_publisher_modified(service)
        _refresh_search_words(service)
        self.touched.append(service.pk)
        return created

    def service_schedules(self, service: Service, record: Record) -> None:
        if "schedules" in record:
            Schedule.objects.filter(service=service, service_at_location__isnull=True).delete()
            for item in _items(record, "schedules"):
                self.schedule(item, service=service)

    def service_at_locations(
        self, service: Service, record: Record, organization: Organization
    ) -> None:
        if "service_at_locations" not in record:
            return
        service.service_at_locations.all().delete()
        for item in _items(record, "service_at_locations"):
            location = _object(item, "location")
            loc = (
                _linked_location(item)
                if location is None
                else self.location(location, organization)
            )
            sal = _fresh(ServiceAtLocation, item, "service_at_location")
            sal.service = service
            sal.location = loc
            sal.description = _text(item, "description")
            _save(sal, "service_at_location")
            for schedule in _items(item, "schedules"):
                self.schedule(schedule, sal=sal)

    def service_contacts(self, service: Service, record: Record) -> None:
        if "contacts" in record:
            service.contacts.all().delete()
            for item in _items(record, "contacts"):
                self.contact(item, service=service)

    def service_phones(self, service: Service, record: Record) -> None:
        if "phones" in record:
            Phone.objects.filter(service=service, contact__isnull=True).delete()
            for item in _items(record, "phones"):
                self.phone(item, service=service)

    def attributes(self, service: Service, record: Record) -> None:
        """The service's taxonomy terms, each once (a term in the record, or by id one already
        in the directory)."""
        if "attributes" not in record:
            return
        service.attributes.all().delete()
        seen: set[str] = set()
        for item in _items(record, "attributes"):
            term_record = _object(item, "taxonomy_term")
            term = _known_term(item) if term_record is None else self.term(term_record)
            if term.pk in seen:
                continue
            seen.add(term.pk)
            attr = _fresh(Attribute, item, "attribute")
            attr.service = service
            attr.taxonomy_term = term
            _save(attr, "attribute")

    def finish(self) -> list[str]:
        """Link taxonomy terms to parents that came later in the feed, and refresh the search
        words of the services imported (a term renamed by a later record changes them). Each
        step is its own transaction; what fails is returned as messages, never raised: the
        services are already kept."""
        problems = []
        for term_id, parent_id in self.pending_parents.items():
            try:
                with transaction.atomic(), search_index.batch():
                    if TaxonomyTerm.objects.filter(pk=parent_id).exists():
                        TaxonomyTerm.objects.filter(pk=term_id).update(parent_id=parent_id)
                        search_index.term_moved(term_id)  # a queryset update sends no signal
            except Exception as error:
                logger.exception("Could not link taxonomy term %s to %s", term_id, parent_id)
                problems.append(
                    f"taxonomy term {_shown(term_id)} could not be linked to its parent "
                    f"{_shown(parent_id)} ({type(error).__name__}: {str(error)[:200]})"
                )
        ids = list(dict.fromkeys(self.touched))
        for start in range(0, len(ids), 500):
            try:
                with transaction.atomic():
                    refresh_search_documents(
                        Service.objects.filter(pk__in=ids[start : start + 500]).select_related(
                            "organization"
                        )
                    )
            except Exception as error:
                logger.exception("Could not refresh search words after an import")
                problems.append(
                    "the search words of some imported services could not be refreshed "
                    f"({type(error).__name__}: {str(error)[:200]}); run the import again"
                )
        return problems


# --- parts of a service record -------------------------------------------------------------------


def _moved_service(service: Service, org_id: str) -> RecordProblem:
    owner = service.organization
    return RecordProblem(
        f"service {_shown(service.pk)} belongs to organisation {_shown(owner.pk)} "
        f"({_shown(owner.name)}), and this record names organisation {_shown(org_id)}: "
        "a feed cannot move a service to another organisation or update another "
        "organisation's service, so the record was not imported and the service keeps "
        "its organisation. If it has really moved, a coordinator changes its "
        "organisation in the admin first."
    )


def _service_fields(service: Service, record: Record) -> None:
    """The service's own fields (not its lists)."""
    service.name = _text(record, "name", required=True)
    service.alternate_name = _text(record, "alternate_name")
    service.description = sanitise(_text(record, "description"))
    service.url = _url(record, "url")
    service.email = _email(record, "email")
    service.status = _text(record, "status").lower() or Service.Status.ACTIVE
    service.fees_description = _text(record, "fees") or _text(record, "fees_description")
    service.eligibility_description = _text(record, "eligibility_description")
    service.minimum_age = _whole(record, "minimum_age")
    service.maximum_age = _whole(record, "maximum_age")
    service.accreditations = _text(record, "accreditations")
    service.assured_date = _optional(_date, record, "assured_date")
    service.alert = _text(record, "alert")
    # Not given is not known (None), never "no".
    service.accepts_personal_budgets = _flag(record, "x_accepts_personal_budgets")
    service.accepts_direct_payments = _flag(record, "x_accepts_direct_payments")
    service.accepts_time_credits = _flag(record, "x_accepts_time_credits")
    service.attending_type = _text(record, "x_attending_type")
    service.attending_access = _text(record, "x_attending_access")
    service.deliverable_type = _text(record, "x_deliverable_type")
    service.application_process = _text(record, "application_process")
    service.publisher_created = _optional(_date, record, "x_date_created")
    service.publisher_modified = _optional(_date, record, "x_date_modified")
    service.help_with_cost = _text(record, "x_help_with_cost")
    service.cqc_location_id = _text(record, "x_cqc_location_id")
    service.cqc_rating = _text(record, "x_cqc_rating")
    service.cqc_rating_date = _date(record, "x_cqc_rating_date")


def _linked_location(item: Record) -> Location:
    """The place a service_at_location names by ``location_id`` only: one already kept."""
    loc_id = _text(item, "location_id")
    found = Location.objects.filter(pk=loc_id).first() if loc_id else None
    if found is None:
        raise RecordProblem("a service_at_location has no location")
    return found


def _known_term(item: Record) -> TaxonomyTerm:
    """The taxonomy term an attribute names by ``taxonomy_term_id`` only: one already kept."""
    term_id = _text(item, "taxonomy_term_id")
    found = TaxonomyTerm.objects.filter(pk=term_id).first()
    if found is None:
        raise RecordProblem(
            f"attribute names taxonomy term {term_id!r}, which is not in the feed or the directory"
        )
    return found


def _languages(service: Service, record: Record) -> None:
    if "languages" not in record:
        return
    service.languages.all().delete()
    for item in _items(record, "languages"):
        name = _text(item, "name") or _text(item, "language") or _text(item, "code")
        if not name:
            continue  # the UK profile's language has only an id: nothing to keep
        lang = _fresh(Language, item, "language")
        lang.service = service
        lang.name = name
        lang.code = _text(item, "code")
        lang.note = _text(item, "note")
        _save(lang, "language")


def _cost_options(service: Service, record: Record) -> None:
    if "cost_options" not in record:
        return
    service.cost_options.all().delete()
    for item in _items(record, "cost_options"):
        cost = _fresh(CostOption, item, "cost option")
        cost.service = service
        cost.option = _text(item, "option")
        cost.amount = _number(item, "amount")
        cost.amount_description = _text(item, "amount_description")
        cost.valid_from = _date(item, "valid_from")
        cost.valid_to = _date(item, "valid_to")
        _save(cost, "cost option")


def _service_areas(service: Service, record: Record) -> None:
    if "service_areas" not in record:
        return
    service.service_areas.all().delete()
    for item in _items(record, "service_areas"):
        area = _fresh(ServiceArea, item, "service area")
        area.service = service
        area.name = _text(item, "name") or _text(item, "service_area") or _text(item, "extent")
        area.description = _text(item, "description")
        _save(area, "service area")


def _stamp_publisher_modified(service: Service) -> None:
    """The API's last_modified (and modified_after) is when the publisher changed the record,
    not when this import ran. A queryset update: auto_now would overwrite it."""
    if service.publisher_modified is not None:
        stamp = datetime.combine(service.publisher_modified, time(), tzinfo=UTC)
        Service.objects.filter(pk=service.pk).update(last_modified=stamp)
        search_index.changed([service.pk])


def _refresh_search_words(service: Service) -> None:
    """Its search words, in this record's transaction: a kept service is found by its words
    even if the import stops before ``finish``."""
    words = search_document_for(service)
    if words != service.search_document:
        Service.objects.filter(pk=service.pk).update(search_document=words)
        search_index.changed([service.pk])


def _import_records(
    importer: _Importer,
    report: ImportReport,
    records: list[Any],
    *,
    source: str,
    page: int | None,
    v1_page: bool,
) -> None:
    for index, record in enumerate(records):
        record_id = ""
        notes: list[Note] = []
        token = _notes.set(notes)
        try:
            if isinstance(record, BadRecord):
                record_id = record.record_id
                raise RecordProblem(record.reason)
            if not isinstance(record, dict):
                raise RecordProblem("a service record must be a JSON object")
            raw_id = record.get("id")
            record_id = one_line(str(raw_id))[:100] if isinstance(raw_id, str | int) else ""
            if isinstance(raw_id, str | int) and str(raw_id).strip():
                first = importer.first_seen.get(str(raw_id).strip())
                if first is not None:
                    raise RecordProblem(
                        f"the id {_shown(str(raw_id).strip())} was already used by {first} in "
                        "this import; this record was not imported and the first one was kept "
                        "(ask the publisher which is right)"
                    )
                importer.first_seen[str(raw_id).strip()] = _position(source, page, index)
                report.seen.append(str(raw_id).strip())
            where = _too_deep(record)
            if where is not None:
                raise RecordProblem(
                    f"the record is nested more than {MAX_DEPTH} levels deep at {where}"
                )
            if v1_page or v1.is_v1(record):
                record = v1.to_v3(record)
            with transaction.atomic(), search_index.batch():
                created = importer.service(record)
        except (RecordProblem, ValidationError) as error:
            reason = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            report.failed += 1
            report.errors.append(ImportProblem(source, reason, page, index, record_id))
        except DatabaseError as error:
            report.failed += 1
            report.errors.append(
                ImportProblem(
                    source,
                    f"the database refused the record ({str(error)[:300]})",
                    page,
                    index,
                    record_id,
                )
            )
        except Exception as error:
            logger.exception("Unexpected error importing %s record %s", source, index + 1)
            report.failed += 1
            report.errors.append(
                ImportProblem(
                    source,
                    f"the record could not be imported ({type(error).__name__}: "
                    f"{str(error)[:200]}); nothing of it was kept",
                    page,
                    index,
                    record_id,
                )
            )
        else:
            report.kept.append(str(record["id"]).strip())
            if created:
                report.created += 1
            else:
                report.updated += 1
            name = one_line(str(record.get("name", "")))[:120]
            for note in notes:
                report.warnings.append(
                    ImportProblem(
                        source,
                        note.problem,
                        page,
                        index,
                        record_id,
                        field=note.field,
                        action=note.action,
                        severity=note.kind,
                        record_name=name,
                    )
                )
        finally:
            _notes.reset(token)


def _position(source: str, page: int | None, index: int) -> str:
    where = [Path(source).name]
    if page is not None:
        where.append(f"page {page}")
    where.append(f"record {index + 1}")
    return ", ".join(where)


def _finish(importer: _Importer, report: ImportReport, source: str) -> None:
    for problem in importer.finish():
        report.errors.append(ImportProblem(source, problem))


def import_data(data: Any, *, source: str = "data") -> ImportReport:
    """Import already-parsed ORUK JSON (a page, a service or a list of services)."""
    report = ImportReport(files=1)
    importer = _Importer()
    try:
        records, page, v1_page = _records(data)
    except RecordProblem as error:
        report.unusable_files += 1
        report.errors.append(ImportProblem(source, str(error), action="file not read"))
        return report
    _import_records(importer, report, records, source=source, page=page, v1_page=v1_page)
    _finish(importer, report, source)
    return report


def import_paths(paths: list[Path]) -> ImportReport:
    """Import ORUK 3.0 or 1.0 JSON files, and folders of page files (read in page order)."""
    report = ImportReport()
    importer = _Importer()
    source = "import"
    try:
        for path in _expand(paths):
            source = str(path)
            report.files += 1
            try:
                records, page, v1_page = _records(_load(path))
            except RecordProblem as error:
                report.unusable_files += 1
                report.errors.append(ImportProblem(str(path), str(error), action="file not read"))
                continue
            except OSError as error:
                report.unusable_files += 1
                report.errors.append(
                    ImportProblem(
                        str(path),
                        f"cannot read the file ({error.strerror})",
                        action="file not read",
                    )
                )
                continue
            except MemoryError:
                report.unusable_files += 1
                report.errors.append(
                    ImportProblem(str(path), "the file is too big to read", action="file not read")
                )
                continue
            _import_records(importer, report, records, source=str(path), page=page, v1_page=v1_page)
    except KeyboardInterrupt:
        # Every record counted so far is kept (each was its own transaction): say so, and stop.
        report.interrupted = True
        report.errors.append(
            ImportProblem(source, "the import was interrupted here; records after it were not read")
        )
    _finish(importer, report, source)
    return report


# --- an import run, recorded ----------------------------------------------------------------------


def feed_name(paths: list[Path]) -> str:
    """The default name of a feed: its files' names (a folder's name for a folder)."""
    return ", ".join(sorted(p.name or str(p) for p in paths))[:250] or "import"


def run_import(
    paths: list[Path], *, feed: str = "", started_by: Any = None
) -> tuple[ImportReport, Any]:
    """Import the files, then mark the services the previous import of the same feed read and this
    one did not as inactive (the publisher dropped them: they leave the public directory, and come
    back if a later feed has them again), and record the run (``ImportRun``) with its report for
    the coordinator's pages. Returns the report and the run."""
    from django.utils import timezone

    from accounts.models import AuditEvent
    from accounts.services import record_audit
    from directory.models import ImportRun

    feed = feed or feed_name(paths)
    previous = ImportRun.objects.filter(feed=feed).order_by("-started_at", "-id").first()
    run = ImportRun.objects.create(
        feed=feed, sources="\n".join(str(p) for p in paths), started_by=started_by
    )
    report = import_paths(paths)
    if previous is not None and not report.interrupted and not report.unusable_files:
        _withdraw(report, set(previous.seen_ids) - set(report.seen), feed)
    run.finished_at = timezone.now()
    run.created, run.updated, run.failed = report.created, report.updated, report.failed
    run.warnings = len(report.warnings)
    run.withdrawn = len(report.withdrawn)
    run.outcome = report.exit_status
    run.summary = report.summary()
    run.problems = [p.as_dict() for p in report.problems()] + _suggestions(report.kept)
    run.seen_ids = report.seen
    run.save()
    record_audit(
        actor=started_by,
        action=AuditEvent.Action.CREATE,
        target=run,
        summary=f"Imported ORUK feed {run.feed}: {run.summary}"[:500],
    )
    return report, run


def _withdraw(report: ImportReport, dropped: set[str], feed: str) -> None:
    ids = sorted(
        Service.objects.filter(pk__in=dropped, status=Service.Status.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        with transaction.atomic():
            names = dict(Service.objects.filter(pk__in=chunk).values_list("pk", "name"))
            Service.objects.filter(pk__in=chunk).update(status=Service.Status.INACTIVE)
            search_index.refresh(chunk)  # a queryset update sends no signal
        for service_id in chunk:
            report.withdrawn.append(service_id)
            report.warnings.append(
                ImportProblem(
                    feed,
                    "the service was in the previous import of this feed and is not in this one",
                    record_id=service_id,
                    action="marked inactive: no longer shown in the directory",
                    severity="withdrawn",
                    record_name=names.get(service_id, ""),
                )
            )


def _suggestions(service_ids: list[str]) -> list[dict[str, Any]]:
    """Data-quality items for the coordinator (never published): a description that mentions a
    price or a phone number while the service has no cost options or phones."""
    from directory.facts import suggestions
    from directory.html import plain_text

    items: list[dict[str, Any]] = []
    ids = list(dict.fromkeys(service_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        with_costs = set(
            CostOption.objects.filter(service_id__in=chunk).values_list("service_id", flat=True)
        )
        with_phones = set(
            Phone.objects.filter(service_id__in=chunk).values_list("service_id", flat=True)
        ) | set(
            Phone.objects.filter(contact__service_id__in=chunk).values_list(
                "contact__service_id", flat=True
            )
        )
        for service_id, name, description in Service.objects.filter(pk__in=chunk).values_list(
            "pk", "name", "description"
        ):
            for field_name, text in suggestions(
                plain_text(description),
                has_costs=service_id in with_costs,
                has_phone=service_id in with_phones,
            ):
                items.append(
                    {
                        "file": "",
                        "page": None,
                        "position": None,
                        "record": service_id,
                        "name": name,
                        "field": field_name,
                        "problem": text,
                        "action": "suggestion for a coordinator to confirm; not published",
                        "severity": "suggestion",
                    }
                )
    return items
