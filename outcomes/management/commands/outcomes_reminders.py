"""Remind people on self-reported follow-up who have not reported for their team's period, and put
them on the team's worklist. Safe to run as often as you like (cron, daily): one reminder per quiet
period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from outcomes.services.follow_ups import send_reminders


class Command(BaseCommand):
    help = "Send 'not reported for N days' reminders for self-reported follow-up (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_reminders()
        self.stdout.write(f"{sent} reminder(s) sent")
