"""Export the directory as one Open Referral UK 3.0 JSON file of fully nested services.

The file is a single ORUK 3.0 page (``contents`` plus the pagination fields) holding every service,
whatever its status, with its organisation, locations, schedules, contacts, cost options, languages,
service areas and taxonomy terms; ``directory.oruk.importer.import_paths`` reads it back to the same
data. Services are written one at a time, so memory stays flat however large the directory is, and
the file appears only when it is complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from directory.oruk import queries, serialisers


def export_to(path: Path) -> int:
    """Write every service to ``path`` as ORUK 3.0 JSON; returns how many were written."""
    path = Path(path)
    count = 0
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write('{"contents": [')
            for service in queries.services_for_export():
                out.write(",\n" if count else "\n")
                out.write(json.dumps(serialisers.service_full(service), ensure_ascii=False))
                count += 1
            envelope = {
                "total_items": count,
                "total_pages": 1,
                "page_number": 1,
                "size": count,
                "first_page": True,
                "last_page": True,
                "empty": count == 0,
            }
            out.write("\n], ")
            out.write(json.dumps(envelope)[1:])
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count
