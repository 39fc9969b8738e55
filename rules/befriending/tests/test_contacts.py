from datetime import date, timedelta

from rules.befriending.contacts import MAX_MINUTES, Refusal, contact_refusal, minutes_between

TODAY = date(2026, 6, 15)
STARTED = date(2026, 5, 1)


def refusal(**changes: object) -> Refusal | None:
    values: dict[str, object] = {
        "on": TODAY,
        "minutes": 60,
        "today": TODAY,
        "started_on": STARTED,
        "last_meeting_on": None,
        "check_gaps": [],
    }
    values.update(changes)
    return contact_refusal(**values)  # type: ignore[arg-type]


def test_a_contact_today_on_a_running_match_is_allowed() -> None:
    assert refusal() is None


def test_date_boundaries() -> None:
    assert refusal(on=TODAY + timedelta(days=1)) == Refusal(
        "on", "The date of the contact must be today or in the past"
    )
    assert refusal(on=STARTED) is None
    assert refusal(on=STARTED - timedelta(days=1)).field == "on"  # type: ignore[union-attr]
    assert refusal(started_on=None).message.startswith("The match has not started")  # type: ignore[union-attr]


def test_the_planned_last_meeting_is_the_last_day_a_contact_can_be_logged() -> None:
    last = TODAY - timedelta(days=2)
    assert refusal(on=last, last_meeting_on=last) is None
    assert (
        "last meeting on 13 June 2026"
        in refusal(  # type: ignore[union-attr]
            on=last + timedelta(days=1), last_meeting_on=last
        ).message
    )


def test_minutes_boundaries() -> None:
    assert refusal(minutes=0).field == "minutes"  # type: ignore[union-attr]
    assert refusal(minutes=1) is None
    assert refusal(minutes=MAX_MINUTES) is None
    assert refusal(minutes=MAX_MINUTES + 1).field == "minutes"  # type: ignore[union-attr]


def test_a_gap_in_checks_pauses_contacts_and_names_the_gap() -> None:
    found = refusal(check_gaps=["Enhanced DBS check: expired on 14 June 2026."])
    assert found is not None and found.field == "on"
    assert "Contacts are paused" in found.message
    assert "Enhanced DBS check: expired on 14 June 2026." in found.message


def test_minutes_between_counts_both_end_days() -> None:
    contacts = [(date(2026, 1, 1), 30), (date(2026, 1, 31), 45), (date(2026, 2, 1), 60)]
    assert minutes_between(contacts, date(2026, 1, 1), date(2026, 1, 31)) == 75
    assert minutes_between(contacts, date(2026, 1, 2), date(2026, 1, 30)) == 0
    assert minutes_between(contacts, date(2026, 1, 31), date(2026, 2, 1)) == 105
