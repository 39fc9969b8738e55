"""Repeat a People's Panel draw from its published pool file and seed (no Django needed).

Usage::

    python -m participation.redraw POOL.csv SEED --seats N [--commitment HASH]

``POOL.csv`` is the pool file published when the draw was announced (columns ``entry`` and one per
stratum, e.g. ``age_group,neighbourhood``; no names). ``SEED`` is the seed revealed after the draw,
``N`` the panel size, and ``HASH`` the SHA-256 commitment announced before the draw. The command
prints the hash of the seed (and whether it matches), the seats per stratum and the entry numbers
drawn: they are the same as the panel page lists. Exit status 0 when the draw ran (and the
commitment matched, if given), 1 when the commitment does not match, 2 for a bad file or argument.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence

from participation import rules

ENTRY_COLUMN = "entry"
MAX_POOL_ENTRIES = 1_000_000


class PoolFileError(ValueError):
    """A pool file that cannot be read, with the line and the reason."""


def read_pool(text: str) -> tuple[list[str], list[tuple[int, tuple[str, ...]]]]:
    """The stratum column names and the (entry, stratum) pairs, in file order."""
    if "\x00" in text:
        raise PoolFileError("line 1: the file contains a NUL character")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header or header[0].strip() != ENTRY_COLUMN or len(header) < 2:
        raise PoolFileError(
            "line 1: the first line must be the header, starting with 'entry' and then one "
            "column per stratum (for example: entry,age_group,neighbourhood)"
        )
    columns = [name.strip() for name in header[1:]]
    pool: list[tuple[int, tuple[str, ...]]] = []
    seen: set[int] = set()
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise PoolFileError(f"line {line}: expected {len(header)} columns, found {len(row)}")
        number = row[0].strip()
        if not number.isascii() or not number.isdigit() or len(number) > 9:
            raise PoolFileError(f"line {line}: the entry must be a whole number, not {number!r}")
        entry = int(number)
        if entry in seen:
            raise PoolFileError(f"line {line}: entry {entry} is listed twice")
        seen.add(entry)
        pool.append((entry, tuple(row[1:])))
        if len(pool) > MAX_POOL_ENTRIES:
            raise PoolFileError(f"line {line}: more than {MAX_POOL_ENTRIES} entries")
    return columns, pool


def redraw(text: str, seed: str, seats: int) -> rules.PublicDraw:
    """The draw, from the pool file's text, the seed and the panel size."""
    _columns, pool = read_pool(text)
    return rules.public_draw(pool, seats, seed)


def report(draw: rules.PublicDraw, columns: Sequence[str]) -> list[str]:
    lines = [
        f"method: {draw.method}",
        f"seed: {draw.seed}",
        f"seed SHA-256: {rules.seed_commitment(draw.seed)}",
        f"pool: {sum(draw.strata_sizes.values())} entries; seats: {draw.size}",
        f"seats by {' / '.join(columns)}:",
    ]
    for stratum, seats in draw.allocation.items():
        lines.append(f"  {' / '.join(stratum)}: {seats} of {draw.strata_sizes[stratum]}")
    lines.append("drawn entries: " + " ".join(str(entry) for entry in draw.selected))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m participation.redraw",
        description="Repeat a People's Panel draw from the published pool file and seed.",
    )
    parser.add_argument("pool", help="the published pool file (CSV)")
    parser.add_argument("seed", help="the seed revealed after the draw")
    parser.add_argument("--seats", type=int, required=True, help="how many people were drawn")
    parser.add_argument("--commitment", help="the SHA-256 hash announced before the draw")
    options = parser.parse_args(argv)
    try:
        with open(options.pool, encoding="utf-8", newline="") as stream:
            text = stream.read()
        columns, pool = read_pool(text)
        draw = rules.public_draw(pool, options.seats, options.seed)
    except (OSError, UnicodeDecodeError, PoolFileError, rules.SampleError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for line in report(draw, columns):
        print(line)
    if options.commitment is not None:
        if rules.seed_matches(options.seed, options.commitment):
            print("commitment: matches (this is the seed announced before the draw)")
        else:
            print(
                "commitment: DOES NOT MATCH — this seed is not the one announced before the draw",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
