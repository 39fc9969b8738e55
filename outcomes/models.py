"""What a person's outcome record holds: their answers to measures (with the measure version, so a
later measure file never changes a recorded score), goals in their own words broken into steps,
progress ratings, self-reported follow-up and the team's worklist.

Scores are never stored: they are computed from the stored answers by ``rules.outcomes``."""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class Profile(models.Model):
    """One per person: whether their answers count in aggregates, who holds the pen, and the
    groups (service, programme, neighbourhood) their outcomes are reported under."""

    person = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="outcome_profile")
    counts_in_aggregates = models.BooleanField(
        default=False,
        help_text="The person said yes to their answers counting (anonymously) in reports.",
    )
    consent_changed_at = models.DateTimeField(null=True, blank=True)
    family_led = models.BooleanField(default=False)
    pen_holder = models.CharField(
        "who holds the pen",
        max_length=150,
        blank=True,
        default="",
        help_text="For a family-led plan: the family member who writes it, e.g. 'my daughter Sam'.",
    )
    pen_holder_account = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The pen holder's own account, when they have one and the person lets them help.",
    )
    service = models.CharField(max_length=150, blank=True, default="")
    programme = models.CharField(max_length=150, blank=True, default="")
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)


class Helper(models.Model):
    """A carer or family member the person lets answer and review on their behalf."""

    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="outcome_helpers")
    helper = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="outcome_helping")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]


class AnswerSet(models.Model):
    class Occasion(models.TextChoices):
        START = "start", "Start of support"
        REVIEW = "review", "Plan review"
        CHOSEN = "chosen", "When I chose"
        FOLLOW_UP = "follow_up", "Self-reported follow-up"

    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="outcome_answers")
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=30)
    answered_on = models.DateField()
    occasion = models.CharField(max_length=20, choices=Occasion.choices)

    class AnsweredBy(models.TextChoices):
        PERSON = "person", "The person"
        WITH_HELP = "with_help", "The person, with someone recording their answers"
        PROXY = "proxy", "Someone else, answering for them"

    answers = models.JSONField()
    answered_by = models.CharField(
        max_length=20, choices=AnsweredBy.choices, default=AnsweredBy.PERSON
    )
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answered_on", "recorded_at", "id"]
        indexes = [models.Index(fields=["person", "measure_id", "answered_on"])]


class Goal(models.Model):
    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="outcome_goals")
    text = models.CharField("goal, in your own words", max_length=500)
    started_on = models.DateField()
    written_by = models.CharField(
        max_length=150,
        blank=True,
        default="",
        help_text="Who wrote it when a family member holds the pen.",
    )
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField(null=True, blank=True)
    plan_outcome = models.ForeignKey(
        "budgets.PlanOutcome",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals",
        help_text="The support-plan outcome this goal works towards, if the person chose one.",
    )

    class Meta:
        ordering = ["started_on", "id"]


class GoalStep(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    supporter = models.CharField(max_length=150, blank=True, default="")
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]


class GoalRating(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    rated_on = models.DateField()
    score = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rated_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "rated_on"], name="one_goal_rating_a_day"),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="goal_rating_0_to_10"),
        ]


class FollowUp(models.Model):
    """Self-reported (patient-initiated) follow-up: the person reports when they choose."""

    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="outcome_follow_ups")
    team = models.ForeignKey("budgets.CaseTeam", on_delete=models.PROTECT, related_name="+")
    measure_id = models.CharField(max_length=60)
    value_id = models.CharField(max_length=60, help_text="The score value the threshold is on.")
    threshold = models.DecimalField(max_digits=8, decimal_places=2)
    reminder_days = models.PositiveSmallIntegerField()
    response_days = models.PositiveSmallIntegerField(default=2)
    started_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]


class FollowUpReport(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="reports")
    answer_set = models.ForeignKey(
        AnswerSet, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_me = models.BooleanField(default=False)
    note = models.CharField(max_length=1000, blank=True, default="")
    past_threshold = models.BooleanField(default=False)
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_at", "-id"]


class WorkItem(models.Model):
    """A person the team must contact, by ``due_by``."""

    class Reason(models.TextChoices):
        THRESHOLD = "threshold", "Answers past the threshold"
        CONTACT = "contact", "Asked to be contacted"
        NOT_REPORTED = "not_reported", "Has not reported"

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="work_items")
    report = models.ForeignKey(
        FollowUpReport, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    due_by = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    done_note = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["due_by", "id"]


class Reminder(models.Model):
    """One 'you have not reported' reminder per quiet period (the unique key keeps
    ``outcomes_reminders`` idempotent)."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="reminders")
    quiet_since = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "quiet_since"], name="one_reminder_per_quiet_period"
            )
        ]


class AreaWording(models.Model):
    """Licensed question wording the area loaded for one measure version (the shipped files hold
    only topic labels). One is in force per measure version; loading another withdraws it."""

    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=30)
    wording = models.JSONField(help_text="{item id: question text}, checked against the registry")
    licence_reference = models.CharField(max_length=300)
    file_name = models.CharField(max_length=255, blank=True, default="")
    loaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    loaded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-loaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure_id", "measure_version"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_area_wording_in_force_per_measure_version",
            )
        ]
