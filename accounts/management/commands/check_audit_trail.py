"""Check the audit trail against its digests (for example after restoring a backup): lists every
event whose content no longer matches its digest, and fails if there is any."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import AuditEvent
from accounts.services import audit_problems


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        checked = AuditEvent.objects.count()
        problems = audit_problems()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s) in {checked} audit event(s): the trail was changed "
                "after it was written, or SECRET_KEY (and SECRET_KEY_FALLBACKS) differ from the "
                "ones it was written with."
            )
        self.stdout.write(f"{checked} audit event(s) checked; no problems.")
