"""Befriending and peer support: volunteers and their dated safeguarding checks, people who asked
for a befriender, matches from a proposal through both sides agreeing to a planned ending, the
contacts logged on a match, and peer support groups that point at a directory service.

Lists of words (interests, languages, places) are kept as text, one item per comma, read with
:func:`words`; times of the week as codes such as ``mon-am`` (:data:`rules.befriending.matching.TIMES`).
Nothing here is deleted by the app: an ended match, its contacts and a group membership that ended
are kept with their dates (erasure on request clears the personal parts, see ``personal_data.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rules.befriending.checks import DBS, KINDS, REFERENCE, TRAINING
from rules.befriending.matching import GENDERS


def words(text: str) -> list[str]:
    """``"Gardening, music ,"`` -> ``["Gardening", "music"]`` (order kept, blanks and repeats dropped)."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        item = part.strip()
        if item and item.casefold() not in seen:
            seen[item.casefold()] = item
    return list(seen.values())


GENDER_CHOICES = [("", "Not said")] + [
    (key, {"woman": "Woman", "man": "Man", "non_binary": "Non-binary"}[key]) for key in GENDERS
]


class Volunteer(models.Model):
    """A person who volunteers to befriend people or to lead a peer group.

    Nobody approves a volunteer by hand: their dated checks are the approval, asked again on the
    day of every proposal, agreement and contact (:mod:`rules.befriending.checks`)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Volunteering"
        STOPPED = "stopped", "No longer volunteering"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="befriending_volunteer",
    )
    name = models.CharField(max_length=200)
    about = models.TextField("About you", blank=True)
    interests = models.CharField(max_length=500, blank=True)
    languages = models.CharField(max_length=300, blank=True)
    times = models.CharField("Times free", max_length=300, blank=True)
    places = models.CharField("Areas where you can meet people", max_length=300, blank=True)
    gender = models.CharField(max_length=12, choices=GENDER_CHOICES, blank=True)
    capacity = models.PositiveSmallIntegerField("People you could befriend at once", default=1)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    applied_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1) & models.Q(capacity__lte=5),
                name="befriending_capacity_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Check(models.Model):
    """One dated safeguarding check, recorded by a coordinator. Each reference is one referee."""

    class Kind(models.TextChoices):  # the codes of rules.befriending.checks.KINDS
        DBS_ENHANCED = DBS, KINDS[DBS]
        REFERENCE = REFERENCE, KINDS[REFERENCE]
        TRAINING = TRAINING, KINDS[TRAINING]

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
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
                name="befriending_check_expires_after_made",
            )
        ]


class Request(models.Model):
    """A person who would like a befriender (asked themselves or was referred), and what they'd like."""

    class Source(models.TextChoices):
        SELF = "self", "Asked themselves"
        REFERRED = "referred", "Referred by someone else"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for a befriender"
        MATCHED = "matched", "Matched"
        CLOSED = "closed", "Closed"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="befriending_requests",
    )
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=8, choices=Source.choices)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="befriending_referrals_made",
    )
    referrer = models.CharField("Who referred them", max_length=200, blank=True)
    about = models.TextField("What they would like from a befriender", blank=True)
    interests = models.CharField(max_length=500, blank=True)
    languages = models.CharField(max_length=300, blank=True)
    times = models.CharField("Times free", max_length=300, blank=True)
    place = models.CharField("Area where they would like to meet", max_length=100, blank=True)
    gender_preference = models.CharField(max_length=12, choices=GENDER_CHOICES, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    received_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return self.name


class Match(models.Model):
    """A befriender and a person, from a proposal to a planned ending.

    It starts only when both have agreed (``person_agreed_on`` and ``volunteer_agreed_on``) and the
    befriender's checks are clear that day; either side, or the coordinator, ends it with a reason
    and a planned last meeting. An ended match is kept."""

    class Stage(models.TextChoices):
        PROPOSED = "proposed", "Asking both sides"
        ACTIVE = "active", "Meeting"
        ENDED = "ended", "Ended"

    class Side(models.TextChoices):
        PERSON = "person", "The person"
        VOLUNTEER = "volunteer", "The befriender"
        COORDINATOR = "coordinator", "The coordinator"

    class EndReason(models.TextChoices):
        DECLINED = "declined", "One side said no before it started"
        GOALS_MET = "goals_met", "The person is more connected and needs it less"
        PERSON_WISHES = "person_wishes", "The person no longer wants a befriender"
        VOLUNTEER_LEAVING = "volunteer_leaving", "The befriender is stopping or moving"
        PERSON_MOVING = "person_moving", "The person is moving or going into care"
        NOT_GETTING_ON = "not_getting_on", "It is not working out"
        SAFEGUARDING = "safeguarding", "A safeguarding concern"
        OTHER = "other", "Something else"

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="matches")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="matches")
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.PROPOSED)
    proposed_on = models.DateField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_agreed_on = models.DateField(null=True, blank=True)
    volunteer_agreed_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.CharField(max_length=12, choices=Side.choices, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_details = models.TextField(blank=True)
    last_meeting_on = models.DateField("Planned last meeting", null=True, blank=True)
    person_feedback = models.TextField(blank=True)
    volunteer_feedback = models.TextField(blank=True)

    class Meta:
        ordering = ["proposed_on", "pk"]
        constraints = [
            # The database refuses a match that started without both sides agreeing.
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | (
                    models.Q(person_agreed_on__isnull=False)
                    & models.Q(volunteer_agreed_on__isnull=False)
                ),
                name="befriending_both_agree_before_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage="active") | models.Q(started_on__isnull=False),
                name="befriending_active_has_started",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage="ended")
                | (models.Q(ended_on__isnull=False) & ~models.Q(end_reason="")),
                name="befriending_ended_has_reason",
            ),
            # One open match per befriender and person.
            models.UniqueConstraint(
                fields=["request", "volunteer"],
                condition=~models.Q(stage="ended"),
                name="befriending_one_open_match_per_pair",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.ENDED


class Contact(models.Model):
    """A visit, call or letter on a match. A concern flags it to the coordinator."""

    class How(models.TextChoices):
        IN_PERSON = "in_person", "Met in person"
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"
        WRITING = "writing", "Letter, email or message"

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="contacts")
    on = models.DateField("Date")
    how = models.CharField(max_length=10, choices=How.choices)
    minutes = models.PositiveSmallIntegerField()
    notes = models.TextField(blank=True)
    concern = models.TextField("Concern for the coordinator", blank=True)
    concern_read_on = models.DateField(null=True, blank=True)
    concern_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField()

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1) & models.Q(minutes__lte=720),
                name="befriending_contact_minutes_1_to_720",
            )
        ]


class PeerGroup(models.Model):
    """A peer support group. Where and when it meets come from its directory service."""

    name = models.CharField(max_length=200)
    service_id = models.CharField("Directory service", max_length=250)
    about = models.TextField(blank=True)
    lead = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups_led",
    )
    created_on = models.DateField()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person in a peer group, from joining to leaving. Kept after they leave."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_group_memberships"
    )
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=models.Q(left_on__isnull=True),
                name="befriending_one_open_membership",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="befriending_leaves_after_joining",
            ),
        ]
