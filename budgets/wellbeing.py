"""The Care Act 2014 wellbeing domains (section 1(2)), in plain words, for linking plan outcomes."""

from __future__ import annotations

from django.db import models


class WellbeingDomain(models.TextChoices):
    DIGNITY = "dignity", "Being treated with dignity and respect"
    HEALTH = "health", "Physical and mental health, and feeling well"
    SAFETY = "safety", "Being safe from abuse and neglect"
    CONTROL = "control", "Control over my day-to-day life and my support"
    PARTICIPATION = "participation", "Work, learning, training or things I enjoy doing"
    SOCIAL_ECONOMIC = "social_economic", "Having enough money and a social life"
    RELATIONSHIPS = "relationships", "Family, friends and relationships"
    HOME = "home", "Living in a home that suits me"
    CONTRIBUTION = "contribution", "What I give to my community"


# Care Act s.1(2) paragraph letters, for the design notes and for people who ask "where is this from?"
STATUTE_LETTER = {
    WellbeingDomain.DIGNITY: "a",
    WellbeingDomain.HEALTH: "b",
    WellbeingDomain.SAFETY: "c",
    WellbeingDomain.CONTROL: "d",
    WellbeingDomain.PARTICIPATION: "e",
    WellbeingDomain.SOCIAL_ECONOMIC: "f",
    WellbeingDomain.RELATIONSHIPS: "g",
    WellbeingDomain.HOME: "h",
    WellbeingDomain.CONTRIBUTION: "i",
}


def labels(codes: list[str]) -> list[str]:
    known = dict(WellbeingDomain.choices)
    return [known[code] for code in codes if code in known]
