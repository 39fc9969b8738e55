"""The measures registry: every measure version shipped in ``rules/outcomes/data/``, plus the wording an
area loads under its own licence.

    registry = default_registry()
    swemwbs = registry.get("swemwbs")                      # newest version
    registry = registry.with_wording("swemwbs", {...}, licence_note="Warwick registration 1234")

A Registry is immutable: ``with_wording`` returns a new one, so the shipped registry never holds an
area's licensed text and two areas in one process cannot see each other's wording.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import yaml

from rules.outcomes.errors import MeasureFileError, UnknownMeasureError, WordingOverlayError
from rules.outcomes.measures import Measure, load_measure

DATA_DIR = Path(__file__).parent / "data"
MAX_WORDING_CHARS = 1000
# Wording is plain text: no HTML or XML tags, comments or character references (an area pasting a
# question from a web page or a word processor must not smuggle markup into every form).
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]|&(?:#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")


class Registry:
    """Measures by id and version. Look-ups never guess: an unknown id or version raises."""

    def __init__(self, measures: Iterable[Measure]) -> None:
        by_key: dict[tuple[str, str], Measure] = {}
        for measure in measures:
            key = (measure.id, measure.version)
            if key in by_key:
                raise MeasureFileError(
                    f"{measure.id} {measure.version}",
                    [("version", "the same id and version twice")],
                )
            by_key[key] = measure
        self._measures = by_key

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> Registry:
        """Every ``*.yaml`` in ``data_dir``, validated (a bad file raises MeasureFileError)."""
        return cls(load_measure(path) for path in sorted(data_dir.glob("*.yaml")))

    def ids(self) -> tuple[str, ...]:
        return tuple(sorted({measure_id for measure_id, _ in self._measures}))

    def versions(self, measure_id: str) -> tuple[Measure, ...]:
        """Every version of a measure, oldest ``effective_from`` first."""
        found = [m for (mid, _), m in self._measures.items() if mid == measure_id]
        if not found:
            raise UnknownMeasureError(
                f"No measure {measure_id!r} in the registry (known: {', '.join(self.ids())})"
            )
        return tuple(sorted(found, key=lambda m: (m.effective_from, m.version)))

    def get(self, measure_id: str, version: str | None = None) -> Measure:
        """The measure with this id: the exact ``version`` if given (the app stores the version with
        each answer set, so re-scoring never changes), otherwise the newest."""
        versions = self.versions(measure_id)
        if version is None:
            return versions[-1]
        for measure in versions:
            if measure.version == version:
                return measure
        known = ", ".join(m.version for m in versions)
        raise UnknownMeasureError(f"No version {version!r} of {measure_id!r} (known: {known})")

    def in_force(self, measure_id: str, on: dt.date) -> Measure:
        """The newest version whose ``effective_from`` is on or before ``on``."""
        current = [m for m in self.versions(measure_id) if m.effective_from <= on]
        if not current:
            raise UnknownMeasureError(
                f"No version of {measure_id!r} is in force on {on.isoformat()}"
            )
        return current[-1]

    def __iter__(self) -> Iterator[Measure]:
        return iter(
            sorted(self._measures.values(), key=lambda m: (m.id, m.effective_from, m.version))
        )

    def with_wording(
        self,
        measure_id: str,
        wording: Mapping[str, str],
        *,
        licence_note: str,
        version: str | None = None,
    ) -> Registry:
        """A new registry in which one measure (every version, or just ``version``) shows the area's
        licensed wording. ``wording`` must give text for exactly the measure's item ids; anything else
        (an unknown id, a missing id, empty or over-long text, control characters) is refused with
        WordingOverlayError naming each item. ``licence_note`` records what licence the area holds."""
        targets = [self.get(measure_id, version)] if version else list(self.versions(measure_id))
        if not licence_note or not licence_note.strip():
            raise WordingOverlayError(
                measure_id, [("licence_note", "say which licence the area holds")]
            )
        replaced: dict[tuple[str, str], Measure] = dict(self._measures)
        for measure in targets:
            problems: list[tuple[str, str]] = []
            expected = set(measure.item_ids)
            for item_id in wording:
                if item_id not in expected:
                    problems.append(
                        (str(item_id), f"not an item of {measure_id} {measure.version}")
                    )
            for item_id in measure.item_ids:
                if item_id not in wording:
                    problems.append((item_id, "no wording given (every item needs its text)"))
                else:
                    problem = _wording_problem(wording[item_id])
                    if problem:
                        problems.append((item_id, problem))
            if problems:
                raise WordingOverlayError(measure_id, problems)
            items = tuple(
                replace(
                    item,
                    wording=unicodedata.normalize("NFC", wording[item.id].strip()),
                    wording_status="area_supplied",
                    wording_reason=f"Supplied by the area under its licence: {licence_note.strip()}",
                    placeholder=None,
                )
                for item in measure.items
            )
            replaced[(measure.id, measure.version)] = measure.with_items(
                items, licence_note.strip()
            )
        return Registry(replaced.values())

    def with_wording_file(self, path: Path) -> Registry:
        """Load an overlay file: ``measure: <id>``, optional ``version``, ``licence_note`` and
        ``wording: {item_id: text}`` (see docs/outcomes.md)."""
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise WordingOverlayError(
                path.name, [("(file)", f"cannot be read as YAML: {error}")]
            ) from None
        if not isinstance(document, Mapping):
            raise WordingOverlayError(path.name, [("(file)", "must be a mapping")])
        measure_id = document.get("measure")
        wording = document.get("wording")
        version = document.get("version")
        note = document.get("licence_note")
        problems = []
        if not isinstance(measure_id, str):
            problems.append(("measure", "must name the measure id"))
        if not isinstance(wording, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in wording.items()
        ):
            problems.append(("wording", "must map item ids to text"))
        if version is not None and not isinstance(version, str):
            problems.append(("version", "must be a quoted version string"))
        if not isinstance(note, str):
            problems.append(("licence_note", "must say which licence the area holds"))
        if problems:
            raise WordingOverlayError(path.name, problems)
        assert (
            isinstance(measure_id, str) and isinstance(wording, Mapping) and isinstance(note, str)
        )
        return self.with_wording(measure_id, wording, licence_note=note, version=version)


def _wording_problem(text: object) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return "wording must be non-empty text"
    if len(text) > MAX_WORDING_CHARS:
        return f"wording is longer than {MAX_WORDING_CHARS} characters"
    for char in text:
        if unicodedata.category(char) in {"Cc", "Cs", "Co", "Cn"} and char not in "\n":
            return f"wording contains a control or invalid character (U+{ord(char):04X})"
    if _MARKUP.search(text):
        return "wording must be plain text, without HTML tags or character references like &amp;"
    return None


@functools.cache
def default_registry() -> Registry:
    """The measures shipped with Wellbeing Hub (read once per process)."""
    return Registry.load(DATA_DIR)
