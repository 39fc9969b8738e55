"""Measure definitions: typed, validated, versioned and dated.

The YAML shape is the one in ``rules/outcomes/data/*.yaml`` (format ``wellbeing-hub/outcome-measure/1``,
described in ``docs/outcomes.md``). Every problem found is reported with its path (for example
``items[2].scale``) so whoever edits a file can fix it. Numbers that are not whole (conversion-table
values, thresholds) must be written as strings, so no value ever passes through binary floating point.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from rules.outcomes.errors import MeasureFileError

FORMAT = "wellbeing-hub/outcome-measure/1"

WordingLicence = Literal["open", "licensed", "not_licensed"]
ScoringLicence = Literal["open", "licensed"]
ScoringKind = Literal["sum", "sum_then_table", "items_separately", "not_scorable"]
# Where an item's displayed text comes from:
#   embedded     - open wording shipped in the measure file;
#   placeholder  - wording may not be shipped and the area has not supplied it: show the placeholder;
#   area_supplied - loaded by the area from its own licence (Registry.with_wording).
WordingStatus = Literal["embedded", "placeholder", "area_supplied"]
Comparison = Literal["at_least"]


@dataclass(frozen=True)
class AnswerScale:
    """Whole-number answers from ``min`` to ``max`` inclusive."""

    id: str
    min: int
    max: int
    min_label: str | None = None
    max_label: str | None = None
    note: str = ""

    def contains(self, value: int) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True)
class Item:
    id: str
    topic: str
    scale: AnswerScale
    wording: str | None
    wording_status: WordingStatus
    wording_reason: str
    """Why the wording is what it is (open licence, licensed and not shipped, supplied by the area)."""
    placeholder: str | None
    higher_is_better: bool = True

    @property
    def display_text(self) -> str:
        """The wording if we may show it, otherwise the clearly marked placeholder for its topic."""
        if self.wording is not None:
            return self.wording
        if self.placeholder is not None:
            return self.placeholder
        return f"[Placeholder - {self.topic}]"


@dataclass(frozen=True)
class Band:
    """An inclusive range of a value, e.g. ONS 'high' life satisfaction = 7 to 8."""

    id: str
    label: str
    min: Fraction
    max: Fraction

    def contains(self, value: Fraction) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True)
class ValueSpec:
    """A value a score reports (e.g. SWEMWBS 'raw' and 'metric'); ``decimals`` is for display only."""

    id: str
    label: str
    min: Fraction
    max: Fraction
    decimals: int = 0


@dataclass(frozen=True)
class Scoring:
    kind: ScoringKind
    rule: str
    higher_is_better: bool
    raw: ValueSpec | None = None
    """The sum (kinds ``sum`` and ``sum_then_table``)."""
    metric: ValueSpec | None = None
    """The converted value (kind ``sum_then_table``)."""
    conversion_table: tuple[tuple[int, Decimal], ...] = ()
    bands_by_item: tuple[tuple[str, tuple[Band, ...]], ...] = ()
    """Threshold bands per item (kind ``items_separately``, e.g. ONS4)."""

    def table(self) -> dict[int, Decimal]:
        return dict(self.conversion_table)

    def bands_for(self, item_id: str) -> tuple[Band, ...]:
        return dict(self.bands_by_item).get(item_id, ())


@dataclass(frozen=True)
class ReliableChangeRule:
    """A change of at least ``threshold`` in value ``on`` (in the better direction) is a reliable
    improvement; at least ``threshold`` in the worse direction is a reliable deterioration."""

    on: str
    threshold: Fraction
    higher_is_better: bool
    comparison: Comparison
    source: str


@dataclass(frozen=True)
class Licence:
    wording: WordingLicence
    wording_note: str
    scoring: ScoringLicence
    scoring_note: str
    attribution: str


@dataclass(frozen=True)
class Measure:
    id: str
    version: str
    dated: dt.date
    effective_from: dt.date
    name: str
    instrument_version: str
    recall_period: str | None
    preamble: str | None
    licence: Licence
    notice: str | None
    """Shown wherever the measure is shown while any item has placeholder wording."""
    snomed_ct: str | None
    snomed_ct_note: str
    scales: tuple[AnswerScale, ...]
    items: tuple[Item, ...]
    scoring: Scoring
    reliable_change: ReliableChangeRule | None
    sources: tuple[str, ...]
    administration_notes: tuple[str, ...] = ()
    copied_from: str | None = None
    wording_overlay_note: str | None = None
    """Set when an area supplied the wording (what licence it holds), see Registry.with_wording."""
    snomed_ct_term: str | None = None
    """The concept's preferred term, as the cited source gives it."""
    snomed_ct_source: str | None = None
    """Where the code was verified: required whenever ``snomed_ct`` is set (no code without one)."""
    proxy_answers: bool = True
    """Whether someone else may answer for the person in their own view (a proxy). False where the
    measure's source forbids it (ONS4: asked in person, no proxy answers)."""

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def has_placeholder_wording(self) -> bool:
        return any(item.wording_status == "placeholder" for item in self.items)

    @property
    def scorable(self) -> bool:
        return self.scoring.kind != "not_scorable"

    @property
    def headline(self) -> str | None:
        """The value a chart or an aggregate uses: the metric, the total, or none (ONS4)."""
        if self.scoring.metric is not None:
            return self.scoring.metric.id
        if self.scoring.raw is not None:
            return self.scoring.raw.id
        return None

    def with_items(self, items: tuple[Item, ...], overlay_note: str) -> Measure:
        return replace(self, items=items, wording_overlay_note=overlay_note)


# --- parsing -------------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))


def _text(doc: Mapping[str, Any], key: str, path: str, problems: _Problems) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{path}{key}", "must be non-empty text")
        return ""
    return value.strip()


def _optional_text(doc: Mapping[str, Any], key: str, path: str, problems: _Problems) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{path}{key}", "must be non-empty text or null")
        return None
    return value.strip()


def _int(value: Any, path: str, problems: _Problems) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(path, "must be a whole number")
        return 0
    return value


def _decimal(value: Any, path: str, problems: _Problems) -> Decimal:
    """Whole numbers may be written plainly; anything else must be a quoted decimal string."""
    if isinstance(value, bool):
        problems.add(path, "must be a number")
        return Decimal(0)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            problems.add(path, f"{value!r} is not a decimal number")
            return Decimal(0)
        if not number.is_finite():
            problems.add(path, "must be finite")
            return Decimal(0)
        return number
    problems.add(path, 'write non-whole numbers as quoted strings (e.g. "19.25"), never as floats')
    return Decimal(0)


def _date(value: Any, path: str, problems: _Problems) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(path, "must be a date (YYYY-MM-DD)")
    return dt.date(1970, 1, 1)


def _mapping(value: Any, path: str, problems: _Problems) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        problems.add(path, "must be a mapping")
        return {}
    return cast(Mapping[str, Any], value)


def _choice(value: Any, allowed: tuple[str, ...], path: str, problems: _Problems) -> str:
    if value not in allowed:
        problems.add(path, f"must be one of {', '.join(allowed)} (got {value!r})")
        return allowed[0]
    return cast(str, value)


def _bands(
    value: Any, path: str, scale: AnswerScale | None, problems: _Problems
) -> tuple[Band, ...]:
    if not isinstance(value, list) or not value:
        problems.add(path, "must be a non-empty list of bands")
        return ()
    bands: list[Band] = []
    for index, raw in enumerate(value):
        here = f"{path}[{index}]"
        band_doc = _mapping(raw, here, problems)
        low = Fraction(_decimal(band_doc.get("min"), f"{here}.min", problems))
        high = Fraction(_decimal(band_doc.get("max"), f"{here}.max", problems))
        if low > high:
            problems.add(here, "min is above max")
        bands.append(
            Band(
                id=_text(band_doc, "id", f"{here}.", problems),
                label=_text(band_doc, "label", f"{here}.", problems),
                min=low,
                max=high,
            )
        )
    ordered = sorted(bands, key=lambda band: band.min)
    for previous, following in itertools.pairwise(ordered):
        if following.min <= previous.max:
            problems.add(path, f"bands {previous.id} and {following.id} overlap")
        elif scale is not None and following.min != previous.max + 1:
            problems.add(
                path, f"whole answers between {previous.id} and {following.id} fall in no band"
            )
    if (
        scale is not None
        and ordered
        and (ordered[0].min != scale.min or ordered[-1].max != scale.max)
    ):
        problems.add(path, f"bands must cover the whole scale {scale.min}-{scale.max}")
    return tuple(bands)


def _value_spec(value: Any, path: str, problems: _Problems) -> ValueSpec:
    doc = _mapping(value, path, problems)
    decimals = doc.get("decimals", 0)
    return ValueSpec(
        id=_text(doc, "id", f"{path}.", problems),
        label=_text(doc, "label", f"{path}.", problems),
        min=Fraction(_decimal(doc.get("min", 0), f"{path}.min", problems)),
        max=Fraction(_decimal(doc.get("max", 0), f"{path}.max", problems)),
        decimals=_int(decimals, f"{path}.decimals", problems),
    )


def _licence(doc: Mapping[str, Any], problems: _Problems) -> Licence:
    licence_doc = _mapping(doc.get("licence"), "licence", problems)
    return Licence(
        wording=cast(
            WordingLicence,
            _choice(
                licence_doc.get("wording"),
                ("open", "licensed", "not_licensed"),
                "licence.wording",
                problems,
            ),
        ),
        wording_note=_text(licence_doc, "wording_note", "licence.", problems),
        scoring=cast(
            ScoringLicence,
            _choice(licence_doc.get("scoring"), ("open", "licensed"), "licence.scoring", problems),
        ),
        scoring_note=_text(licence_doc, "scoring_note", "licence.", problems),
        attribution=_text(licence_doc, "attribution", "licence.", problems),
    )


def _notice_and_placeholder(
    doc: Mapping[str, Any], licence: Licence, problems: _Problems
) -> tuple[str | None, str | None]:
    """The notice and the placeholder template, both required when the wording is not open."""
    notice = _optional_text(doc, "notice", "", problems)
    placeholder_template = _optional_text(doc, "placeholder", "", problems)
    if licence.wording != "open":
        if notice is None:
            problems.add("notice", "a measure whose wording is not open needs a notice")
        if placeholder_template is None or "{topic}" not in placeholder_template:
            problems.add(
                "placeholder",
                "a measure whose wording is not open needs a placeholder with {topic}",
            )
    return notice, placeholder_template


def _scales(doc: Mapping[str, Any], problems: _Problems) -> dict[str, AnswerScale]:
    scales: dict[str, AnswerScale] = {}
    for scale_id, raw in _mapping(doc.get("scales"), "scales", problems).items():
        here = f"scales.{scale_id}"
        scale_doc = _mapping(raw, here, problems)
        low = _int(scale_doc.get("min"), f"{here}.min", problems)
        high = _int(scale_doc.get("max"), f"{here}.max", problems)
        if low >= high:
            problems.add(here, "min must be below max")
        scales[str(scale_id)] = AnswerScale(
            id=str(scale_id),
            min=low,
            max=high,
            min_label=_optional_text(scale_doc, "min_label", f"{here}.", problems),
            max_label=_optional_text(scale_doc, "max_label", f"{here}.", problems),
            note=str(scale_doc.get("note") or ""),
        )
    if not scales:
        problems.add("scales", "at least one answer scale is needed")
    return scales


def _item(
    item_id: str,
    item_doc: Mapping[str, Any],
    here: str,
    scales: dict[str, AnswerScale],
    licence: Licence,
    placeholder_template: str | None,
    problems: _Problems,
) -> Item:
    """One item (its id is read, and checked for repeats, by the caller)."""
    topic = _text(item_doc, "topic", f"{here}.", problems)
    item_scale = item_doc.get("scale")
    scale = scales.get(str(item_scale))
    if scale is None:
        problems.add(f"{here}.scale", f"unknown scale {item_scale!r}")
        scale = AnswerScale(id="?", min=0, max=1)
    wording = _optional_text(item_doc, "wording", f"{here}.", problems)
    if licence.wording != "open" and wording is not None:
        problems.add(
            f"{here}.wording",
            f"this measure's wording is {licence.wording}: it may not be shipped in the file "
            "(the area loads it with Registry.with_wording)",
        )
        wording = None
    if licence.wording == "open" and wording is None:
        problems.add(f"{here}.wording", "open wording must be included")
    higher = item_doc.get("higher_is_better", True)
    if not isinstance(higher, bool):
        problems.add(f"{here}.higher_is_better", "must be true or false")
        higher = True
    return Item(
        id=item_id,
        topic=topic,
        scale=scale,
        wording=wording,
        wording_status="embedded" if wording is not None else "placeholder",
        wording_reason=licence.wording_note,
        placeholder=(
            placeholder_template.format(topic=topic)
            if wording is None and placeholder_template is not None
            else None
        ),
        higher_is_better=higher,
    )


def _items(
    doc: Mapping[str, Any],
    scales: dict[str, AnswerScale],
    licence: Licence,
    placeholder_template: str | None,
    problems: _Problems,
) -> list[Item]:
    items: list[Item] = []
    raw_items = doc.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.add("items", "must be a non-empty list")
        raw_items = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_items):
        here = f"items[{index}]"
        item_doc = _mapping(raw, here, problems)
        item_id = _text(item_doc, "id", f"{here}.", problems)
        if item_id in seen:
            problems.add(f"{here}.id", f"duplicate item id {item_id!r}")
        seen.add(item_id)
        items.append(
            _item(item_id, item_doc, here, scales, licence, placeholder_template, problems)
        )
    return items


def _snomed(
    doc: Mapping[str, Any], problems: _Problems
) -> tuple[str | None, str | None, str | None]:
    """The SNOMED CT code, its preferred term and the source it was verified in."""
    snomed = doc.get("snomed_ct")
    if snomed is not None and not (
        isinstance(snomed, str) and snomed.isdigit() and 6 <= len(snomed) <= 18
    ):
        problems.add("snomed_ct", "must be a SNOMED CT concept id (6-18 digits, quoted) or null")
        snomed = None
    snomed_term = _optional_text(doc, "snomed_ct_term", "", problems)
    snomed_source = _optional_text(doc, "snomed_ct_source", "", problems)
    if snomed is not None and (snomed_term is None or snomed_source is None):
        problems.add(
            "snomed_ct_source",
            "a SNOMED CT code needs its preferred term (snomed_ct_term) and the source it was "
            "verified in (snomed_ct_source)",
        )
    if snomed is None and (snomed_term is not None or snomed_source is not None):
        problems.add("snomed_ct", "a term or source is given but no code")
    return snomed, snomed_term, snomed_source


def _sources(doc: Mapping[str, Any], problems: _Problems) -> list[str]:
    sources = doc.get("sources")
    if (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) and s for s in sources)
    ):
        problems.add("sources", "must be a non-empty list of citations")
        return []
    return cast(list[str], sources)


def _notes(doc: Mapping[str, Any], problems: _Problems) -> list[str]:
    notes = doc.get("administration_notes") or []
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        problems.add("administration_notes", "must be a list of text")
        return []
    return cast(list[str], notes)


def parse_measure(document: Any, source: str = "<document>") -> Measure:
    """Validate one measure document (already loaded from YAML) and return it typed.

    Raises MeasureFileError listing every problem with its path."""
    problems = _Problems()
    doc = _mapping(document, "(file)", problems)
    if problems.items:
        raise MeasureFileError(source, problems.items)
    if doc.get("format") != FORMAT:
        problems.add("format", f"must be {FORMAT!r}")

    measure_id = _text(doc, "id", "", problems)
    raw_version = doc.get("version")
    version = raw_version.strip() if isinstance(raw_version, str) else ""
    if not version:
        problems.add("version", 'must be a quoted version string, e.g. "2026.1"')

    licence = _licence(doc, problems)
    notice, placeholder_template = _notice_and_placeholder(doc, licence, problems)
    scales = _scales(doc, problems)
    items = _items(doc, scales, licence, placeholder_template, problems)
    scoring = _scoring(doc.get("scoring"), items, problems)
    reliable = _reliable_change(doc.get("reliable_change"), scoring, problems)
    snomed, snomed_term, snomed_source = _snomed(doc, problems)
    sources = _sources(doc, problems)
    proxy = doc.get("proxy_answers", True)
    if not isinstance(proxy, bool):
        problems.add("proxy_answers", "must be true or false")
        proxy = True
    notes = _notes(doc, problems)

    name = _text(doc, "name", "", problems)
    recall_period = _optional_text(doc, "recall_period", "", problems)
    preamble = _optional_text(doc, "preamble", "", problems)
    dated = _date(doc.get("dated"), "dated", problems)
    effective_from = _date(doc.get("effective_from"), "effective_from", problems)
    if problems.items:
        raise MeasureFileError(source, problems.items)
    return Measure(
        id=measure_id,
        version=version,
        dated=dated,
        effective_from=effective_from,
        name=name,
        instrument_version=str(doc.get("instrument_version") or ""),
        recall_period=recall_period,
        preamble=preamble,
        licence=licence,
        notice=notice,
        snomed_ct=snomed,
        snomed_ct_note=str(doc.get("snomed_ct_note") or ""),
        snomed_ct_term=snomed_term,
        snomed_ct_source=snomed_source,
        proxy_answers=proxy,
        scales=tuple(scales.values()),
        items=tuple(items),
        scoring=scoring,
        reliable_change=reliable,
        sources=tuple(sources),
        administration_notes=tuple(notes),
        copied_from=cast(str | None, doc.get("copied_from")),
    )


def _scoring(value: Any, items: list[Item], problems: _Problems) -> Scoring:
    doc = _mapping(value, "scoring", problems)
    kind = cast(
        ScoringKind,
        _choice(
            doc.get("kind"),
            ("sum", "sum_then_table", "items_separately", "not_scorable"),
            "scoring.kind",
            problems,
        ),
    )
    rule = _text(doc, "rule", "scoring.", problems)
    higher = doc.get("higher_is_better", True)
    if not isinstance(higher, bool):
        problems.add("scoring.higher_is_better", "must be true or false")
        higher = True
    possible_min = sum(item.scale.min for item in items)
    possible_max = sum(item.scale.max for item in items)

    if kind == "not_scorable":
        return Scoring(kind=kind, rule=rule, higher_is_better=higher)

    if kind == "items_separately":
        bands_doc = doc.get("bands")
        by_item: list[tuple[str, tuple[Band, ...]]] = []
        if bands_doc is not None:
            per_item = _mapping(
                _mapping(bands_doc, "scoring.bands", problems).get("by_item"),
                "scoring.bands.by_item",
                problems,
            )
            item_ids = {item.id: item for item in items}
            for item_id, raw in per_item.items():
                if item_id not in item_ids:
                    problems.add(f"scoring.bands.by_item.{item_id}", "no such item")
                    continue
                by_item.append(
                    (
                        str(item_id),
                        _bands(
                            raw,
                            f"scoring.bands.by_item.{item_id}",
                            item_ids[item_id].scale,
                            problems,
                        ),
                    )
                )
        return Scoring(kind=kind, rule=rule, higher_is_better=higher, bands_by_item=tuple(by_item))

    if kind == "sum":
        total = _value_spec(doc.get("total"), "scoring.total", problems)
        if (total.min, total.max) != (Fraction(possible_min), Fraction(possible_max)):
            problems.add(
                "scoring.total", f"range must be {possible_min}-{possible_max} (the items' sum)"
            )
        return Scoring(kind=kind, rule=rule, higher_is_better=higher, raw=total)

    raw = _value_spec(doc.get("raw"), "scoring.raw", problems)
    if (raw.min, raw.max) != (Fraction(possible_min), Fraction(possible_max)):
        problems.add("scoring.raw", f"range must be {possible_min}-{possible_max} (the items' sum)")
    metric_doc = _mapping(doc.get("metric"), "scoring.metric", problems)
    table_doc = _mapping(doc.get("conversion_table"), "scoring.conversion_table", problems)
    table: list[tuple[int, Decimal]] = []
    for key, raw_value in table_doc.items():
        table.append(
            (
                _int(key, f"scoring.conversion_table.{key}", problems),
                _decimal(raw_value, f"scoring.conversion_table.{key}", problems),
            )
        )
    table.sort()
    keys = [key for key, _ in table]
    if keys != list(range(possible_min, possible_max + 1)):
        problems.add(
            "scoring.conversion_table",
            f"must have exactly one entry for every raw total {possible_min}-{possible_max}",
        )
    values = [value for _, value in table]
    if any(later <= earlier for earlier, later in itertools.pairwise(values)):
        problems.add("scoring.conversion_table", "must increase strictly with the raw total")
    metric = ValueSpec(
        id=_text(metric_doc, "id", "scoring.metric.", problems),
        label=_text(metric_doc, "label", "scoring.metric.", problems),
        min=Fraction(values[0]) if values else Fraction(0),
        max=Fraction(values[-1]) if values else Fraction(0),
        decimals=_int(metric_doc.get("decimals", 2), "scoring.metric.decimals", problems),
    )
    return Scoring(
        kind=kind,
        rule=rule,
        higher_is_better=higher,
        raw=raw,
        metric=metric,
        conversion_table=tuple(table),
    )


def _reliable_change(
    value: Any, scoring: Scoring, problems: _Problems
) -> ReliableChangeRule | None:
    if value is None:
        return None
    doc = _mapping(value, "reliable_change", problems)
    on = _text(doc, "value", "reliable_change.", problems)
    reported = {spec.id for spec in (scoring.raw, scoring.metric) if spec is not None}
    if on and on not in reported:
        problems.add(
            "reliable_change.value",
            f"must name a reported value ({', '.join(sorted(reported)) or 'none'})",
        )
    threshold = Fraction(_decimal(doc.get("threshold"), "reliable_change.threshold", problems))
    if threshold <= 0:
        problems.add("reliable_change.threshold", "must be above zero")
    return ReliableChangeRule(
        on=on,
        threshold=threshold,
        higher_is_better=scoring.higher_is_better,
        comparison=cast(
            Comparison,
            _choice(doc.get("comparison"), ("at_least",), "reliable_change.comparison", problems),
        ),
        source=_text(doc, "source", "reliable_change.", problems),
    )


def load_measure(path: Path) -> Measure:
    """Read and validate one measure file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise MeasureFileError(
            path.name, [("(file)", f"cannot be read as YAML: {error}")]
        ) from None
    return parse_measure(document, path.name)
