import datetime as dt
from typing import Any

import pytest

from rules.voice.areas import AreaClockError, clock_for, load_areas, parse_areas
from rules.voice.clock import Clock
from rules.voice.parameters import DEFAULT_CLOCKS

pytestmark = pytest.mark.pure


def area(**clocks: Any) -> dict[str, Any]:
    return {
        "areas": {
            "x": {
                "name": "X",
                "dated": dt.date(2026, 12, 3),
                "source": "X's procedure",
                "clocks": clocks,
            }
        }
    }


def test_the_shipped_file_loads_and_is_dated_and_sourced() -> None:
    areas = load_areas()
    assert areas["demo"].dated == dt.date(2026, 12, 3) and "Fictional" in areas["demo"].source
    assert areas["demo"].clock_for("idea") == Clock(2, 10)
    # Kinds an area leaves out keep the defaults
    assert areas["demo"].clock_for("complaint") == DEFAULT_CLOCKS["complaint"]


def test_unlisted_or_no_area_uses_the_defaults() -> None:
    areas = parse_areas(area(idea={"acknowledge": 1, "respond": 5}))
    assert clock_for("idea", "", areas) == DEFAULT_CLOCKS["idea"]
    assert clock_for("idea", "elsewhere", areas) == DEFAULT_CLOCKS["idea"]
    assert clock_for("idea", "x", areas) == Clock(1, 5)


def test_complaint_acknowledgement_may_be_shortened_not_lengthened() -> None:
    assert parse_areas(area(complaint={"acknowledge": 3, "respond": 10}))["x"].clocks[
        "complaint"
    ] == Clock(3, 10)
    assert parse_areas(area(complaint={"acknowledge": 2, "respond": 10}))
    with pytest.raises(AreaClockError, match="within 3 working days"):
        parse_areas(area(complaint={"acknowledge": 4, "respond": 10}))


@pytest.mark.parametrize(
    ("days", "ok"), [(0, True), (65, True), (66, False), (-1, False), (2.5, False), (True, False)]
)
def test_working_day_limits(days: Any, ok: bool) -> None:
    entry = area(idea={"acknowledge": 1, "respond": days})
    if ok:
        assert parse_areas(entry)["x"].clocks["idea"].respond == days
    else:
        with pytest.raises(AreaClockError):
            parse_areas(entry)


@pytest.mark.parametrize("missing", ["name", "dated", "source", "clocks"])
def test_every_area_is_named_dated_and_sourced(missing: str) -> None:
    entry = area(idea={"acknowledge": 1, "respond": 5})
    del entry["areas"]["x"][missing]
    with pytest.raises(AreaClockError, match=missing):
        parse_areas(entry)


def test_unknown_kind_and_incomplete_clock_are_refused() -> None:
    with pytest.raises(AreaClockError, match="unknown kind"):
        parse_areas(area(grumble={"acknowledge": 1, "respond": 5}))
    with pytest.raises(AreaClockError, match="exactly"):
        parse_areas(area(idea={"acknowledge": 1}))
    bad = area(idea={"acknowledge": 1, "respond": 5})
    bad["areas"]["x"]["dated"] = "soon"
    with pytest.raises(AreaClockError, match="dated"):
        parse_areas(bad)
