"""The time bank's tables: members, safeguarding checks, offers and requests, exchanges, the
double-entry ledger (transactions and postings), rotas and their reminders.

The database refuses what must never happen: a second exchange or ledger transaction with the same
idempotency key, a second reversal of one transaction, a zero or negative exchange, a zero posting,
a second account for a member, a reminder sent twice. The ledger rules themselves (every transaction
sums to zero, debit limits) are in :mod:`rules.ledger` and enforced by :mod:`timebank.services`.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from rules.ledger import format_minutes

# Weekly availability as codes: "tue-am" is Tuesday morning. Parts of the day and their times.
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_PARTS = {"am": ("morning", 9, 12), "pm": ("afternoon", 12, 17), "eve": ("evening", 17, 21)}
AVAILABILITY_CHOICES = [
    (f"{code}-{part}", f"{WEEKDAY_NAMES[i]} {label}")
    for i, code in enumerate(WEEKDAY_CODES)
    for part, (label, _start, _end) in DAY_PARTS.items()
]


class Member(models.Model):
    """A person or an organisation (a service, a community group, a partner venue) in the time bank.

    ``user`` is the account that signs in for the member (for an organisation, its contact).
    """

    class Kind(models.TextChoices):
        PERSON = "person", "A person or family"
        SERVICE = "service", "A service"
        GROUP = "group", "A community group"
        VENUE = "venue", "A partner venue"

    class Status(models.TextChoices):
        APPLIED = "applied", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Not approved"
        LEFT = "left", "Left"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timebank_member"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    about = models.TextField(blank=True, default="")
    access_needs = models.TextField(blank=True, default="")
    availability = models.JSONField(default=list, blank=True)
    """Availability codes such as ``"tue-am"`` (see ``AVAILABILITY_CHOICES``)."""
    applied_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="approved", approved_at__isnull=False) | ~Q(status="approved"),
                name="timebank_member_approved_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_organisation(self) -> bool:
        return self.kind != self.Kind.PERSON


class SafeguardingCheck(models.Model):
    """A check the coordinator recorded: a reference or a DBS check, with its dates."""

    class Kind(models.TextChoices):
        REFERENCE = "reference", "Reference"
        DBS_BASIC = "dbs_basic", "Basic DBS check"
        DBS_ENHANCED = "dbs_enhanced", "Enhanced DBS check"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    checked_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    expiry_reminder_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("checked_on")),
                name="timebank_check_expires_after_checked",
            )
        ]

    @property
    def is_dbs(self) -> bool:
        return self.kind in (self.Kind.DBS_BASIC, self.Kind.DBS_ENHANCED)

    def valid_on(self, day: date) -> bool:
        return self.checked_on <= day and (self.expires_on is None or self.expires_on >= day)


class Offer(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(max_length=150)
    category = models.ForeignKey(
        "directory.TaxonomyTerm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    details = models.TextField(blank=True, default="")
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Request(models.Model):
    """A request for help. ``needs_check``: the activity needs a valid DBS check (home visits)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ARRANGED = "arranged", "Arranged"
        CLOSED = "closed", "Closed"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="requests")
    title = models.CharField(max_length=150)
    category = models.ForeignKey(
        "directory.TaxonomyTerm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    details = models.TextField(blank=True, default="")
    access_needs = models.TextField(blank=True, default="")
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    times = models.JSONField(default=list, blank=True)
    """Availability codes that would suit; empty means any time."""
    needs_check = models.BooleanField(default=False)
    minutes_per_week = models.PositiveIntegerField(null=True, blank=True)
    from_support_plan = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Account(models.Model):
    """A time account. Every member has one; the time bank has one ``issuer`` account (no member)
    from which joining credits come, so its balance is minus everything it issued.

    ``balance`` is a cache of the sum of the account's postings, updated in the same database
    transaction as the postings while the row is locked (``select_for_update``). The postings are
    the truth; :func:`timebank.selectors.ledger_problems` checks that the two agree.
    """

    member = models.OneToOneField(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    is_issuer = models.BooleanField(default=False)
    balance = models.BigIntegerField(default=0)
    """Minutes; positive: time in hand, negative: time owed."""
    debit_limit = models.IntegerField(null=True, blank=True)
    """This member's own limit in minutes (zero or negative); empty: the time bank's default."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_issuer"], condition=Q(is_issuer=True), name="timebank_one_issuer"
            ),
            models.CheckConstraint(
                condition=Q(is_issuer=True, member__isnull=True)
                | Q(is_issuer=False, member__isnull=False),
                name="timebank_account_owner",
            ),
            models.CheckConstraint(
                condition=Q(debit_limit__isnull=True) | Q(debit_limit__lte=0),
                name="timebank_debit_limit_not_positive",
            ),
        ]

    def __str__(self) -> str:
        return "Time bank" if self.is_issuer else f"Account of {self.member}"

    @property
    def ledger_id(self) -> str:
        """How the pure ledger rules name this account."""
        return "timebank:issued" if self.is_issuer else f"member:{self.member_id}"


class LedgerTransaction(models.Model):
    """One balanced, append-only transaction. Never updated or deleted; corrected by a reversal."""

    class Kind(models.TextChoices):
        EXCHANGE = "exchange", "Exchange"
        JOINING_CREDIT = "joining_credit", "Joining credit"
        ISSUE = "issue", "Time credits issued"
        REDEMPTION = "redemption", "Time credits spent"
        REVERSAL = "reversal", "Correction"

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    effective = models.DateField()
    memo = models.CharField(max_length=300, blank=True, default="")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["effective", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="timebank_reversal_names_original",
            )
        ]

    def __str__(self) -> str:
        return self.key


class Posting(models.Model):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="postings"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    minutes = models.IntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(minutes=0), name="timebank_posting_not_zero"),
            models.UniqueConstraint(
                fields=["transaction", "account"], name="timebank_one_posting_per_account"
            ),
        ]
        indexes = [models.Index(fields=["account", "transaction"])]


class Exchange(models.Model):
    """Time one member gave another. Proposed by either side; confirmed by the other (or by a
    coordinator), which moves ``minutes`` from the receiver's account to the giver's."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"
        REVERSED = "reversed", "Corrected (reversed)"

    idempotency_key = models.CharField(max_length=100, unique=True)
    giver = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="gave")
    receiver = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="received")
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="exchanges"
    )
    category = models.ForeignKey(
        "directory.TaxonomyTerm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.DateTimeField()
    minutes = models.PositiveIntegerField()
    description = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    transaction = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="exchange"
    )

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="timebank_exchange_positive"),
            models.CheckConstraint(
                condition=~Q(giver=models.F("receiver")), name="timebank_exchange_two_members"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed")
                | Q(status="declined")
                | Q(transaction__isnull=False),
                name="timebank_confirmed_exchange_posted",
            ),
        ]
        indexes = [
            models.Index(fields=["giver", "status", "start"]),
            models.Index(fields=["receiver", "status", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.giver} helped {self.receiver} ({format_minutes(self.minutes)})"


class Rota(models.Model):
    """A weekly commitment (a lift to hospital every Tuesday) covered by several members."""

    title = models.CharField(max_length=150)
    receiver = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="rotas_for"
    )
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="rotas"
    )
    weekday = models.PositiveSmallIntegerField()
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    first_date = models.DateField()
    end_date = models.DateField()
    remind_days_before = models.PositiveSmallIntegerField(default=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="timebank_rota_weekday"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="timebank_rota_duration"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("first_date")), name="timebank_rota_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RotaAssignment(models.Model):
    """``member`` covers the rota every ``every_weeks`` weeks from ``starting`` (until ``until``)."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="rota_assignments")
    every_weeks = models.PositiveSmallIntegerField(default=1)
    starting = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["starting", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(every_weeks__gte=1), name="timebank_every_weeks"),
        ]


class RotaSlot(models.Model):
    """A member's change to one date of a rota: they took a date nobody covered, gave back a date
    they cover, or were asked by another member to take that member's date (a swap, waiting for
    them to accept). One row per rota, date and member."""

    class Status(models.TextChoices):
        TAKEN = "taken", "Taken"
        GIVEN_BACK = "given_back", "Given back"
        OFFERED = "offered", "Asked to take it"

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="slot_changes")
    day = models.DateField()
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="rota_slots")
    status = models.CharField(max_length=12, choices=Status.choices)
    offered_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    """For ``offered``: the member who asked ``member`` to take their date."""
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rota", "day", "member"], name="timebank_rota_slot_once"
            ),
            models.CheckConstraint(
                condition=Q(status="offered", offered_by__isnull=False)
                | (~Q(status="offered") & Q(offered_by__isnull=True)),
                name="timebank_rota_slot_offered_by",
            ),
        ]


class RotaVisit(models.Model):
    """What happened on a rota date for one covering member: done (credited once, through the
    ledger, by the linked exchange) or missed (no credit). One row per rota, date and member."""

    class Outcome(models.TextChoices):
        DONE = "done", "Done and credited"
        MISSED = "missed", "Missed"

    rota = models.ForeignKey(Rota, on_delete=models.PROTECT, related_name="visits")
    day = models.DateField()
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="rota_visits")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    exchange = models.OneToOneField(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="rota_visit"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rota", "day", "member"], name="timebank_rota_visit_once"
            ),
            models.CheckConstraint(
                condition=Q(outcome="done", exchange__isnull=False)
                | Q(outcome="missed", exchange__isnull=True),
                name="timebank_rota_visit_credited_when_done",
            ),
        ]


class ReminderSent(models.Model):
    """One reminder sent, so that running the reminders again never sends it twice."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="reminders_sent")
    occurrence = models.DateField()
    recipient = models.CharField(max_length=40)
    """``"member:<id>"`` for a member covering the slot, ``"gap"`` for the coordinators."""
    send_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rota", "occurrence", "recipient", "send_on"],
                name="timebank_reminder_once",
            )
        ]


class ApiToken(models.Model):
    """A token for the JSON exchange endpoint (``Authorization: Bearer …``). Only a hash is kept.

    A token works until ``expires_at`` unless revoked (``revoked_at``); ``last_used_at`` is
    updated at most every few minutes (see ``timebank.services.tokens.TOKEN_LAST_USED_PRECISION``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timebank_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        return "Active" if self.expires_at > now else "Expired"
