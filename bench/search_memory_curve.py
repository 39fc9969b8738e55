"""The in-memory search copy at a given size: how long each server process takes to build it,
how much memory it holds, what one directory write costs a process that already has it (the
patch, ``directory.search_memory.patch``), and how long a free-text search takes from it.

    DATABASE_URL=sqlite:////tmp/curve-100k.sqlite3 \\
        .venv/bin/python -m bench.search_memory_curve --services 100000

Loads the fictional demo area (``generate_area``) at ``--generate`` services (default: all of
them, at most 100,000). Larger sizes are made cheaply from it with bulk SQL: each generated
service, its search row and its links to places are copied ``--services / --generate - 1`` times
(``INSERT ... SELECT`` with a suffix on the id and name; the copies' ORUK records are left
empty, as the in-memory copy does not read them), so 1,000,000 services take seconds to add, not
the half hour generating them would. Then, in this process: builds the copy and measures the
resident memory before and after (Linux ``/proc/self/status``, after handing freed memory back),
the text index's own size (SQLite pages, and Tantivy's files when on disk); makes writes through the ORM (a new service, a rename, a
withdrawal: each the signals' refresh and the change log, as a provider's edit) and times the
copy being brought up to date after each; and runs the free-text searches of
``bench.directory_bench`` (each ``--runs`` times, the index's remembered answers forgotten before
each; p50 and p95 in ms). Prints one JSON line with
the load average at the start and end.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from typing import Any

from bench.directory_bench import TEXT_QUERIES, _load_area, _setup_django


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _replicate(times: int) -> str:
    """Each generated service ``times`` more times, with its search row and place links, by
    bulk SQL (the copies' ORUK record is '{}')."""
    from django.db import connection, transaction

    from directory import search_index
    from directory.models import SearchEntry, Service, ServiceAtLocation

    started = time.perf_counter()
    tables = {
        model: [c.name for c in connection.introspection.get_table_description(
            connection.cursor(), model._meta.db_table)]
        for model in (Service, SearchEntry, ServiceAtLocation)
    }  # fmt: skip
    concat = "||"  # both databases
    with transaction.atomic(), connection.cursor() as cursor:
        for k in range(1, times + 1):
            suffix = f"'~{k}'"
            for model, columns in tables.items():
                select = []
                for column in columns:
                    if column in ("id", "service_id"):
                        select.append(f"{column} {concat} {suffix}")
                    elif column == "name" and model is not ServiceAtLocation:
                        select.append(f"name {concat} ' {k}'")
                    elif column == "document" and model is SearchEntry:
                        select.append("'{}'")
                    else:
                        select.append(column)
                key = "id" if model is Service else "service_id"
                table = model._meta.db_table
                sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(select)}"
                sql += f" FROM {table} WHERE {key} NOT LIKE '%~%'"
                cursor.execute(sql)
        search_index.bump_version(kind=search_index.ALL)
    return f"copied {times}x by bulk SQL in {time.perf_counter() - started:.0f}s"


def _write_costs(rounds: int) -> dict[str, Any]:
    """Milliseconds for the copy to catch up with one write, by kind of write (median of
    ``rounds``), and whether any of them rebuilt it."""
    from directory import search_index, search_memory
    from directory.models import Organization, Service

    org = Organization.objects.order_by("pk").first()
    assert org is not None, "the demo area has organisations"
    costs: dict[str, list[float]] = {"new": [], "rename": [], "withdraw": [], "write": []}
    builds = search_memory.builds
    for n in range(rounds):
        for kind in ("new", "rename", "withdraw"):
            t0 = time.perf_counter()
            if kind == "new":
                service = Service.objects.create(
                    organization=org,
                    name=f"Curve bench service {n}",
                    description="A walking group for carers and older people.",
                )
            else:
                if kind == "rename":
                    service.name = f"Aaa curve bench service {n}"  # moves in name order
                else:
                    service.status = Service.Status.INACTIVE
                service.save()
            t1 = time.perf_counter()
            snap = search_memory.snapshot_for(search_index.current_state())
            costs[kind].append((time.perf_counter() - t1) * 1000)
            costs["write"].append((t1 - t0) * 1000)
            assert snap is not None
    Service.objects.filter(name__icontains="curve bench service").delete()  # as it was
    search_memory.snapshot_for(search_index.current_state())
    return {
        **{f"{k}_ms": round(statistics.median(v), 2) for k, v in costs.items()},
        "rebuilt": search_memory.builds - builds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.search_memory_curve")
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--generate", type=int, default=0, help="default: min(services, 100000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--writes", type=int, default=5)
    args = parser.parse_args(argv)
    generate = args.generate or min(args.services, 100_000)
    if args.services % generate:
        parser.error("--services must be a multiple of --generate")
    load_start = _load()
    _setup_django()
    from directory import search_index, search_memory
    from directory.models import Service

    search_memory.BACKGROUND_FROM_ROWS = sys.maxsize  # build here, now, and time it
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if Service.objects.count() == args.services:
        load_note = f"reused the {args.services} services already loaded"
    else:
        load_note = _load_area(generate, args.seed)
        if args.services > generate:
            load_note += "; " + _replicate(args.services // generate - 1)

    gc.collect()
    search_memory._release_freed_memory()
    before = _rss_mb()
    started = time.perf_counter()
    snap = search_memory.snapshot_for(search_index.current_state())
    build_s = time.perf_counter() - started
    assert snap is not None and snap.text is not None
    gc.collect()
    search_memory._release_freed_memory()
    after = _rss_mb()
    writes = _write_costs(args.writes)
    snap = search_memory.snapshot_for(search_index.current_state())
    assert snap is not None and snap.text is not None
    times: list[float] = []
    matches = {}
    for q in TEXT_QUERIES:
        for _ in range(args.runs):
            snap.text.forget_answers()  # each search afresh, as the first after a write
            t0 = time.perf_counter()
            found = snap.text_search(q, 20)
            times.append((time.perf_counter() - t0) * 1000)
        matches[q] = found.total
    times.sort()
    print(
        json.dumps(
            {
                "services": len(snap.keys),
                "load": load_note,
                "build_s": round(build_s, 2),
                "rss_before_mb": round(before, 1),
                "rss_after_mb": round(after, 1),
                "copy_mb": round(after - before, 1),
                "text_index_mb": round(snap.text.nbytes / 1e6, 1),
                "text_index_in_file": snap.text.path is not None,
                **writes,
                "search_p50_ms": round(statistics.median(times), 2),
                "search_p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
                "matches": matches,
                "loadavg_start": load_start,
                "loadavg_end": _load(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
