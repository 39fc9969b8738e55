"""Social prescribing referrals, following the PRSB Social Prescribing Information Standard v1.1
(January 2023; owned by NHS England from 1 January 2026 under the Open Government Licence v3.0,
https://theprsb.org/standards/social-prescribing-standard/): who referred, why, what matters to the
person, consent per purpose, the link worker's caseload statuses with their dates, and onward
referrals to community services in the directory (kept by the directory's service id)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from rules.ledger.formatting import format_minutes
from rules.money import format_pence


class ReferringOrganisation(models.Model):
    """A GP practice, hospital or other body that refers people. Its staff accounts may refer."""

    class Kind(models.TextChoices):
        GP_PRACTICE = "gp_practice", "GP practice"
        HOSPITAL = "hospital", "Hospital"
        OTHER = "other", "Other organisation"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ods_code = models.CharField("ODS code", max_length=12, blank=True)
    email = models.EmailField(blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="referring_organisations"
    )

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    class Source(models.TextChoices):
        GP_PRACTICE = "gp_practice", "GP practice"
        HOSPITAL = "hospital", "Hospital"
        LINK_WORKER = "link_worker", "Link worker"
        SELF = "self", "The person themselves"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        CONTACTED = "contacted", "Contacted"
        FIRST_CONVERSATION = "first_conversation", "First conversation"
        CONNECTED = "connected", "Connected"
        DECLINED = "declined", "Declined"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connect_referrals"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    referring_organisation = models.ForeignKey(
        ReferringOrganisation, null=True, blank=True, on_delete=models.PROTECT
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connect_referrals_made",
    )
    link_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connect_caseload",
    )
    reason = models.TextField()
    what_matters = models.TextField(blank=True)
    # Consent per purpose, each with the day it was recorded (None: not asked yet).
    consent_share_back = models.BooleanField(default=False)
    consent_onward = models.BooleanField(default=False)
    consent_outcomes = models.BooleanField(default=False)
    consent_recorded_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_on = models.DateField()
    contacted_on = models.DateField(null=True, blank=True)
    first_conversation_on = models.DateField(null=True, blank=True)
    connected_on = models.DateField(null=True, blank=True)
    declined_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on"]


class ServiceReferralTerms(models.Model):
    """Whether a directory service takes social prescribing referrals and its typical wait (None:
    not known). Set by a member of the organisation that runs the service."""

    service_id = models.CharField(max_length=250, unique=True)
    takes_referrals = models.BooleanField(default=True)
    typical_wait_days = models.PositiveIntegerField(null=True, blank=True)
    updated_on = models.DateField(null=True, blank=True)


class OnwardReferral(models.Model):
    class DeclineReason(models.TextChoices):
        CAPACITY = "capacity", "No space: the service is full or has a waiting list"
        NOT_SUITABLE = "not_suitable", "The service does not suit what the person needs"
        OTHER = "other", "Another reason"

    class Status(models.TextChoices):
        SENT = "sent", "Waiting for the service"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined by the service"
        AUTO_DECLINED = "auto_declined", "Declined automatically (no answer in time)"
        WITHDRAWN = "withdrawn", "Withdrawn by the person"
        ATTENDED = "attended", "Attended"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="onward")
    service_id = models.CharField(max_length=250)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    sent_on = models.DateField()
    answer_due = models.DateField()
    answered_on = models.DateField(null=True, blank=True)
    attended_on = models.DateField(null=True, blank=True)
    answer_reason = models.TextField(blank=True)
    # Why a provider declined (blank when accepted, auto-declined or withdrawn): counted for the
    # evidence pages' "gaps in the market" (declined for lack of capacity).
    decline_reason = models.CharField(
        max_length=20, choices=DeclineReason.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["sent_on", "pk"]


class Invitation(models.Model):
    """A referred person who had no account yet: an account was made for them (no password) and
    this one-time link lets them set a password and see their referral. Only the token's hash is
    kept."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connect_invitation"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class WellbeingCheck(models.Model):
    """The person's ONS4 answers at one end of their support. The answers themselves live in the
    outcomes app (``outcomes`` AnswerSet ``answer_set_id``); this says which end they belong to."""

    class Stage(models.TextChoices):
        FIRST_CONVERSATION = "first_conversation", "At the first conversation"
        CLOSING = "closing", "At closing"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="wellbeing")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    answer_set_id = models.PositiveIntegerField()
    answered_on = models.DateField()

    class Meta:
        ordering = ["answered_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "stage"], name="connect_wellbeing_once")
        ]


class CommunityPot(models.Model):
    """Money or time credits an area sets aside so that funding follows a social prescribing
    referral: a micro-grant in pounds (kept in pence), or time credits issued by a time-bank
    organisation member (``timebank_issuer_id``)."""

    class Kind(models.TextChoices):
        MONEY = "money", "Micro-grants (money)"
        TIME_CREDITS = "time_credits", "Time credits"

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    total_pence = models.BigIntegerField(default=0)
    max_award_pence = models.BigIntegerField(default=0)
    timebank_issuer_id = models.PositiveIntegerField(null=True, blank=True)
    max_award_minutes = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_pence__gte=0) & models.Q(max_award_pence__gte=0),
                name="connect_pot_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name


class FundingAward(models.Model):
    """Funding attached to a referral, posted exactly once: ``key`` is the idempotency key the
    form carries, so a second submit finds the first award instead of paying twice. Append-only:
    an award is never changed once posted."""

    key = models.CharField(max_length=100, unique=True)
    # Kept (without the referral) when the person's record is erased: the pot's spending must add up.
    referral = models.ForeignKey(
        Referral, null=True, on_delete=models.SET_NULL, related_name="funding"
    )
    pot = models.ForeignKey(CommunityPot, on_delete=models.PROTECT, related_name="awards")
    amount_pence = models.BigIntegerField(default=0)
    minutes = models.PositiveIntegerField(default=0)
    purpose = models.CharField(max_length=300)
    awarded_on = models.DateField()
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    timebank_transaction_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["awarded_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(amount_pence__gt=0) & models.Q(minutes=0))
                | (models.Q(amount_pence=0) & models.Q(minutes__gt=0)),
                name="connect_award_money_or_time",
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("A funding award cannot be changed once posted.")
        super().save(*args, **kwargs)

    @property
    def amount_display(self) -> str:
        """A micro-grant in pounds (like £25.00), or the hours of time credits."""
        if self.amount_pence:
            return format_pence(self.amount_pence)
        return f"{format_minutes(self.minutes)} of time credits"
