"""Shared Lives: approved carers (their household, home and what they offer), the dated checks that
approve them, referrals of people who need a placement, and matches from a first proposal through
both sides agreeing, introductions, visits and trial stays to a placement and its end.

Lists of words (skills, interests, languages) are kept as text, one item per comma, and read with
:func:`words`. A question nobody has answered is ``None`` and shown as "Not known"."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models


def words(text: str) -> list[str]:
    """``"Gardening, music ,"`` -> ``["Gardening", "music"]`` (order kept, blanks and repeats dropped)."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        item = part.strip()
        if item and item.casefold() not in seen:
            seen[item.casefold()] = item
    return list(seen.values())


class Offer(models.TextChoices):
    LONG_TERM = "long_term", "Long-term home"
    SHORT_BREAKS = "short_breaks", "Short breaks"
    DAY_SUPPORT = "day_support", "Day support"


class Carer(models.Model):
    """A Shared Lives carer household: applying, approved, or no longer caring."""

    class Status(models.TextChoices):
        APPLYING = "applying", "Being assessed"
        APPROVED = "approved", "Approved"
        WITHDRAWN = "withdrawn", "No longer a carer"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_lives_carer"
    )
    name = models.CharField("Household name", max_length=200)
    household = models.TextField("Who lives in the home", blank=True)
    neighbourhood = models.CharField(max_length=100, blank=True)
    skills = models.CharField(max_length=500, blank=True)
    interests = models.CharField(max_length=500, blank=True)
    faith = models.CharField(max_length=100, blank=True)
    languages = models.CharField(max_length=300, blank=True)
    step_free = models.BooleanField("Step-free access", null=True, blank=True)
    pets = models.BooleanField("Pets in the home", null=True, blank=True)
    smoking = models.BooleanField("Someone smokes in the home", null=True, blank=True)
    offers_long_term = models.BooleanField(default=False)
    offers_short_breaks = models.BooleanField(default=False)
    offers_day_support = models.BooleanField(default=False)
    places = models.PositiveSmallIntegerField("Places offered", default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLYING)
    approved_on = models.DateField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shared_lives_approvals",
    )
    created_on = models.DateField()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def offers(self) -> list[str]:
        flags = (
            (Offer.LONG_TERM, self.offers_long_term),
            (Offer.SHORT_BREAKS, self.offers_short_breaks),
            (Offer.DAY_SUPPORT, self.offers_day_support),
        )
        return [str(offer) for offer, on in flags if on]

    @property
    def offer_labels(self) -> list[str]:
        return [str(Offer(offer).label) for offer in self.offers]


class HouseholdAdult(models.Model):
    """An adult who lives in the carer's home: each needs an enhanced DBS check."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="adults")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class CarerCheck(models.Model):
    """One dated check in a carer's assessment. A DBS check names the adult it is for."""

    class Kind(models.TextChoices):
        DBS_ENHANCED = "dbs_enhanced", "Enhanced DBS check"
        REFERENCE = "reference", "Reference"
        HOME_SAFETY = "home_safety", "Home safety check"
        PANEL = "panel", "Panel approval"

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    adult = models.ForeignKey(
        HouseholdAdult, null=True, blank=True, on_delete=models.CASCADE, related_name="checks"
    )
    checked_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "checked_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("checked_on")),
                name="sharedlives_check_expires_after_made",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="dbs_enhanced") | models.Q(adult__isnull=False),
                name="sharedlives_dbs_names_an_adult",
            ),
        ]


class Referral(models.Model):
    """A person who needs a Shared Lives placement, and what matters for matching."""

    class Status(models.TextChoices):
        OPEN = "open", "Looking for a match"
        PLACED = "placed", "Placed"
        CLOSED = "closed", "Closed"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_lives_referrals"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shared_lives_caseload",
    )
    offer = models.CharField("Support wanted", max_length=20, choices=Offer.choices, blank=True)
    about = models.TextField("About the person and what matters to them", blank=True)
    needs_step_free = models.BooleanField(null=True, blank=True)
    needs_smoke_free = models.BooleanField(null=True, blank=True)
    allergic_to_pets = models.BooleanField(null=True, blank=True)
    neighbourhoods = models.CharField(
        "Places they would like to live near", max_length=300, blank=True
    )
    faith = models.CharField(max_length=100, blank=True)
    faith_matters = models.BooleanField("Sharing their faith matters to them", default=False)
    languages = models.CharField(max_length=300, blank=True)
    interests = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    received_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["received_on", "pk"]


class Match(models.Model):
    """A proposed match of a person with a carer, and what happened to it.

    Nobody is introduced until both the person and the carer have said yes (``person_agreed_on``
    and ``carer_agreed_on``); either side may say no, or end the match later, with a reason."""

    class Stage(models.TextChoices):
        PROPOSED = "proposed", "Asking both sides"
        AGREED = "agreed", "Both sides agreed"
        INTRODUCED = "introduced", "Introduced"
        PLACED = "placed", "Living or staying together"
        ENDED = "ended", "Ended"

    class Side(models.TextChoices):
        PERSON = "person", "The person"
        CARER = "carer", "The carer"
        WORKER = "worker", "The scheme worker"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="matches")
    carer = models.ForeignKey(Carer, on_delete=models.PROTECT, related_name="matches")
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.PROPOSED)
    proposed_on = models.DateField()
    person_agreed_on = models.DateField(null=True, blank=True)
    carer_agreed_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    weekly_cost = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    alternative_weekly_cost = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True
    )
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.CharField(max_length=8, choices=Side.choices, blank=True)
    end_reason = models.TextField(blank=True)
    new_match_wanted = models.BooleanField(default=False)

    class Meta:
        ordering = ["proposed_on", "pk"]
        constraints = [
            # The database refuses an introduction or placement nobody agreed to.
            models.CheckConstraint(
                condition=models.Q(stage__in=["proposed", "agreed", "ended"])
                | (
                    models.Q(person_agreed_on__isnull=False)
                    & models.Q(carer_agreed_on__isnull=False)
                ),
                name="sharedlives_both_agree_before_introduction",
            ),
            models.CheckConstraint(
                condition=models.Q(weekly_cost__isnull=True)
                | models.Q(weekly_cost__gte=Decimal(0)),
                name="sharedlives_cost_not_negative",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.ENDED


class MatchEvent(models.Model):
    """An introduction, visit or trial stay, with its dates."""

    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", "Introduction"
        VISIT = "visit", "Visit"
        TRIAL_STAY = "trial_stay", "Trial stay"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    on = models.DateField()
    until = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("on")),
                name="sharedlives_event_ends_after_it_starts",
            )
        ]
