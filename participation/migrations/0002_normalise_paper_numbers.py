"""Store every paper ballot number in its normal form (issue 11, finding 1).

The rule is copied here (not imported) so this migration keeps doing what it did when it was
written: NFKC, drop format characters (Cf), whitespace and dashes (Pd), case-fold, then 1 to 20
ASCII letters and digits, stored in capitals.

Nothing is deleted. Entries whose numbers clash once normalised (``P1`` and ``p1`` in one round: the
same paper entered twice) and numbers that are still not in the expected shape are left exactly as
they were and listed on the migration's output, for staff to check against the papers.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict

from django.db import migrations

SHAPE = re.compile(r"[a-z0-9]{1,20}", re.ASCII)


def _normal(typed: str) -> str | None:
    text = unicodedata.normalize("NFKC", typed)
    text = "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Pd")
    ).casefold()
    return text.upper() if SHAPE.fullmatch(text) else None


def normalise_paper_numbers(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    entry_model = apps.get_model("participation", "PaperBallotEntry")
    groups: dict[tuple[int, str], list] = defaultdict(list)
    report: list[str] = []
    for entry in entry_model.objects.select_related("round").order_by("round_id", "pk"):
        normal = _normal(entry.paper_number)
        if normal is None:
            report.append(
                f"  round {entry.round.slug}: paper number {entry.paper_number!r} (entry "
                f"{entry.pk}) is not letters and numbers; left as it was"
            )
            continue
        groups[(entry.round_id, normal)].append(entry)
    for (_round_id, normal), entries in groups.items():
        if len(entries) > 1:
            typed = ", ".join(f"{e.paper_number!r} (entry {e.pk})" for e in entries)
            report.append(
                f"  round {entries[0].round.slug}: clash: {typed} are all paper {normal}; "
                "left as they were: check the papers and remove the duplicate entries"
            )
            continue
        entry = entries[0]
        if entry.paper_number != normal:
            entry.paper_number = normal
            entry.save(update_fields=["paper_number"])
    if report:
        sys.stdout.write(
            "\nPaper ballot numbers that need a person to look at them:\n"
            + "\n".join(report)
            + "\n"
        )


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]

    operations = [migrations.RunPython(normalise_paper_numbers, migrations.RunPython.noop)]
