"""Run daily: decline onward referrals a service has not answered in time and tell the link worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from connect.services.onward import decline_overdue


class Command(BaseCommand):
    help = "Decline onward referrals not answered in time (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Run as of this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be a date like 2026-03-16") from exc
        self.stdout.write(f"Declined {decline_overdue(today)} overdue referral(s)")
