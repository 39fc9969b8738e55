"""The registry: versioned, dated, sourced measure files that respect each licence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from rules.outcomes import (
    MeasureFileError,
    Registry,
    UnknownMeasureError,
    WordingOverlayError,
    default_registry,
    parse_measure,
    score,
)
from rules.outcomes.registry import DATA_DIR
from rules.outcomes.tests.helpers import ASCOT, ONS4, REGISTRY, SHS, SWEMWBS, WEMWBS


def _document(name: str) -> dict[str, Any]:
    document = yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_every_shipped_measure_is_versioned_dated_sourced_and_licensed() -> None:
    assert REGISTRY.ids() == (
        "ascot_sct4",
        "goal_based_outcomes",
        "ons4",
        "short_health_scale",
        "swemwbs",
        "wemwbs",
    )
    for measure in REGISTRY:
        assert measure.version and measure.sources and measure.licence.attribution
        assert measure.dated == dt.date(2026, 12, 2)
        assert measure.snomed_ct_note
        # A code is shipped only with its preferred term and the source it was verified in.
        if measure.snomed_ct is not None:
            assert measure.snomed_ct_term and measure.snomed_ct_source


# SNOMED CT codes from NHS Digital's MHSDS assessment reference table (MH_ASS, "v2" ids), in the
# published pipeline NHSDigital/mental-health-monthly-statistics, menh_bbrb/notebooks/
# 01_Generic_Prepare/04_mhsds_ref_tables.py at commit cb5975618b54538bad95c060cd4979db0b0e31bc.
# ONS4, the goal rating, the Short Health Scale and ASCOT have none that could be verified.
@pytest.mark.parametrize(
    ("measure", "code", "term"),
    [
        (SWEMWBS, "718466001", "Short Warwick-Edinburgh Mental Well-being Scale score"),
        (WEMWBS, "718426000", "Warwick-Edinburgh Mental Well-being Scale score"),
        (ONS4, None, None),
        (REGISTRY.get("goal_based_outcomes"), None, None),
        (SHS, None, None),
        (ASCOT, None, None),
    ],
)
def test_snomed_ct_codes_are_the_mhsds_ones_with_their_source(
    measure: Any, code: str | None, term: str | None
) -> None:
    assert measure.snomed_ct == code
    assert measure.snomed_ct_term == term
    if code is not None:
        assert "mental-health-monthly-statistics" in (measure.snomed_ct_source or "")
        assert "cb5975618b54538bad95c060cd4979db0b0e31bc" in (measure.snomed_ct_source or "")


def test_ons4_takes_no_proxy_answers_others_may() -> None:
    """ONS: the four questions are asked of the person in person, with no proxy answers (Annual
    Population Survey routing PersProx = IN PERSON; ons4-2026.1.yaml administration_notes)."""
    assert ONS4.proxy_answers is False
    assert SWEMWBS.proxy_answers and WEMWBS.proxy_answers
    document = _document("ons4-2026.1.yaml")
    document["proxy_answers"] = "no"
    with pytest.raises(MeasureFileError) as caught:
        parse_measure(document, "bad.yaml")
    assert "proxy_answers" in caught.value.paths


def test_swemwbs_table_equals_the_shared_source_in_full(shared_dir: Path) -> None:
    """All 29 values of the Stewart-Brown et al. (2009) table, as compiled in
    shared/data/measures/swemwbs.yaml (itself cross-checked against three public analysis scripts)."""
    source = yaml.safe_load((shared_dir / "data/measures/swemwbs.yaml").read_text(encoding="utf-8"))
    expected = {
        int(raw): Decimal(str(metric)).quantize(Decimal("0.01"))
        for raw, metric in source["metric_score"]["conversion_table"].items()
    }
    assert SWEMWBS.scoring.table() == expected
    assert len(expected) == 29


def test_ons4_wording_is_the_open_gss_wording(shared_dir: Path) -> None:
    """ONS4 wording is Crown copyright under the OGL v3.0 and is embedded verbatim with attribution."""
    source = yaml.safe_load((shared_dir / "data/measures/ons4.yaml").read_text(encoding="utf-8"))
    for item in ONS4.items:
        assert item.wording == source["questions"][item.id]["text"]
        assert item.wording_status == "embedded"
    assert "Open Government Licence v3.0" in ONS4.licence.attribution
    assert ONS4.notice is None


@pytest.mark.parametrize("measure", [SWEMWBS, WEMWBS, SHS, ASCOT], ids=lambda m: m.id)
def test_licensed_or_unlicensed_wording_is_not_shipped(measure: Any) -> None:
    """SWEMWBS/WEMWBS wording is licensed (Warwick), ASCOT's too (University of Kent), and no
    licence was found for the Short Health Scale: topic labels, a placeholder and a notice only."""
    assert measure.notice and measure.has_placeholder_wording
    for item in measure.items:
        assert item.wording is None
        assert item.wording_status == "placeholder"
        assert item.display_text.startswith("[Placeholder")
        assert item.topic in item.display_text


def test_no_licensed_wording_in_any_shipped_file() -> None:
    """A guard against someone pasting the wording in: the data files never have a wording field for
    measures whose wording is not open (parse_measure also refuses it, see below)."""
    for path in DATA_DIR.glob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if document["licence"]["wording"] != "open":
            assert all("wording" not in item for item in document["items"]), path.name


def test_a_file_that_embeds_licensed_wording_is_refused() -> None:
    document = _document("swemwbs-2026.1.yaml")
    document["items"][0]["wording"] = "Some licensed text"
    with pytest.raises(MeasureFileError) as caught:
        parse_measure(document, "bad.yaml")
    assert "items[0].wording" in caught.value.paths


def test_floats_in_the_conversion_table_are_refused() -> None:
    document = _document("swemwbs-2026.1.yaml")
    document["scoring"]["conversion_table"][21] = 19.25
    with pytest.raises(MeasureFileError) as caught:
        parse_measure(document, "bad.yaml")
    assert "scoring.conversion_table.21" in caught.value.paths


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["scoring"]["conversion_table"].pop(35), "scoring.conversion_table"),
        (
            lambda d: d["scoring"]["conversion_table"].update({22: "19.00"}),
            "scoring.conversion_table",
        ),
        (lambda d: d["items"][1].update({"scale": "nope"}), "items[1].scale"),
        (lambda d: d["items"][1].update({"id": "optimistic"}), "items[1].id"),
        (lambda d: d.update({"sources": []}), "sources"),
        (lambda d: d.update({"notice": None}), "notice"),
        (lambda d: d.update({"version": 2026.1}), "version"),
        (lambda d: d.update({"dated": "yesterday"}), "dated"),
        (lambda d: d["reliable_change"].update({"value": "total"}), "reliable_change.value"),
        (lambda d: d.update({"snomed_ct": "abc"}), "snomed_ct"),
        (lambda d: d.pop("snomed_ct_source"), "snomed_ct_source"),
        (lambda d: d.pop("snomed_ct_term"), "snomed_ct_source"),
        (lambda d: d.update({"snomed_ct": None}), "snomed_ct"),
    ],
)
def test_invalid_measure_files_are_refused_with_the_path(change: Any, path: str) -> None:
    document = _document("swemwbs-2026.1.yaml")
    change(document)
    with pytest.raises(MeasureFileError) as caught:
        parse_measure(document, "bad.yaml")
    assert path in caught.value.paths


def test_ons_bands_must_cover_the_scale_without_gaps() -> None:
    document = _document("ons4-2026.1.yaml")
    document["scoring"]["bands"]["by_item"]["anxiety"] = [
        {"id": "low", "label": "Low", "min": 0, "max": 3},
        {"id": "high", "label": "High", "min": 5, "max": 10},
    ]
    with pytest.raises(MeasureFileError) as caught:
        parse_measure(document, "bad.yaml")
    assert "scoring.bands.by_item.anxiety" in caught.value.paths


def test_versions_and_in_force(tmp_path: Path) -> None:
    for name in ("swemwbs-2026.1.yaml",):
        (tmp_path / name).write_text(
            (DATA_DIR / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    newer = _document("swemwbs-2026.1.yaml")
    newer["version"] = "2027.1"
    newer["effective_from"] = dt.date(2027, 4, 1)
    (tmp_path / "swemwbs-2027.1.yaml").write_text(yaml.safe_dump(newer), encoding="utf-8")
    registry = Registry.load(tmp_path)
    assert registry.get("swemwbs").version == "2027.1"
    assert registry.get("swemwbs", "2026.1").version == "2026.1"
    assert registry.in_force("swemwbs", dt.date(2027, 3, 31)).version == "2026.1"
    with pytest.raises(UnknownMeasureError):
        registry.in_force("swemwbs", dt.date(2020, 1, 1))
    with pytest.raises(UnknownMeasureError):
        registry.get("swemwbs", "1999")
    with pytest.raises(UnknownMeasureError):
        registry.get("phq9")


WORDING = {item_id: f"Licensed text for {item_id}" for item_id in SWEMWBS.item_ids}


def test_area_overlay_supplies_licensed_wording_in_a_new_registry() -> None:
    licensed = REGISTRY.with_wording("swemwbs", WORDING, licence_note="Warwick registration 1234")
    measure = licensed.get("swemwbs")
    assert [item.display_text for item in measure.items] == list(WORDING.values())
    assert {item.wording_status for item in measure.items} == {"area_supplied"}
    assert not measure.has_placeholder_wording
    assert measure.wording_overlay_note == "Warwick registration 1234"
    # the shipped registry is untouched, and scoring is unchanged
    assert default_registry().get("swemwbs").items[0].wording is None
    assert score(measure, dict.fromkeys(measure.item_ids, 3)).value("metric") == score(
        SWEMWBS, dict.fromkeys(SWEMWBS.item_ids, 3)
    ).value("metric")


@pytest.mark.parametrize(
    ("wording", "item"),
    [
        ({**WORDING, "cheerful": "x"}, "cheerful"),
        ({k: v for k, v in WORDING.items() if k != "relaxed"}, "relaxed"),
        ({**WORDING, "useful": "   "}, "useful"),
        ({**WORDING, "useful": "bad\x00text"}, "useful"),
        ({**WORDING, "useful": "x" * 1001}, "useful"),
        ({**WORDING, "useful": "I've been <b>useful</b>"}, "useful"),
        ({**WORDING, "useful": "<script>alert(1)</script>"}, "useful"),
        ({**WORDING, "useful": "feeling &amp; useful"}, "useful"),
    ],
)
def test_overlay_item_ids_and_text_are_validated(wording: dict[str, str], item: str) -> None:
    with pytest.raises(WordingOverlayError) as caught:
        REGISTRY.with_wording("swemwbs", wording, licence_note="Warwick registration 1234")
    assert item in [found for found, _ in caught.value.problems]


def test_overlay_needs_a_licence_note_and_a_known_measure() -> None:
    with pytest.raises(WordingOverlayError):
        REGISTRY.with_wording("swemwbs", WORDING, licence_note=" ")
    with pytest.raises(UnknownMeasureError):
        REGISTRY.with_wording("phq9", WORDING, licence_note="x")


def test_overlay_file(tmp_path: Path) -> None:
    path = tmp_path / "overlay.yaml"
    path.write_text(
        yaml.safe_dump({"measure": "swemwbs", "licence_note": "Warwick 1234", "wording": WORDING}),
        encoding="utf-8",
    )
    assert REGISTRY.with_wording_file(path).get("swemwbs").items[0].wording == WORDING["optimistic"]
    path.write_text("measure: swemwbs\nwording: [1, 2]\n", encoding="utf-8")
    with pytest.raises(WordingOverlayError):
        REGISTRY.with_wording_file(path)
