"""Is a Shared Lives referral complete enough to match? Every answer matching depends on must be
given; each one missing is named in plain words, in the order the referral form asks them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReferralAnswers:
    """What the referral says so far. ``None`` is a question nobody has answered yet."""

    offer: str = ""
    about: str = ""
    needs_step_free: bool | None = None
    needs_smoke_free: bool | None = None
    allergic_to_pets: bool | None = None
    languages: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    faith: str = ""
    faith_matters: bool = False


def missing(answers: ReferralAnswers) -> list[str]:
    """What to record before matching; an empty list means the referral is complete.

    Neighbourhoods are optional (someone may not mind where they live); faith is needed only when
    the person said sharing it matters to them."""
    found: list[str] = []
    if not answers.offer:
        found.append("What support they want: a long-term home, short breaks or day support")
    if not answers.about.strip():
        found.append("About the person and what matters to them")
    if answers.needs_step_free is None:
        found.append("Whether they need step-free access")
    if answers.needs_smoke_free is None:
        found.append("Whether they need a smoke-free home")
    if answers.allergic_to_pets is None:
        found.append("Whether they are allergic to pets")
    if not answers.languages:
        found.append("The languages they speak")
    if not answers.interests:
        found.append("Their interests")
    if answers.faith_matters and not answers.faith.strip():
        found.append("Their faith (they said sharing it matters to them)")
    return found
