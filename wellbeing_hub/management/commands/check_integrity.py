"""``manage.py check_integrity``: verify the ledgers and the audit trail; exit 1 on any problem."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wellbeing_hub.integrity import report_lines, run_checks


def check_and_report(command: BaseCommand) -> int:
    """Run every check, write one line per check or problem, and return the number of problems."""
    lines, count = report_lines(run_checks())
    for line in lines:
        stream = command.stderr if line.startswith("PROBLEM") else command.stdout
        stream.write(line)
    return count


class Command(BaseCommand):
    help = (
        "Check the budget-account ledger, the time-bank ledger and the audit trail. Prints one "
        "line per problem and exits with status 1 if there is any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = check_and_report(self)
        if count:
            raise CommandError(
                f"{count} integrity problem{'s' if count != 1 else ''} found.", returncode=1
            )
        self.stdout.write("All integrity checks passed.")
