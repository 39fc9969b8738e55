"""A database check for ledger keys written before keys were validated.

Every key the app accepts now matches ``services.KEY_PATTERN``; an older one (a ``/``, a space, 200
characters) still works everywhere, because links find a record by its id, but it is worth
knowing about. The ledger is append-only, so a key is never rewritten: run
``python -m django check --database default`` to list them (a warning, not an error)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register


@register(Tags.database)
def check_ledger_keys(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Any]:
    if not databases:
        return []
    from django.db.utils import DatabaseError

    from budgets.models import LedgerTransaction

    try:
        bad = list(
            LedgerTransaction.objects.exclude(key__regex=r"^[A-Za-z0-9_-]{1,100}$")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    except DatabaseError:  # not migrated yet
        return []
    if not bad:
        return []
    return [
        Warning(
            f"{len(bad)} budget ledger transaction(s) have a key outside [A-Za-z0-9_-]{{1,100}} "
            f"(ids {', '.join(map(str, bad[:20]))}{'…' if len(bad) > 20 else ''}).",
            hint="They still show and can be corrected (links use the id). New keys are "
            "validated; the ledger is append-only, so these keys are kept as they are.",
            obj="budgets.LedgerTransaction",
            id="budgets.W001",
        )
    ]
