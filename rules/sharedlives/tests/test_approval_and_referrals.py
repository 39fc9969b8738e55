from datetime import date, timedelta

from rules.sharedlives.approval import Adult, RecordedCheck, approval_gaps
from rules.sharedlives.referrals import ReferralAnswers, missing

DAY = date(2026, 12, 3)
ADULTS = (Adult("1", "Ann Ash"), Adult("2", "Bo Ash"))


def _complete(dbs_2_expires: date = date(2029, 1, 1)) -> list[RecordedCheck]:
    return [
        RecordedCheck("dbs_enhanced", date(2026, 1, 1), date(2029, 1, 1), adult_id="1"),
        RecordedCheck("dbs_enhanced", date(2026, 1, 1), dbs_2_expires, adult_id="2"),
        RecordedCheck("reference", date(2026, 2, 1)),
        RecordedCheck("reference", date(2026, 2, 3)),
        RecordedCheck("home_safety", date(2026, 3, 1), date(2027, 3, 1)),
        RecordedCheck("panel", date(2026, 4, 1)),
    ]


def test_a_complete_household_has_no_gaps() -> None:
    assert approval_gaps(ADULTS, _complete(), DAY) == []


def test_nothing_recorded_names_every_check_in_order() -> None:
    assert [g.reason for g in approval_gaps(ADULTS, [], DAY)] == [
        "Enhanced DBS check for Ann Ash: none on record.",
        "Enhanced DBS check for Bo Ash: none on record.",
        "First reference: none on record.",
        "Second reference: none on record.",
        "Home safety check: none on record.",
        "Panel approval: none on record.",
    ]


def test_each_adult_needs_their_own_dbs_check_in_date() -> None:
    assert [g.reason for g in approval_gaps(ADULTS, _complete(DAY), DAY)] == []
    lapsed = _complete(DAY - timedelta(days=1))
    assert [g.reason for g in approval_gaps(ADULTS, lapsed, DAY)] == [
        "Enhanced DBS check for Bo Ash: expired on 2 December 2026."
    ]
    only_ann = [c for c in _complete() if c.adult_id != "2"]
    assert [g.kind for g in approval_gaps(ADULTS, only_ann, DAY)] == ["dbs_enhanced:2"]


def test_one_reference_is_not_two_and_a_later_one_does_not_count_yet() -> None:
    one = [c for c in _complete() if not (c.kind == "reference" and c.checked_on.day == 3)]
    assert [g.reason for g in approval_gaps(ADULTS, one, DAY)] == [
        "Second reference: none on record."
    ]
    later = [*one, RecordedCheck("reference", DAY + timedelta(days=1))]
    assert [g.kind for g in approval_gaps(ADULTS, later, DAY)] == ["reference:2"]
    assert approval_gaps(ADULTS, later, DAY + timedelta(days=1)) == []


def test_a_household_with_no_adults_cannot_be_approved() -> None:
    assert approval_gaps((), _complete(), DAY)[0].reason.startswith("Adults in the home: none")


def test_a_complete_referral_misses_nothing() -> None:
    answers = ReferralAnswers(
        offer="long_term",
        about="Likes routine",
        needs_step_free=False,
        needs_smoke_free=True,
        allergic_to_pets=False,
        languages=("English",),
        interests=("Music",),
    )
    assert missing(answers) == []
    assert missing(ReferralAnswers(**{**answers.__dict__, "faith_matters": True})) == [
        "Their faith (they said sharing it matters to them)"
    ]


def test_an_empty_referral_lists_exactly_what_is_missing() -> None:
    assert missing(ReferralAnswers(about="  ")) == [
        "What support they want: a long-term home, short breaks or day support",
        "About the person and what matters to them",
        "Whether they need step-free access",
        "Whether they need a smoke-free home",
        "Whether they are allergic to pets",
        "The languages they speak",
        "Their interests",
    ]
