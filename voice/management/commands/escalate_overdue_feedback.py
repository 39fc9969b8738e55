"""Escalate feedback past its acknowledgement or response deadline to the commissioners (run
daily from the scheduler; each item is escalated once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from voice.services.clocks import escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue feedback and check reports to the commissioners (each item once)."

    def handle(self, *args: Any, **options: Any) -> None:
        found = escalate_overdue()
        self.stdout.write(f"Escalated {len(found)} overdue items (feedback and check reports).")
