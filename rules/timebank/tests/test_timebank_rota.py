"""Recurring commitments, rotas, gaps and reminders."""

from __future__ import annotations

import time as clock
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.timebank import (
    InvalidRota,
    ReminderKind,
    RotaAssignment,
    WeeklyCommitment,
    plan_rota,
    reminders,
    reminders_due,
)

TUE = 1


def lunch_club(**kwargs: object) -> WeeklyCommitment:
    defaults: dict[str, object] = {
        "weekday": TUE,
        "start": time(10),
        "duration_minutes": 90,
        "first_date": date(2025, 1, 1),  # a Wednesday: the first Tuesday is 7 January
        "weeks": 6,
        "title": "the lunch club",
    }
    defaults.update(kwargs)
    return WeeklyCommitment(**defaults)  # type: ignore[arg-type]


def test_occurrences() -> None:
    c = lunch_club()
    assert c.first_occurrence == date(2025, 1, 7)
    assert c.dates() == [date(2025, 1, 7) + timedelta(weeks=i) for i in range(6)]
    occ = c.occurrences()[0]
    assert (occ.start.hour, occ.end.hour, occ.end.minute) == (10, 11, 30)
    by_end = lunch_club(weeks=None, end_date=date(2025, 2, 11))
    assert by_end.dates() == c.dates()
    assert lunch_club(weeks=None, end_date=date(2025, 1, 6)).dates() == []
    skipped = lunch_club(skip_dates=frozenset({date(2025, 1, 14)}))
    assert date(2025, 1, 14) not in skipped.dates()
    assert len(skipped.dates()) == 5
    assert c.describe() == "Tuesdays at 10:00"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weeks": None}, "either an end date or a number of weeks"),
        ({"end_date": date(2025, 3, 1)}, "either an end date or a number of weeks"),
        ({"weekday": 7}, "0 \\(Monday\\) to 6"),
        ({"duration_minutes": 0}, "at least a minute"),
        ({"weeks": None, "end_date": date(2024, 1, 1)}, "before it starts"),
    ],
)
def test_invalid_commitments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRota, match=message):
        lunch_club(**kwargs)


def test_every_other_week_with_swap_and_holiday() -> None:
    c = lunch_club()
    jan = [date(2025, 1, 7) + timedelta(weeks=i) for i in range(6)]
    plan = plan_rota(
        c,
        [
            RotaAssignment("ann", every_weeks=2),  # weeks 0, 2, 4
            RotaAssignment("bo", every_weeks=2, starting=jan[1], away=frozenset({jan[3]})),
            RotaAssignment("cy", dates=frozenset({jan[2]})),  # swap: cy instead of ann
        ],
    )
    assert [s.members for s in plan.slots] == [("ann",), ("bo",), ("cy",), (), ("ann",), ("bo",)]
    assert [s.day for s in plan.gaps] == [jan[3]]
    assert len(plan.covered) == 5
    assert plan.coverage == pytest.approx(5 / 6)
    assert [s.day for s in plan.covering("ann")] == [jan[0], jan[4]]


def test_pattern_until_and_several_members() -> None:
    c = lunch_club(weeks=4)
    plan = plan_rota(
        c,
        [
            RotaAssignment("ann", every_weeks=1, until=date(2025, 1, 14)),
            RotaAssignment("bo", every_weeks=1),
            RotaAssignment("bo", every_weeks=3),  # listed once even if matched twice
        ],
    )
    assert [s.members for s in plan.slots] == [("ann", "bo"), ("ann", "bo"), ("bo",), ("bo",)]


def test_assignments_on_the_wrong_weekday_are_refused() -> None:
    c = lunch_club()
    with pytest.raises(InvalidRota, match="down for 8 January 2025, a Wednesday"):
        plan_rota(c, [RotaAssignment("ann", dates=frozenset({date(2025, 1, 8)}))])
    with pytest.raises(InvalidRota, match="pattern starts on 8 January 2025"):
        plan_rota(c, [RotaAssignment("ann", every_weeks=2, starting=date(2025, 1, 8))])
    with pytest.raises(InvalidRota):
        RotaAssignment("ann", every_weeks=0)
    with pytest.raises(InvalidRota):
        RotaAssignment("ann", starting=date(2025, 1, 7))


def test_reminders() -> None:
    c = lunch_club(weeks=2)
    plan = plan_rota(c, [RotaAssignment("ann", dates=frozenset({date(2025, 1, 7)}))])
    all_reminders = reminders(plan, days_before=(1, 3))
    assert [(r.send_on, r.kind, r.member_id) for r in all_reminders] == [
        (date(2025, 1, 4), ReminderKind.MEMBER, "ann"),
        (date(2025, 1, 6), ReminderKind.MEMBER, "ann"),
        (date(2025, 1, 11), ReminderKind.GAP, None),
        (date(2025, 1, 13), ReminderKind.GAP, None),
    ]
    assert all_reminders[0].message == (
        "Reminder: you are down for the lunch club on Tuesday 7 January 2025 at 10:00."
    )
    assert all_reminders[2].message == (
        "Nobody is covering the lunch club on Tuesday 14 January 2025 at 10:00."
    )
    due = reminders_due(plan, date(2025, 1, 6), days_before=(1, 3))
    assert [r.send_on for r in due] == [date(2025, 1, 6)]
    # The job last ran on 3 January: catch up on what was missed, for slots still to come.
    caught_up = reminders_due(plan, date(2025, 1, 6), (1, 3), since=date(2025, 1, 3))
    assert [r.send_on for r in caught_up] == [date(2025, 1, 4), date(2025, 1, 6)]
    late = reminders_due(plan, date(2025, 1, 12), (1, 3), since=date(2025, 1, 3))
    assert [r.send_on for r in late] == [date(2025, 1, 11)]  # 7 January has passed
    with pytest.raises(InvalidRota):
        reminders(plan, days_before=(-1,))


def test_eighteen_months_is_fast() -> None:
    c = lunch_club(weeks=None, end_date=date(2026, 6, 30))
    assignments = [
        RotaAssignment(f"m{i}", every_weeks=6, starting=c.first_occurrence + timedelta(weeks=i))
        for i in range(5)
    ]
    began = clock.perf_counter()
    for _ in range(100):
        plan = plan_rota(c, assignments)
        reminders_due(plan, date(2025, 6, 1))
    elapsed = clock.perf_counter() - began
    assert len(plan.slots) == 78
    assert len(plan.gaps) == 13  # every sixth week
    assert elapsed < 2.0  # 100 plans of 18 months; typically about 0.1 s


@st.composite
def rota_cases(draw: st.DrawFn) -> tuple[WeeklyCommitment, list[RotaAssignment]]:
    weekday = draw(st.integers(0, 6))
    first = draw(st.dates(date(2024, 1, 1), date(2026, 1, 1)))
    weeks = draw(st.integers(0, 80))
    commitment = WeeklyCommitment(weekday, time(9), 60, first, weeks=weeks)
    dates = commitment.dates() or [commitment.first_occurrence]
    assignments = []
    for i in range(draw(st.integers(0, 5))):
        if draw(st.booleans()):
            assignments.append(
                RotaAssignment(
                    f"m{i}",
                    dates=frozenset(draw(st.lists(st.sampled_from(dates), max_size=6))),
                )
            )
        else:
            assignments.append(
                RotaAssignment(
                    f"m{i}",
                    every_weeks=draw(st.integers(1, 4)),
                    starting=draw(st.sampled_from(dates)),
                    away=frozenset(draw(st.lists(st.sampled_from(dates), max_size=3))),
                )
            )
    return commitment, assignments


@given(rota_cases())
@settings(max_examples=200, deadline=None)
def test_gaps_and_covered_partition_the_occurrences(
    case: tuple[WeeklyCommitment, list[RotaAssignment]],
) -> None:
    commitment, assignments = case
    plan = plan_rota(commitment, assignments)
    days = [s.day for s in plan.slots]
    assert days == commitment.dates()
    assert sorted([s.day for s in plan.covered] + [s.day for s in plan.gaps]) == days
    assert {s.day for s in plan.covered}.isdisjoint({s.day for s in plan.gaps})
    by_member = {a.member_id: a for a in assignments}
    for slot in plan.covered:
        for m in slot.members:
            a = by_member[m]
            assert slot.day not in a.away
            assert slot.day in a.dates or (
                a.every_weeks is not None
                and a.starting is not None
                and slot.day >= a.starting
                and (slot.day - a.starting).days % (7 * a.every_weeks) == 0
            )
    # Each covering member and each gap gets exactly one reminder per offset.
    expected = sum(max(1, len(s.members)) for s in plan.slots)
    assert len(reminders(plan, days_before=(2,))) == expected
