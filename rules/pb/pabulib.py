"""Streaming reader and writer for the pabulib ``.pb`` format (https://pabulib.org/format).

A file has three sections, ``META``, ``PROJECTS`` and ``VOTES``, each a title line, a
``;``-separated header line and rows, with CSV quoting. :func:`read_pb` reads line by line and either
returns a complete, checked :class:`~rules.pb.model.Election` or raises
:class:`~rules.pb.model.PBFormatError` with the line number and the reason (nothing is half-loaded).
Only the META keys needed to compute an outcome are required (``budget``, ``vote_type``,
``num_projects``, ``num_votes``); declared ballot constraints (``min_length``, ``max_length``,
``min_sum_cost``, ``max_sum_cost``, ``min_points``, ``max_points``, ``min_sum_points``,
``max_sum_points``) are enforced on every ballot.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any, TextIO

from .model import (
    Ballot,
    Election,
    PBError,
    PBFormatError,
    Project,
    check_ballot,
    check_ballot_constraints,
    format_amount,
    parse_amount,
)

SECTIONS = ("meta", "projects", "votes")
REQUIRED_META = ("num_projects", "num_votes", "budget", "vote_type")


MAX_LINE_CHARS = 100_000
"""Longest line accepted (a VOTES line listing a thousand projects is about 6,000)."""
MAX_FIELDS = 1_000
"""Most ``;``-separated fields on one line (columns of a header)."""
MAX_PROJECTS = 100_000
"""Most projects a file may declare or list."""
MAX_VOTERS = 10_000_000
"""Most ballots a file may declare or list."""


def read_pb(source: str | os.PathLike[str] | Iterable[str] | Iterable[bytes]) -> Election:
    """Read a ``.pb`` file: a path, or an iterable of lines (text, or bytes such as an uploaded
    file opened in binary). Bytes must be UTF-8; anything else, and any line, number or count over
    the limits above, raises :class:`PBFormatError` with its line number."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            return _read(_text_lines(stream))
    return _read(_text_lines(source))


def _text_lines(lines: Iterable[str] | Iterable[bytes]) -> Iterator[str]:
    """Lines as text, each checked for length (and decoded from UTF-8 if they are bytes).

    Binary streams are read with a bounded ``readline`` so one enormous line is never held whole.
    """
    readline = getattr(lines, "readline", None)
    if readline is not None and not isinstance(lines, io.TextIOBase):
        # A binary stream: read bounded lines (a text stream's lines are already in memory).
        def bounded() -> Iterator[str | bytes]:
            while chunk := readline(MAX_LINE_CHARS * 4 + 2):
                yield chunk

        source: Iterable[str | bytes] = bounded()
    else:
        source = lines
    for number, line in enumerate(source, start=1):
        if isinstance(line, bytes):
            if len(line) > MAX_LINE_CHARS * 4 + 1 and not line.endswith(b"\n"):
                raise PBFormatError(number, f"line longer than {MAX_LINE_CHARS} characters")
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as error:
                raise PBFormatError(
                    number, f"not UTF-8 text (byte {error.start + 1} of the line)"
                ) from None
        if number == 1:
            line = line.removeprefix("\ufeff")
        if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
            raise PBFormatError(number, f"line longer than {MAX_LINE_CHARS} characters")
        if "\x00" in line:
            raise PBFormatError(number, "the line contains a NUL character")
        yield line


def _read(lines: Iterable[str]) -> Election:
    reader = csv.reader(lines, delimiter=";")
    try:
        return _read_rows(reader)
    except csv.Error as error:  # a quoted field over the csv module's size limit, say
        raise PBFormatError(reader.line_num, f"cannot be read as CSV ({error})") from None


class _Reading:
    """What one read has seen so far, section by section; errors carry the reader's line."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.section = ""
        self.header: list[str] = []
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.projects: list[Project] = []
        self.project_ids: set[str] = set()
        self.election: Election | None = None
        self.voters: set[str] = set()
        self.num_ballots = 0

    def fail(self, reason: str) -> PBFormatError:
        return PBFormatError(self.reader.line_num, reason)

    def start_section(self, title: str) -> None:
        """A section's title line: check the order, finish the one before, read the header."""
        if self.section == SECTIONS[-1]:
            raise self.fail(f"section {title.upper()} found after VOTES, the last section")
        expected = SECTIONS[SECTIONS.index(self.section) + 1] if self.section else "meta"
        if title != expected:
            raise self.fail(f"section {title.upper()} found where {expected.upper()} was expected")
        if title == "projects":
            _check_meta(self.meta, self.meta_lines, self.reader.line_num)
        if title == "votes":
            self.election = _finish_projects(
                self.meta, self.meta_lines, self.projects, self.reader.line_num
            )
        self.section = title
        self.header = [h.strip() for h in next(self.reader, [])]
        if len(self.header) > MAX_FIELDS:
            raise self.fail(f"more than {MAX_FIELDS} fields on one line")
        _check_header(self.section, self.header, self.meta, self.reader.line_num)

    def add_row(self, row: list[str]) -> None:
        """A data row of the current section."""
        if not self.section:
            raise self.fail("the file must start with a META section")
        if len(row) != len(self.header):
            raise self.fail(
                f"{len(row)} fields where the {self.section.upper()} header has {len(self.header)}"
            )
        fields = dict(zip(self.header, (value.strip() for value in row), strict=True))
        if self.section == "meta":
            self._add_meta(fields)
        elif self.section == "projects":
            self._add_project(fields)
        else:
            self._add_ballot(fields)

    def _add_meta(self, fields: dict[str, str]) -> None:
        key = fields["key"]
        if key in self.meta:
            raise self.fail(f"META key {key!r} appears twice")
        if len(self.meta) >= MAX_FIELDS:
            raise self.fail(f"more than {MAX_FIELDS} META entries")
        self.meta[key] = fields["value"]
        self.meta_lines[key] = self.reader.line_num

    def _add_project(self, fields: dict[str, str]) -> None:
        project = _parse_project(fields, self.fail)
        if project.project_id in self.project_ids:
            raise self.fail(f"project id {project.project_id!r} appears twice")
        if len(self.projects) >= MAX_PROJECTS:
            raise self.fail(f"more than {MAX_PROJECTS} projects")
        self.project_ids.add(project.project_id)
        self.projects.append(project)

    def _add_ballot(self, fields: dict[str, str]) -> None:
        election = self.election
        assert election is not None  # set when the VOTES title line was read
        ballot = _parse_ballot(fields, election.vote_type, self.fail)
        if self.num_ballots >= MAX_VOTERS:
            raise self.fail(f"more than {MAX_VOTERS} ballots")
        if ballot.voter_id in self.voters:
            raise self.fail(f"voter id {ballot.voter_id!r} appears twice")
        self.voters.add(ballot.voter_id)
        try:
            check_ballot(election, ballot)
            check_ballot_constraints(election, ballot)
        except PBError as error:
            raise self.fail(getattr(error, "reason", str(error))) from None
        election.ballots.append(ballot)
        self.num_ballots += 1

    def finish(self) -> Election:
        """The election once every line is read, its ballots counted against ``num_votes``."""
        if self.section == "projects":
            self.election = _finish_projects(
                self.meta, self.meta_lines, self.projects, self.reader.line_num
            )
        if self.election is None:
            raise PBFormatError(self.reader.line_num, "the file has no PROJECTS or VOTES section")
        declared = int(parse_amount(self.meta["num_votes"], "num_votes"))
        if declared != self.num_ballots:
            raise PBFormatError(
                self.meta_lines["num_votes"],
                f"num_votes says {declared} but the VOTES section has {self.num_ballots} ballots",
            )
        return self.election


def _read_rows(reader: Any) -> Election:
    reading = _Reading(reader)
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) > MAX_FIELDS:
            raise reading.fail(f"more than {MAX_FIELDS} fields on one line")
        title = row[0].strip().lower()
        if len(row) == 1 and title in SECTIONS:
            reading.start_section(title)
        else:
            reading.add_row(row)
    return reading.finish()


def _check_header(section: str, header: list[str], meta: dict[str, str], line: int) -> None:
    required: tuple[str, ...] = {
        "meta": ("key", "value"),
        "projects": ("project_id", "cost"),
        "votes": ("voter_id", "vote"),
    }[section]
    if section == "votes" and meta.get("vote_type") in ("cumulative", "scoring"):
        required = (*required, "points")
    for column in required:
        if column not in header:
            raise PBFormatError(line, f"the {section.upper()} header has no {column!r} column")
    if len(set(header)) != len(header):
        raise PBFormatError(line, f"the {section.upper()} header repeats a column")


def _check_meta(meta: dict[str, str], meta_lines: dict[str, int], line: int) -> None:
    for key in REQUIRED_META:
        if key not in meta:
            raise PBFormatError(line, f"META has no {key!r} entry")
    for key in ("num_projects", "num_votes", "budget"):
        try:
            value = parse_amount(meta[key], key)
        except PBError as error:
            raise PBFormatError(meta_lines[key], str(error)) from None
        if value < 0 or (key != "budget" and value.denominator != 1):
            raise PBFormatError(
                meta_lines[key],
                f"{key} must be a non-negative {'number' if key == 'budget' else 'whole number'}",
            )
        limit = {"num_projects": MAX_PROJECTS, "num_votes": MAX_VOTERS}.get(key)
        if limit is not None and value > limit:
            raise PBFormatError(meta_lines[key], f"{key} is more than {limit}")
    vote_type = meta["vote_type"]
    if vote_type not in ("approval", "choose-1", "cumulative", "scoring", "ordinal"):
        raise PBFormatError(meta_lines["vote_type"], f"unknown vote_type {vote_type!r}")
    if vote_type == "cumulative" and "max_sum_points" not in meta:
        raise PBFormatError(line, "a cumulative vote needs max_sum_points in META")
    for key in (
        "min_length",
        "max_length",
        "min_sum_cost",
        "max_sum_cost",
        "min_points",
        "max_points",
        "min_sum_points",
        "max_sum_points",
    ):
        if key in meta:
            try:
                parse_amount(meta[key], key)
            except PBError as error:
                raise PBFormatError(meta_lines[key], str(error)) from None


def _finish_projects(
    meta: dict[str, str], meta_lines: dict[str, int], projects: list[Project], line: int
) -> Election:
    declared = int(parse_amount(meta["num_projects"], "num_projects"))
    if declared != len(projects):
        raise PBFormatError(
            meta_lines["num_projects"],
            f"num_projects says {declared} but the PROJECTS section has {len(projects)} projects",
        )
    try:
        return Election(
            parse_amount(meta["budget"], "budget"),
            projects,
            [],
            vote_type=meta["vote_type"],
            meta=meta,
        )
    except PBFormatError as error:
        raise PBFormatError(line, error.reason) from None


def _parse_project(fields: dict[str, str], fail: Callable[[str], PBFormatError]) -> Project:
    pid = fields["project_id"]
    if not pid:
        raise fail("empty project_id")
    try:
        cost = parse_amount(fields["cost"], "cost")
    except PBError as error:
        raise fail(f"project {pid!r}: {error}") from None
    if cost < 0:
        raise fail(f"project {pid!r} has a negative cost ({fields['cost']})")
    extra = {k: v for k, v in fields.items() if k not in ("project_id", "cost", "name")}
    return Project(pid, cost, fields.get("name", ""), extra)


def _parse_ballot(
    fields: dict[str, str], vote_type: str, fail: Callable[[str], PBFormatError]
) -> Ballot:
    voter = fields["voter_id"]
    if not voter:
        raise fail("empty voter_id")
    ids = tuple(p.strip() for p in fields["vote"].split(",")) if fields["vote"] else ()
    if any(not p for p in ids):
        raise fail(f"voter {voter!r}: empty project id in the vote list")
    points: tuple[Fraction, ...] | None = None
    extra = {k: v for k, v in fields.items() if k not in ("voter_id", "vote")}
    if vote_type in ("cumulative", "scoring"):
        raw = extra.pop("points")
        parts = list(raw.split(",")) if raw else []
        try:
            points = tuple(parse_amount(p, "points") for p in parts)
        except PBError as error:
            raise fail(f"voter {voter!r}: {error}") from None
        if len(points) != len(ids):
            raise fail(f"voter {voter!r} lists {len(ids)} projects but {len(points)} points")
    return Ballot(voter, ids, points, extra)


def write_pb(election: Election, stream: TextIO) -> None:
    """Write ``election`` as a valid ``.pb`` file (``num_projects``/``num_votes`` are recomputed).

    Amounts are written as exact decimals; a :class:`PBError` is raised if one has no finite
    decimal expansion.
    """
    writer = csv.writer(stream, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta.update(
        num_projects=str(len(election.projects)),
        num_votes=str(len(election.ballots)),
        budget=_decimal(election.budget, "budget"),
        vote_type=election.vote_type,
    )
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])

    project_extra = _columns(p.extra for p in election.projects.values())
    with_name = any(p.name for p in election.projects.values()) or "name" in project_extra
    project_extra = [c for c in project_extra if c != "name"]
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", *(["name"] if with_name else []), *project_extra])
    for project in election.projects.values():
        row = [project.project_id, _decimal(project.cost, f"cost of {project.project_id}")]
        if with_name:
            row.append(project.name)
        row += [project.extra.get(c, "") for c in project_extra]
        writer.writerow(row)

    with_points = election.vote_type in ("cumulative", "scoring")
    vote_extra = [c for c in _columns(b.extra for b in election.ballots) if c != "points"]
    keep_points = not with_points and any("points" in b.extra for b in election.ballots)
    writer.writerow(["VOTES"])
    header = ["voter_id", "vote"]
    if with_points or keep_points:
        header.append("points")
    writer.writerow(header + vote_extra)
    for ballot in election.ballots:
        row = [ballot.voter_id, ",".join(ballot.projects)]
        if with_points:
            row.append(",".join(_decimal(p, "points") for p in ballot.points or ()))
        elif keep_points:
            row.append(ballot.extra.get("points", ""))
        row += [ballot.extra.get(c, "") for c in vote_extra]
        writer.writerow(row)


def _columns(extras: Iterable[Mapping[str, str]]) -> list[str]:
    columns: dict[str, None] = {}
    for extra in extras:
        for key in extra:
            columns.setdefault(key, None)
    return list(columns)


def _decimal(value: Fraction, what: str) -> str:
    text = format_amount(value)
    if "/" in text:
        raise PBError(f"{what} ({text}) has no exact decimal form")
    return text
