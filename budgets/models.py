"""Self-directed support: assessments, indicative budgets, financial assessments, support plans,
pools and budget accounts. The database refuses what must never happen (a second answer set of the
same kind, a refusal without a reason, a transaction key used twice, a transaction reversed twice);
``budgets.services`` is the only writer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

ZERO = Decimal("0.00")


def money_field(**options: Any) -> models.DecimalField[Any, Any]:
    options.setdefault("max_digits", 10)
    options.setdefault("decimal_places", 2)
    options.setdefault("validators", [MinValueValidator(ZERO)])
    return models.DecimalField(**options)


# --- Care Act charging: a council's own, more generous figures ----------------------------------


class LocalChargingFigure(models.Model):
    """One local figure (an override of a national charging parameter) for an area, from a date.

    The calculator checks that every figure is at least as generous as the national one in force;
    ``budgets.services.save_local_figure`` and the admin form refuse one that is not.
    """

    area = models.CharField(max_length=100, help_text="The area these figures belong to.")
    parameter = models.CharField(max_length=100)
    value = money_field(max_digits=12)
    year = models.CharField(max_length=7, help_text="The financial year, for example 2025/26.")
    applies_from = models.DateField()
    note = models.CharField(max_length=250, blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "parameter", "-applies_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "parameter", "applies_from"], name="budgets_local_figure_once"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="budgets_local_figure_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.parameter} = {self.value} from {self.applies_from}"


class NationalChargingFigure(models.Model):
    """A national charging figure for a new year, typed from the DHSC local authority circular by
    one person (a coordinator or administrator) and confirmed by a different one. The calculator
    uses it from the moment it is confirmed; until then it is only a proposal."""

    parameter = models.CharField(max_length=100)
    value = money_field(max_digits=12)
    year = models.CharField(max_length=7, help_text="The financial year, for example 2026/27.")
    applies_from = models.DateField()
    source = models.URLField(
        max_length=500, help_text="Where the figure was read: the circular's address on GOV.UK."
    )
    note = models.CharField(max_length=250, blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["parameter", "-applies_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0), name="budgets_national_figure_positive"
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("entered_by")),
                name="budgets_national_figure_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parameter} = {self.value} from {self.applies_from}"


# --- supported self-assessment -------------------------------------------------------------------


class Assessment(models.Model):
    """A person's supported self-assessment of needs and strengths, against one RAS version."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments"
    )
    version_id = models.CharField(max_length=100, help_text="The RAS configuration version.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Assessment {self.pk} for {self.person}"


class AnswerSet(models.Model):
    """One version of the answers: the person's own, or the practitioner's. Both are kept."""

    class Kind(models.TextChoices):
        PERSON = "person", "The person's answers"
        PRACTITIONER = "practitioner", "The practitioner's answers"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answer_sets")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"answers": {domain: code}, "informal_support": {domain: code}, "carer": code|None,
    #  "free_text": {"<domain>.<prompt>": text}} - the rules.ras Answers shape.
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind"], name="budgets_answer_set_once")
        ]


class Invitation(models.Model):
    """An invitation to family, a friend or an advocate to contribute to an assessment: either to
    an existing account, or a link whose token only the person sees (we keep its hash)."""

    class Relationship(models.TextChoices):
        FAMILY = "family", "Family"
        FRIEND = "friend", "Friend or neighbour"
        ADVOCATE = "advocate", "Advocate"
        CARER = "carer", "Carer"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    name = models.CharField(max_length=150, blank=True, default="")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessment_invitations",
    )
    token_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"], condition=~Q(token_hash=""), name="budgets_invite_token"
            ),
            models.CheckConstraint(
                condition=Q(invitee__isnull=False) | ~Q(token_hash=""),
                name="budgets_invite_has_someone",
            ),
        ]

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.invitee_id is not None and bool(self.accepted_at)


class Contribution(models.Model):
    """What a family member, friend, advocate or practitioner adds, in their own words."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="contributions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    relationship = models.CharField(max_length=40, blank=True, default="")
    topic = models.CharField(max_length=100, help_text="A domain id, or about_me.")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]


class IndicativeBudget(models.Model):
    """An indicative budget as calculated, with the configuration version and the answers used.
    Never changed after it is written: a new calculation is a new row, and an agreed budget stays
    what it was when later configurations arrive."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="budgets")
    answer_kind = models.CharField(max_length=20, choices=AnswerSet.Kind.choices)
    version_id = models.CharField(max_length=100)
    answers = models.JSONField()
    total_points = models.DecimalField(max_digits=10, decimal_places=4)
    weekly = money_field()
    annual = money_field(max_digits=12)
    explanation = models.JSONField(help_text="The explanation lines, as shown to the person.")
    needs_review = models.CharField(max_length=100, blank=True, default="")
    calculated_at = models.DateTimeField(auto_now_add=True)
    calculated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-calculated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekly__gte=0), name="budgets_budget_weekly_gte_0")
        ]


class FinancialAssessment(models.Model):
    """A person's Care Act financial assessment: what they may be asked to pay each week."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="financial_assessments"
    )
    inputs = models.JSONField()
    result = models.JSONField()
    weekly_charge = money_field()
    provisional = models.BooleanField(default=False)
    rates_date = models.DateField(help_text="The date whose national figures were used.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]


# --- support plans -------------------------------------------------------------------------------


class SupportPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Waiting for agreement"
        CHANGES_REQUESTED = "changes_requested", "Changes asked for"
        APPROVED = "approved", "Agreed"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_plans"
    )
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    budget = models.ForeignKey(
        IndicativeBudget, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    financial_assessment = models.ForeignKey(
        FinancialAssessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    top_up_weekly = money_field(default=ZERO)
    over_budget_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(top_up_weekly__gte=0), name="budgets_plan_top_up_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"Support plan {self.pk} for {self.person}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.CHANGES_REQUESTED)


class PlanOutcome(models.Model):
    """What the person wants, in their own words, linked to Care Act wellbeing domains."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="outcomes")
    text = models.TextField()
    wellbeing = models.JSONField(default=list, help_text="WellbeingDomain codes.")
    open_to_sharing = models.BooleanField(
        default=False,
        help_text="The person agrees to be put in touch with others nearby who want the same.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Pool(models.Model):
    """People whose plans share an outcome in one neighbourhood, jointly buying a service."""

    class Status(models.TextChoices):
        FORMING = "forming", "Agreeing shares"
        AGREED = "agreed", "Agreed by everyone"
        DECLINED = "declined", "Not agreed: someone said no, so the broker will re-split or cancel"
        CANCELLED = "cancelled", "Cancelled by the broker"

    name = models.CharField(max_length=150)
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood", on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "directory.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(blank=True, default="")
    weekly_cost = money_field()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.FORMING)
    split = models.PositiveIntegerField(
        default=1, help_text="Which split of the cost this is: each re-split adds one."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekly_cost__gt=0), name="budgets_pool_cost_gt_0")
        ]

    def __str__(self) -> str:
        return self.name


class PoolMember(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="members")
    outcome = models.ForeignKey(PlanOutcome, on_delete=models.CASCADE, related_name="pool_members")
    share = models.PositiveIntegerField(help_text="Relative share of the cost, e.g. 1 of 3.")
    weekly_cost = money_field(default=ZERO)
    agreed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    over_budget_by = money_field(
        default=ZERO, help_text="How far this share takes the plan over its budget each week."
    )
    over_budget_reason = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pool", "outcome"], name="budgets_pool_member_once"),
            models.CheckConstraint(condition=Q(share__gt=0), name="budgets_pool_share_gt_0"),
        ]


class Need(models.TextChoices):
    """Kinds of support, for counting what people looked for and could not find (the gap in the
    market). Broad on purpose: a count by neighbourhood and need must not point at one person."""

    COMPANY = "company", "Company and things to do"
    GETTING_OUT = "getting_out", "Getting out and about"
    PERSONAL_CARE = "personal_care", "Personal care"
    MEALS = "meals", "Meals and food"
    HOME = "home", "Help at home and in the garden"
    LEARNING_WORK = "learning_work", "Learning, volunteering and work"
    CARER_BREAK = "carer_break", "A break for a carer"
    HEALTH = "health", "Staying healthy and active"
    OTHER = "other", "Something else"


class PlanLine(models.Model):
    """How an outcome will be met: paid and unpaid support side by side. A line may also record
    support the person looked for and could not find (``NOT_FOUND``, with its ``need``): it costs
    nothing and is counted, without names, on the gap-in-the-market page."""

    class Kind(models.TextChoices):
        SERVICE = "service", "A service from the directory"
        TIME_BANK = "time_bank", "Time bank hours"
        SHARED_LIVES = "shared_lives", "Shared Lives"
        COMMUNITY = "community", "A community group"
        FAMILY = "family", "Family and friends"
        POOL = "pool", "A service bought with others (pooled)"
        OTHER = "other", "Something else"
        NOT_FOUND = "not_found", "Could not find this"

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="lines")
    outcome = models.ForeignKey(PlanOutcome, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=250)
    service = models.ForeignKey(
        "directory.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pool_member = models.OneToOneField(
        PoolMember, null=True, blank=True, on_delete=models.CASCADE, related_name="line"
    )
    who = models.CharField(max_length=200, blank=True, default="")
    schedule = models.CharField(max_length=200, blank=True, default="")
    unit_cost = money_field(null=True, blank=True)
    units_per_week = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    weekly_cost = money_field(default=ZERO)
    minutes_per_week = models.PositiveIntegerField(default=0)
    timebank_reference = models.CharField(max_length=100, blank=True, default="")
    need = models.CharField(max_length=20, choices=Need.choices, blank=True, default="")

    class Meta:
        ordering = ["outcome__position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekly_cost__gte=0), name="budgets_line_cost_gte_0"),
            models.CheckConstraint(
                condition=~Q(kind="service") | Q(service__isnull=False),
                name="budgets_line_service_needs_service",
            ),
            models.CheckConstraint(
                condition=~Q(kind="time_bank") | Q(minutes_per_week__gt=0),
                name="budgets_line_time_bank_needs_minutes",
            ),
            models.CheckConstraint(
                condition=(~Q(kind="not_found") & Q(need=""))
                | (Q(kind="not_found") & ~Q(need="") & Q(weekly_cost=0)),
                name="budgets_line_not_found_has_need_and_no_cost",
            ),
        ]

    @property
    def paid(self) -> bool:
        return bool(self.weekly_cost > 0)


class PlanVersion(models.Model):
    """A frozen copy of a plan at each step (proposed, agreed). Never changed."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    event = models.CharField(max_length=20)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="budgets_plan_version_once")
        ]


class PlanDecision(models.Model):
    """An approver's decision on a proposed version. Asking for a change needs a written reason."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Agreed"
        CHANGES_REQUESTED = "changes_requested", "Change asked for"

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="decisions")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="changes_requested") | ~Q(reason=""),
                name="budgets_change_request_has_reason",
            ),
            models.UniqueConstraint(fields=["version"], name="budgets_one_decision_per_version"),
        ]


class PlanReview(models.Model):
    """A review of an agreed plan: one is due 8 weeks after agreement, and each one recorded sets
    the date of the next (at most a year on, as the Care Act statutory guidance expects)."""

    class Result(models.TextChoices):
        WORKING = "working", "The plan is working: keep it as it is"
        CHANGE = "change", "Some of the support needs to change"
        REASSESS = "reassess", "Needs or circumstances have changed: a new assessment is needed"

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    result = models.CharField(max_length=20, choices=Result.choices, blank=True, default="")
    took_part = models.CharField(max_length=300, blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The due date the "review due" email was sent for (budgets_review_reminders): sent once for
    # each due date, again only if the review is moved to another date.
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]


# --- budget accounts: a double-entry, append-only ledger in pence --------------------------------


class BudgetAccount(models.Model):
    """A direct payment or a managed account for one approved plan. Its ledger account id is
    ``budget:<pk>``; the balance is the sum of its postings."""

    class Kind(models.TextChoices):
        DIRECT_PAYMENT = "direct_payment", "Direct payment (you manage the money)"
        MANAGED = "managed", "Managed account (the council or a broker pays for you)"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="budget_accounts"
    )
    plan = models.OneToOneField(SupportPlan, on_delete=models.PROTECT, related_name="account")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="budgets_period_order"
            )
        ]

    @property
    def ledger_id(self) -> str:
        return f"budget:{self.pk}"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: object) -> int:
        raise TypeError("The ledger is append-only: post a reversal instead of changing a record.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The ledger is append-only: post a reversal instead of deleting a record.")


class LedgerTransaction(models.Model):
    """One balanced transaction. ``key`` is the idempotency key (unique); a reversal points at the
    transaction it undoes, and the one-to-one constraint means each is reversed at most once."""

    key = models.CharField(max_length=100, unique=True)
    account = models.ForeignKey(
        BudgetAccount, on_delete=models.PROTECT, related_name="transactions"
    )
    kind = models.CharField(max_length=20)
    effective = models.DateField()
    memo = models.CharField(max_length=300, blank=True, default="")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    payee = models.CharField(max_length=250, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["effective", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="reversal") & Q(reverses__isnull=False))
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="budgets_reversal_names_original",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "allocation",
                        "contribution",
                        "provider_payment",
                        "refund",
                        "reversal",
                    ]
                ),
                name="budgets_transaction_kind",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("The ledger is append-only: a transaction cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("The ledger is append-only: post a reversal instead.")


class LedgerPosting(models.Model):
    """One line of a transaction: ``amount_pence`` is added to ``ledger_account``'s balance."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="postings"
    )
    ledger_account = models.CharField(max_length=100, db_index=True)
    amount_pence = models.BigIntegerField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(amount_pence=0), name="budgets_posting_nonzero"),
            models.UniqueConstraint(
                fields=["transaction", "ledger_account"], name="budgets_posting_account_once"
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("The ledger is append-only: a posting cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("The ledger is append-only: post a reversal instead.")


# --- caseloads: which practitioners may open whose records ---------------------------------------


class CaseTeam(models.Model):
    """A team of practitioners (brokers, social workers) who share a caseload."""

    name = models.CharField(max_length=150, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="case_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseAssignment(models.Model):
    """A person on a practitioner's caseload, or on a team's (then every member's). A coordinator
    or administrator assigns; ``budgets.services.assign_caseload`` audits it."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_assignments"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="caseload",
    )
    team = models.ForeignKey(
        CaseTeam, null=True, blank=True, on_delete=models.CASCADE, related_name="caseload"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(practitioner__isnull=False) & Q(team__isnull=True))
                | (Q(practitioner__isnull=True) & Q(team__isnull=False)),
                name="budgets_assignment_one_holder",
            ),
            models.UniqueConstraint(
                fields=["person", "practitioner"],
                condition=Q(practitioner__isnull=False),
                name="budgets_assignment_practitioner_once",
            ),
            models.UniqueConstraint(
                fields=["person", "team"],
                condition=Q(team__isnull=False),
                name="budgets_assignment_team_once",
            ),
        ]


class BreakGlassAccess(models.Model):
    """A practitioner opened a person's records outside their caseload, giving a reason. It lets
    them in until ``expires_at``; the audit trail records it with the reason."""

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="budgets_break_glass_reason"),
        ]
