"""Loading an ONS postcode extract into the postcode table, for "near a postcode" searches.

The ONS publishes two files with the same columns for this: the National Statistics Postcode
Lookup (NSPL) and the ONS Postcode Directory (ONSPD), both under the Open Government Licence
(with the Royal Mail and Ordnance Survey attributions the files' user guides give). From each
row we read ``pcds`` (the postcode with its space), ``lat`` and ``long``, and ``doterm`` (the
month the postcode stopped being used: such rows are left out). Rows with no grid reference
(latitude 99.999999) are left out. An area loads the extract for its own area (the ONS also
publishes the files cut by local authority), so the table holds thousands, not millions, of rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from directory.models import Postcode
from directory.search import POSTCODE

BATCH = 5000
REQUIRED = ("pcds", "lat", "long")


class PostcodeFileError(ValueError):
    """The file cannot be used at all."""


@dataclass
class PostcodeImport:
    loaded: int = 0
    terminated: int = 0
    unusable: list[str] = field(default_factory=list)  # "line N: why"


def _postcode(text: str) -> str | None:
    compact = "".join(text.upper().split())
    if not POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def load(path: Path, *, source: str) -> PostcodeImport:
    """Add or update every live postcode in an NSPL/ONSPD CSV extract."""
    result = PostcodeImport()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower() for c in reader.fieldnames or []}
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise PostcodeFileError(
                f"{path.name} has no {', '.join(missing)} column: use an ONS Postcode Directory "
                "(ONSPD) or National Statistics Postcode Lookup (NSPL) CSV file"
            )
        batch: list[Postcode] = []
        for number, raw in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            if row.get("doterm"):
                result.terminated += 1
                continue
            code = _postcode(row["pcds"])
            try:
                lat, lon = Decimal(row["lat"]), Decimal(row["long"])
            except InvalidOperation:
                lat = lon = Decimal(999)
            if code is None:
                result.unusable.append(f"line {number}: {row['pcds']!r} is not a postcode")
                continue
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat == Decimal("99.999999"):
                result.unusable.append(f"line {number}: {code} has no map position")
                continue
            batch.append(
                Postcode(
                    postcode=code,
                    latitude=lat.quantize(Decimal("0.000001")),
                    longitude=lon.quantize(Decimal("0.000001")),
                    source=source[:250],
                )
            )
            if len(batch) >= BATCH:
                result.loaded += _save(batch)
                batch = []
        result.loaded += _save(batch)
    return result


def _save(rows: list[Postcode]) -> int:
    if rows:
        Postcode.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["latitude", "longitude", "source"],
        )
    return len(rows)
