"""The double-booking check and the reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.timebank import (
    ExchangeRecord,
    ExchangeSlot,
    ExchangeStatus,
    InvalidSlot,
    SlotOverlap,
    Taxonomy,
    active_members,
    check_no_overlap,
    find_overlaps,
    hours_by_category,
    hours_by_month,
    hours_by_neighbourhood,
    reciprocity,
)

C = ExchangeStatus.COMPLETED
T = datetime(2025, 3, 4, 10)  # a Tuesday


def rec(
    i: int,
    giver: str,
    receiver: str,
    start: datetime,
    minutes: int,
    status: ExchangeStatus = ExchangeStatus.CONFIRMED,
    category: str | None = None,
    neighbourhood: str | None = None,
) -> ExchangeRecord:
    return ExchangeRecord(i, giver, receiver, start, minutes, status, category, neighbourhood)


EXISTING = [
    rec(1, "sam", "jo", T, 60),  # 10:00-11:00
    rec(2, "ann", "sam", T + timedelta(hours=3), 30),  # 13:00-13:30, Sam receiving
    rec(3, "sam", "bo", T + timedelta(hours=5), 60, ExchangeStatus.CANCELLED),
    rec(4, "sam", "bo", T + timedelta(hours=6), 60, ExchangeStatus.PROPOSED),
]


def test_overlap_refused_with_message() -> None:
    slot = ExchangeSlot("sam", T + timedelta(minutes=30), T + timedelta(hours=2))
    with pytest.raises(SlotOverlap) as caught:
        check_no_overlap(slot, EXISTING, name="Sam")
    assert caught.value.message == (
        "Sam already has a confirmed exchange on Tuesday 4 March 2025 from 10:00 to 11:00, "
        "which overlaps this one."
    )
    assert [x.id for x in caught.value.clashes] == [1]  # type: ignore[attr-defined]


def test_overlap_rules() -> None:
    def ok(member: str, start: datetime, minutes: int, **kw: object) -> bool:
        slot = ExchangeSlot(member, start, start + timedelta(minutes=minutes))
        return not find_overlaps(slot, EXISTING, **kw)  # type: ignore[arg-type]

    assert ok("sam", T + timedelta(hours=1), 60)  # starts when the other ends
    assert ok("sam", T - timedelta(hours=1), 60)  # ends when the other starts
    assert not ok("sam", T + timedelta(minutes=59), 60)
    assert not ok("sam", T + timedelta(hours=3, minutes=10), 5)  # Sam is receiving then
    assert ok("sam", T + timedelta(hours=5), 60)  # cancelled exchanges free the time
    assert ok("sam", T + timedelta(hours=6), 60)  # proposed ones do not hold it
    assert ok("ann", T, 60)  # a different member
    assert ok("sam", T, 60, ignore_id=1)  # rescheduling exchange 1 itself
    with pytest.raises(InvalidSlot):
        ExchangeSlot("sam", T, T)


def test_overlap_message_counts_more_clashes() -> None:
    slot = ExchangeSlot("sam", T, T + timedelta(hours=4))
    with pytest.raises(SlotOverlap, match=r"from 10:00 to 11:00 \(and 1 more\)"):
        check_no_overlap(slot, EXISTING)
    with pytest.raises(SlotOverlap, match=r"^Member sam already"):
        check_no_overlap(slot, EXISTING)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 2000),
            st.integers(1, 300),
            st.sampled_from(list(ExchangeStatus)),
            st.sampled_from(["sam", "jo"]),
        ),
        max_size=15,
    ),
    st.integers(0, 2000),
    st.integers(1, 300),
)
@settings(max_examples=300, deadline=None)
def test_overlap_matches_brute_force(
    booked: list[tuple[int, int, ExchangeStatus, str]], start: int, length: int
) -> None:
    base = datetime(2025, 1, 1)
    records = [
        rec(i, who, "other", base + timedelta(minutes=s), m, status)
        for i, (s, m, status, who) in enumerate(booked)
    ]
    wanted = set(range(start, start + length))
    busy: set[int] = set()
    for s, m, status, who in booked:
        if who == "sam" and status in (ExchangeStatus.CONFIRMED, ExchangeStatus.COMPLETED):
            busy |= set(range(s, s + m))
    slot = ExchangeSlot(
        "sam", base + timedelta(minutes=start), base + timedelta(minutes=start + length)
    )
    if wanted & busy:
        with pytest.raises(SlotOverlap):
            check_no_overlap(slot, records)
    else:
        check_no_overlap(slot, records)


HISTORY = [
    rec(1, "a", "b", datetime(2025, 1, 5, 10), 90, C, "lifts", "North"),
    rec(2, "b", "a", datetime(2025, 1, 20, 10), 60, C, "gardening", "North"),
    rec(3, "c", "a", datetime(2025, 3, 2, 10), 30, C, "hospital-lifts", "South"),
    rec(4, "d", "e", datetime(2025, 3, 3, 10), 45, C, None, None),
    rec(5, "e", "f", datetime(2025, 3, 4, 10), 120, ExchangeStatus.CANCELLED, "lifts", "North"),
    rec(6, "f", "a", datetime(2025, 4, 1, 10), 60, ExchangeStatus.CONFIRMED, "lifts", "North"),
]


def test_hours_by_month() -> None:
    months = hours_by_month(HISTORY)
    assert [(m.month, m.minutes, m.exchanges) for m in months] == [
        (date(2025, 1, 1), 150, 2),
        (date(2025, 2, 1), 0, 0),
        (date(2025, 3, 1), 75, 2),
    ]
    assert months[0].hours == 2.5
    assert months[0].describe() == "January 2025: 2 hours 30 minutes"
    padded = hours_by_month(HISTORY, date(2024, 12, 15), date(2025, 4, 30))
    assert [m.minutes for m in padded] == [0, 150, 0, 75, 0]
    assert hours_by_month([]) == []


def test_active_members_and_reciprocity() -> None:
    assert active_members(HISTORY) == {"a", "b", "c", "d", "e"}
    assert active_members(HISTORY, date(2025, 3, 1), date(2025, 3, 31)) == {"a", "c", "d", "e"}
    r = reciprocity(HISTORY)
    assert (r.active, r.gave_and_received, r.gave_only, r.received_only) == (5, 2, 2, 1)
    assert r.share == pytest.approx(0.4)
    assert r.describe() == "2 of 5 active members both gave and received time (40%)."
    assert reciprocity([]).share == 0.0


def test_hours_by_category_and_neighbourhood() -> None:
    assert hours_by_category(HISTORY) == {
        "lifts": 90,
        "gardening": 60,
        "Uncategorised": 45,
        "hospital-lifts": 30,
    }
    tax = Taxonomy(
        {"lifts": "getting-about", "hospital-lifts": "lifts"},
        {"getting-about": "Getting about"},
    )
    assert hours_by_category(HISTORY, taxonomy=tax) == {
        "Getting about": 120,
        "gardening": 60,
        "Uncategorised": 45,
    }
    assert hours_by_category(HISTORY, date(2025, 3, 1)) == {
        "Uncategorised": 45,
        "hospital-lifts": 30,
    }
    assert hours_by_neighbourhood(HISTORY) == {"North": 150, "Unknown": 45, "South": 30}


@given(
    st.lists(
        st.builds(
            ExchangeRecord,
            id=st.integers(),
            giver=st.sampled_from("abcdef"),
            receiver=st.sampled_from("abcdef"),
            start=st.datetimes(datetime(2024, 1, 1), datetime(2026, 1, 1)),
            minutes=st.integers(1, 600),
            status=st.sampled_from(list(ExchangeStatus)),
            category=st.one_of(st.none(), st.sampled_from(["x", "y"])),
            neighbourhood=st.one_of(st.none(), st.sampled_from(["N", "S"])),
        ),
        max_size=40,
    )
)
@settings(max_examples=150, deadline=None)
def test_report_totals_agree(records: list[ExchangeRecord]) -> None:
    total = sum(x.minutes for x in records if x.status is ExchangeStatus.COMPLETED)
    assert sum(m.minutes for m in hours_by_month(records)) == total
    assert sum(hours_by_category(records).values()) == total
    assert sum(hours_by_neighbourhood(records).values()) == total
    r = reciprocity(records)
    assert r.gave_and_received + r.gave_only + r.received_only == r.active
    assert r.active == len(active_members(records))
