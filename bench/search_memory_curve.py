"""The in-memory search copy at a given size: how long each server process takes to build it,
how much memory it holds, and how long a free-text search takes from it (one client).

    scripts/with-postgres.sh .venv/bin/python -m bench.search_memory_curve --services 10000

Loads the fictional demo area at that size (as ``bench.directory_bench`` does), then builds the
copy in this process and measures the process's resident memory before and after (Linux
``/proc/self/status``, after handing freed memory back), the FTS5 index's own pages, and the
free-text searches of ``bench.directory_bench`` (each run 30 times; p50 and p95 in ms).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time

from bench.directory_bench import TEXT_QUERIES, _load_area, _setup_django


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.search_memory_curve")
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    _setup_django()
    load_note = _load_area(args.services, args.seed)
    from directory import search_index, search_memory

    gc.collect()
    search_memory._release_freed_memory()
    before = _rss_mb()
    started = time.perf_counter()
    snap = search_memory.build(search_index.current_version())
    build_s = time.perf_counter() - started
    gc.collect()
    search_memory._release_freed_memory()
    after = _rss_mb()
    times: list[float] = []
    matches = {}
    assert snap.text is not None
    for q in TEXT_QUERIES:
        for _ in range(args.runs):
            t0 = time.perf_counter()
            found = snap.text.search(q)
            times.append((time.perf_counter() - t0) * 1000)
        matches[q] = len(found.rows)
    times.sort()
    print(
        json.dumps(
            {
                "services": len(snap.ids),
                "load": load_note,
                "build_s": round(build_s, 2),
                "rss_before_mb": round(before, 1),
                "rss_after_mb": round(after, 1),
                "copy_mb": round(after - before, 1),
                "text_index_mb": round(snap.text.nbytes / 1e6, 1),
                "search_p50_ms": round(statistics.median(times), 2),
                "search_p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
                "matches": matches,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
