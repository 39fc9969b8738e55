"""The ORUK 1.0 converter (``directory.oruk.v1.to_v3``) against saved answers.

``data/oruk1_to_v3_golden.json`` holds three real records of North Lincolnshire's ORUK 1.0 feed
(chosen so that between them every field the feed fills is both given and blank: audiences with a
nested "Parents>Grandparents", attending type and access, deliverable type, booking notes, the
publisher's dates, an organisation with and without a website), and three constructed records
(said so in the file) for the 1.0 fields that feed does not use: schedules, places with addresses
and accessibility, eligibility rules with ages and terms, taxonomy links, contacts, languages and
service areas, with odd values; a record whose own 3.0 values must win; ages of 0 (no limit). The answers were made
by the converter before it was broken into one function per part and match it exactly, key order
included, so any change to what a 1.0 feed imports as shows up here as a difference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from directory.oruk import v1

GOLDEN = Path(__file__).parent / "data" / "oruk1_to_v3_golden.json"
CASES: list[dict[str, Any]] = json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["input"]["id"] for c in CASES])
def test_converts_to_the_saved_answer_key_order_included(case: dict[str, Any]) -> None:
    assert v1.is_v1(case["input"])
    converted = v1.to_v3(case["input"])
    assert converted == case["expected"]
    assert json.dumps(converted) == json.dumps(case["expected"])  # same keys in the same order


def test_does_not_change_the_record_it_is_given() -> None:
    record = json.loads(json.dumps(CASES[3]["input"]))
    v1.to_v3(record)
    assert record == CASES[3]["input"]


def test_the_real_records_are_the_feed_as_published(shared_dir: Path) -> None:
    feed = shared_dir / "data" / "directory" / "north_lincolnshire_oruk1_services_2024-12.json"
    by_id = {r["id"]: r for r in json.loads(feed.read_text(encoding="utf-8"))}
    real = [c for c in CASES if c["source"].startswith("North Lincolnshire")]
    assert len(real) == 3
    for case in real:
        assert case["input"] == by_id[case["input"]["id"]]
