import random
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rules.befriending.checks import befriender_gaps, numbered, peer_lead_gaps
from rules.safeguarding import Check

DAY = date(2026, 6, 15)


def full(on: date = date(2026, 1, 5)) -> list[Check]:
    return [
        Check("dbs_enhanced", on, on + timedelta(days=3 * 365)),
        Check("reference", on),
        Check("reference", on),
        Check("training", on, on + timedelta(days=365)),
    ]


def test_a_new_volunteer_has_every_gap_named_in_order() -> None:
    assert [g.reason for g in befriender_gaps([], DAY)] == [
        "Enhanced DBS check: none on record.",
        "First reference: none on record.",
        "Second reference: none on record.",
        "Befriending training: none on record.",
    ]


def test_one_reference_is_not_two() -> None:
    checks = [c for c in full() if c.kind != "reference"] + [Check("reference", date(2026, 1, 5))]
    assert [g.reason for g in befriender_gaps(checks, DAY)] == ["Second reference: none on record."]
    assert peer_lead_gaps(checks, DAY) == []  # a peer lead needs one reference


def test_all_checks_clear() -> None:
    assert befriender_gaps(full(), DAY) == []


def test_a_second_reference_made_after_the_day_does_not_count_on_it() -> None:
    checks = [c for c in full() if c.kind != "reference"] + [
        Check("reference", date(2026, 1, 5)),
        Check("reference", DAY + timedelta(days=1)),
    ]
    assert [g.kind for g in befriender_gaps(checks, DAY)] == ["reference_2"]
    assert befriender_gaps(checks, DAY + timedelta(days=1)) == []


def test_training_lapses_the_day_after_its_expiry() -> None:
    expiry = date(2027, 1, 5)
    assert befriender_gaps(full(), expiry) == []
    assert [g.reason for g in befriender_gaps(full(), expiry + timedelta(days=1))] == [
        "Befriending training: expired on 5 January 2027."
    ]


def test_a_lapsed_reference_is_numbered_after_those_in_force() -> None:
    checks = [c for c in full() if c.kind != "reference"] + [
        Check("reference", date(2020, 1, 1), date(2021, 1, 1)),
        Check("reference", date(2025, 1, 1)),
        Check("reference", date(2025, 2, 1)),
    ]
    assert befriender_gaps(checks, DAY) == []  # two in force, one lapsed: clear
    kinds = {c.kind: c.checked_on for c in numbered(checks, DAY) if c.kind.startswith("ref")}
    assert kinds == {
        "reference_1": date(2025, 1, 1),
        "reference_2": date(2025, 2, 1),
        "reference_3": date(2020, 1, 1),
    }


@given(
    st.lists(st.sampled_from(["dbs_enhanced", "reference", "training"]), max_size=6), st.randoms()
)
def test_gaps_do_not_depend_on_the_order_checks_were_entered(
    kinds: list[str], rnd: random.Random
) -> None:
    checks = [Check(k, date(2026, 1, 1 + i)) for i, k in enumerate(kinds)]
    shuffled = checks[:]
    rnd.shuffle(shuffled)
    assert befriender_gaps(checks, DAY) == befriender_gaps(shuffled, DAY)
    assert (befriender_gaps(checks, DAY) == []) == (
        "dbs_enhanced" in kinds and "training" in kinds and kinds.count("reference") >= 2
    )
