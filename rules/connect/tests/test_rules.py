import datetime as dt
import json

import pytest

from rules.connect.parameters import answer_due, is_overdue, parameters_on
from rules.connect.summary import ReferralFacts, summary

FACTS = ReferralFacts(
    referral_id="r1",
    person_name="Ada Secretname",
    referrer_name="Hill Street Surgery",
    reason="SECRET-REASON lonely since bereavement",
    what_matters="SECRET-MATTERS gardening",
    status="closed",
    received_on="2026-03-01",
    first_conversation_on="2026-03-05",
    closed_on="2026-05-01",
    declined=False,
    services=(("Lunch club", "attended"),),
    wellbeing=(("first conversation", "SECRET-SCORE 20"),),
)


def test_answer_due_is_fourteen_days_and_the_fifteenth_is_overdue() -> None:
    sent = dt.date(2026, 3, 1)
    assert answer_due(sent) == dt.date(2026, 3, 15)
    assert not is_overdue(sent, dt.date(2026, 3, 15))
    assert is_overdue(sent, dt.date(2026, 3, 16))


def test_no_parameters_before_the_first_row() -> None:
    with pytest.raises(ValueError, match="2025-12-31"):
        parameters_on(dt.date(2025, 12, 31))


def test_without_consent_nothing_personal_goes_back() -> None:
    text = json.dumps(summary(FACTS))
    for secret in ("SECRET", "Secretname", "gardening", "Lunch club"):
        assert secret not in text
    assert "871731000000106" in text


def test_share_back_without_outcomes_consent_leaves_scores_out() -> None:
    from dataclasses import replace

    out = summary(replace(FACTS, consent_share_back=True))
    text = json.dumps(out)
    assert "SECRET-MATTERS" in text and "SECRET-REASON" in text
    assert "SECRET-SCORE" not in text and "outcome_measures" not in out
    both = summary(replace(FACTS, consent_share_back=True, consent_outcomes=True))
    assert "SECRET-SCORE" in json.dumps(both)


def test_declined_uses_the_declined_code() -> None:
    from dataclasses import replace

    out = summary(replace(FACTS, declined=True))
    assert out["social_prescribing_status"]["code"] == "871711000000103"
