"""Send the time bank's due reminders: rota slots (to the members covering them, and gaps to the
coordinators) and safeguarding checks that expire within 30 days. Safe to run as often as you
like (every reminder is sent once); run it daily, for example from cron or a scheduled task."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from timebank.services.reminders import send_due_reminders


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--catch-up-days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_due_reminders(today=options["today"], catch_up_days=options["catch_up_days"])
        self.stdout.write(
            f"Sent {run.sent} reminder(s); {run.skipped} already sent; {run.failed} failed."
        )
