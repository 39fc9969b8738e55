"""The daily reminders: rota dates coming up, gaps and safeguarding checks about to expire."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from rules.timebank import reminders_due
from timebank.models import Member, ReminderSent, Rota, SafeguardingCheck
from timebank.services._common import _coordinator_emails
from timebank.services.rotas import plan_for
from wellbeing_hub.notifications import send_now

logger = logging.getLogger(__name__)

EXPIRY_WARNING_DAYS = 30
"""Coordinators are told this many days before a safeguarding check expires."""


@dataclass
class ReminderRun:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    messages: list[str] = field(default_factory=list)


def send_due_reminders(*, today: date | None = None, catch_up_days: int = 7) -> ReminderRun:
    """Email the reminders due today (and any missed in the last ``catch_up_days``).

    Idempotent: each reminder is recorded (:class:`ReminderSent`, unique per rota, occurrence,
    recipient and day) in the same transaction as it is sent, so running this again — or twice at
    once — sends nothing twice. A mail failure rolls back its record, so the next run retries it.
    Also tells coordinators once about each safeguarding check expiring within 30 days.
    """
    today = today or timezone.localdate()
    run = ReminderRun()
    since = today - timedelta(days=catch_up_days + 1)  # reminders_due counts from the day after
    coordinators = _coordinator_emails()
    for rota in Rota.objects.filter(end_date__gte=today).prefetch_related("assignments"):
        members = {
            m.pk: m
            for m in Member.objects.filter(rota_assignments__rota=rota).select_related("user")
        }
        plan = plan_for(rota)
        for reminder in reminders_due(plan, today, (rota.remind_days_before,), since=since):
            if reminder.member_id is None:
                recipient, emails = "gap", coordinators
            else:
                recipient = f"member:{reminder.member_id}"
                member = members.get(int(reminder.member_id))
                emails = [member.user.email] if member and member.user.email else []
            try:
                with transaction.atomic():
                    _, created = ReminderSent.objects.get_or_create(
                        rota=rota,
                        occurrence=reminder.slot.day,
                        recipient=recipient,
                        send_on=reminder.send_on,
                    )
                    if not created:
                        run.skipped += 1
                        continue
                    if emails:
                        send_now(
                            f"Time bank: {rota.title}",
                            reminder.message,
                            emails,
                            "timebank_coordination" if recipient == "gap" else "timebank_rotas",
                        )
                    run.sent += 1
                    run.messages.append(reminder.message)
            except IntegrityError:
                run.skipped += 1
            except OSError:
                logger.exception("Could not send a rota reminder for %s", rota)
                run.failed += 1
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    for check in SafeguardingCheck.objects.filter(
        expires_on__isnull=False,
        expires_on__gte=today,
        expires_on__lte=soon,
        expiry_reminder_sent_on__isnull=True,
    ).select_related("member"):
        message = (
            f"The {check.get_kind_display()} for {check.member.name} expires on "
            f"{check.expires_on:%-d %B %Y}."
        )
        try:
            with transaction.atomic():
                updated = SafeguardingCheck.objects.filter(
                    pk=check.pk, expiry_reminder_sent_on__isnull=True
                ).update(expiry_reminder_sent_on=today)
                if not updated:
                    continue
                if coordinators:
                    send_now(
                        "Time bank: a safeguarding check is expiring",
                        message,
                        coordinators,
                        "safeguarding",
                    )
                run.sent += 1
                run.messages.append(message)
        except OSError:
            logger.exception("Could not send a safeguarding expiry reminder")
            run.failed += 1
    return run
