"""People's voice (issue 15): feedback on anything, moderated stories, responses on a clock and
"you said, we did" changes.

The original words a person gave (``Feedback.text``) and who they are (name, email, account) are
private to the independent moderators; the text anyone else reads is ``published_text``, written
by a moderator with personal details and defamation removed. Directory services and organisations
are referred to by their ids (strings) with a copy of their names, never by foreign key: this app
talks to the directory only through its selectors and services.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Team(models.Model):
    """A council team feedback can be about, entered by administrators (in the admin). Its
    members acknowledge and respond to feedback about it."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Feedback(models.Model):
    class Kind(models.TextChoices):
        COMPLIMENT = "compliment", "A compliment"
        CONCERN = "concern", "A concern"
        COMPLAINT = "complaint", "A complaint"
        IDEA = "idea", "An idea"

    class About(models.TextChoices):
        SERVICE = "service", "A service or provider in the directory"
        TEAM = "team", "A council team"
        OTHER = "other", "Something else"

    class Topic(models.TextChoices):
        SUPPORT_PLAN = "support_plan", "A support plan"
        ASSESSMENT = "assessment", "An assessment"
        TIME_BANK = "time_bank", "The time bank"
        PB_ROUND = "pb_round", "A participatory budgeting round"
        OTHER = "other", "Something else"

    class GivenAs(models.TextChoices):
        SELF = "self", "About my own support"
        CARER = "carer", "As a carer or family member"
        ADVOCATE = "advocate", "As an advocate on someone's behalf"

    class Source(models.TextChoices):
        ONLINE = "online", "Online form"
        PHONE = "phone", "Phone call"
        PAPER = "paper", "Paper form or letter"
        IN_PERSON = "in_person", "In person"

    class Identity(models.TextChoices):
        NAMED = "named", "Use my name"
        HIDDEN = "hidden", "Use my name, but do not tell the provider who I am"
        ANONYMOUS = "anonymous", "Do not record my name at all (anonymous)"

    class Moderation(models.TextChoices):
        WAITING = "waiting", "Waiting for a moderator"
        PUBLISHED = "published", "Published as a story"
        PRIVATE = "private", "Passed to the provider, not published"
        DECLINED = "declined", "Not published"

    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    about = models.CharField(max_length=10, choices=About.choices)
    service_id = models.CharField(max_length=250, blank=True, db_index=True)
    service_name = models.CharField(max_length=300, blank=True)
    organization_id = models.CharField(max_length=250, blank=True, db_index=True)
    organization_name = models.CharField(max_length=300, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)
    topic = models.CharField(max_length=20, choices=Topic.choices, blank=True)
    topic_text = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    given_as = models.CharField(max_length=10, choices=GivenAs.choices)
    # Private to moderators: the words as given, and who gave them.
    text = models.TextField()
    identity = models.CharField(max_length=10, choices=Identity.choices)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voice_feedback",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()
    received_on = models.DateField()
    acknowledge_by = models.DateField()
    respond_by = models.DateField()
    # Moderation: the published text is separate from the original.
    moderation = models.CharField(
        max_length=10, choices=Moderation.choices, default=Moderation.WAITING
    )
    published_text = models.TextField(blank=True)
    themes = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The clock
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_by_name = models.CharField(max_length=200, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def subject_name(self) -> str:
        if self.about == self.About.SERVICE:
            return self.service_name
        if self.about == self.About.TEAM and self.team is not None:
            return self.team.name
        label = self.Topic(self.topic).label if self.topic else "Something else"
        return f"{label}: {self.topic_text}" if self.topic_text else label

    @property
    def theme_list(self) -> list[str]:
        return [t for t in (x.strip() for x in self.themes.split(",")) if t]

    @property
    def identity_withheld(self) -> bool:
        return self.identity != self.Identity.NAMED


class ModerationDecision(models.Model):
    """Every moderation decision, with its reason (the audit trail has it too)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Feedback.Moderation.choices)
    reason = models.TextField()
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "pk"]


class Change(models.Model):
    """A change a response promised. Made only when the person who gave the feedback confirms
    it, or (anonymous feedback) a moderator verifies it with evidence."""

    class State(models.TextChoices):
        PROMISED = "promised", "Change promised"
        MADE = "made", "Change made"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="changes")
    description = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROMISED)
    promised_at = models.DateTimeField()
    made_at = models.DateTimeField(null=True, blank=True)
    confirmed_by_author = models.BooleanField(default=False)
    evidence = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-promised_at"]


class ExpertByExperience(models.Model):
    """The register of trained experts by experience, kept by the voice organisation. Only a
    person trained on or before the visit can be an expert on a check."""

    class RecruitedFrom(models.TextChoices):
        TIME_BANK = "time_bank", "The time bank's members"
        PEOPLES_PANEL = "peoples_panel", "The People's Panel"
        OTHER = "other", "Elsewhere (for example a carers' group)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_expert"
    )
    recruited_from = models.CharField(max_length=15, choices=RecruitedFrom.choices)
    training = models.CharField(max_length=200)
    trained_on = models.DateField()
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField()

    class Meta:
        ordering = ["-trained_on", "pk"]

    def __str__(self) -> str:
        return f"Expert by experience {self.user_id}"


class QualityCheck(models.Model):
    """An experts-by-experience quality check of a directory service or a council team.

    Planned by the independent voice organisation (moderators). At least three experts score
    the rubric separately (none sees another's scores until the report is published); the
    provider or team gives its own self-assessment; publishing the report combines the scores
    (``rules.voice.quality``), rewards the experts' time once, and starts the provider's
    response clock. Services and organisations are referred to by id with a copy of the name,
    and the time-bank organisation that thanks the experts by its member id (this app reaches
    the time bank only through its services and selectors).
    """

    class About(models.TextChoices):
        SERVICE = "service", "A service or provider in the directory"
        TEAM = "team", "A council team"

    class State(models.TextChoices):
        OPEN = "open", "Experts scoring"
        PUBLISHED = "published", "Report published"

    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    about = models.CharField(max_length=10, choices=About.choices)
    service_id = models.CharField(max_length=250, blank=True, db_index=True)
    service_name = models.CharField(max_length=300, blank=True)
    organization_id = models.CharField(max_length=250, blank=True, db_index=True)
    organization_name = models.CharField(max_length=300, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)
    visit_date = models.DateField()
    minutes_per_expert = models.PositiveIntegerField()
    credits_member_id = models.PositiveIntegerField(null=True, blank=True)
    credits_member_name = models.CharField(max_length=150, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    # The provider's or team's own view, on the same rubric: {domain: score or null}.
    self_assessment = models.JSONField(default=dict, blank=True)
    self_assessed_at = models.DateTimeField(null=True, blank=True)
    self_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    respond_by = models.DateField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by_name = models.CharField(max_length=200, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-visit_date", "-pk"]

    def __str__(self) -> str:
        return f"Quality check {self.reference}"

    @property
    def subject_name(self) -> str:
        if self.about == self.About.TEAM and self.team is not None:
            return self.team.name
        return self.service_name

    @property
    def organisation_label(self) -> str:
        if self.about == self.About.TEAM and self.team is not None:
            return self.team.name
        return self.organization_name or self.service_name


class CheckExpert(models.Model):
    """One expert by experience on a check: their own scores, and how their time is rewarded.

    ``credit_key`` is the time bank's idempotency key of the credits issued for this expert on
    this check; it is set in the same transaction as the ledger entry, so a repeated publish
    finds it and issues nothing more (the ledger's unique key is a second guard)."""

    class Reward(models.TextChoices):
        TIME_CREDITS = "time_credits", "Time credits from the time bank"
        PAYMENT = "payment", "Payment (arranged by the voice organisation)"
        NONE = "none", "No reward wanted"

    quality_check = models.ForeignKey(
        QualityCheck, on_delete=models.CASCADE, related_name="experts"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="voice_checks",
    )
    label = models.CharField(max_length=20)
    reward = models.CharField(max_length=15, choices=Reward.choices)
    minutes = models.PositiveIntegerField()
    scores = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    credit_key = models.CharField(max_length=120, blank=True)
    credited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["quality_check", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["quality_check", "expert"], name="voice_one_place_per_expert"
            ),
            models.UniqueConstraint(
                fields=["quality_check", "label"], name="voice_expert_label_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} on {self.quality_check.reference}"


class VisitPair(models.Model):
    """Two experts on a check who visit together: a date and a place or part of the service
    (experts by experience visit in pairs, so nobody visits alone and each can score what they
    saw). Both are places on the same check (``CheckExpert`` rows, so a pair stays, unnamed,
    when an expert's account is erased); a group visit is recorded as several pairs on the
    same date and place. ``services.record_visit_pair`` refuses the same person twice, an
    expert not on the check, and an expert whose training is dated after the visit."""

    quality_check = models.ForeignKey(
        QualityCheck, on_delete=models.CASCADE, related_name="visit_pairs"
    )
    first = models.ForeignKey(CheckExpert, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(CheckExpert, on_delete=models.CASCADE, related_name="+")
    visit_on = models.DateField()
    place = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["quality_check", "visit_on", "place", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(first=models.F("second")), name="voice_pair_two_people"
            ),
            models.UniqueConstraint(
                fields=["quality_check", "first", "second", "visit_on", "place"],
                name="voice_pair_once_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first.label} and {self.second.label} on {self.visit_on}"


class CoproductionAssessment(models.Model):
    """One co-production self-assessment workshop for an organisation or a project: for each of
    the four kinds, the rung of the ladder the workshop agreed, the activity's impact and effort
    (the Priority Matrix) and notes. ``prefill`` keeps the figures the platform had recorded,
    as shown to the workshop, so later readers see what the rungs were judged against."""

    subject = models.CharField(max_length=200)
    subject_key = models.SlugField(max_length=80, db_index=True)
    held_on = models.DateField()
    participants = models.CharField(max_length=300)
    prefill = models.JSONField(default=list, blank=True)
    ratings = models.JSONField(default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["subject_key", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Co-production self-assessment of {self.subject}, {self.held_on}"
