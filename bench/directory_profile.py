"""Where one directory search request spends its time, in-process, one client.

Run it under a throwaway PostgreSQL server (or any ``DATABASE_URL`` already holding a demo area of
that size, which is reused)::

    scripts/with-postgres.sh .venv/bin/python -m bench.directory_profile [--services 20000]
        [--runs 200] [--only near] [--profile] [--top 25]

It loads the fictional area as ``bench.directory_bench`` does, builds this process's in-memory
copy of the search rows, and sends the benchmark's own searches (``bench.directory_bench``'s
variants, the ORUK API ``/services``) through Django's WSGI handler with the settings the
benchmark's server runs with (``DEBUG=0``, ``LOG_LEVEL=ERROR``): every middleware, the view, the
response body read and closed as a server would. Free-text searches of the "text_distinct" kind
are each sent once with the text index's remembered answers forgotten before each, so they are
searches no worker has answered before, as in the benchmark.

It prints, per search type, the median, mean and 90th percentile of ``--runs`` requests, the CPU
milliseconds per request of this process and of its PostgreSQL server process (the same requests
again; CPU time is steadier than wall time on a shared machine), and the SQL statements each
sends; with ``--profile``, cProfile's top functions of the same requests (by
own time and by cumulative time). The numbers are for comparing one change with the next on the
same machine: the benchmark (``bench.directory_bench``) is the measure of record.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import directory_bench

KINDS = ("text", "text_distinct", "category", "near", "saturday_budgets", "combined")


def _environ(path: str) -> dict[str, Any]:
    """A GET as gunicorn hands it to the application."""
    route, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _requester() -> Callable[[str], bytes]:
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def get(path: str) -> bytes:
        status: list[str] = []

        def start_response(s: str, _headers: Any, _exc: Any = None) -> Callable[[bytes], object]:
            status.append(s)
            return lambda _data: None

        body = handler(_environ(path), start_response)
        try:
            data = b"".join(body)
        finally:
            body.close()  # request_finished, as a server sends it
        if not status[0].startswith("200"):
            raise SystemExit(f"{path} answered {status[0]}: {data[:300]!r}")
        return data

    return get


def _paths(kind: str, variants: list[directory_bench.Variant], runs: int) -> list[str]:
    if kind == "text_distinct":  # each once: searches nobody has made before
        return [v.path for v in variants[:runs]]
    return [variants[n % len(variants)].path for n in range(runs)]


def _statements(get: Callable[[str], bytes], path: str) -> int:
    from django.db import connection

    sent: list[tuple[str, Any]] = []
    with connection.execute_wrapper(directory_bench.record_into(sent)):
        get(path)
    return len(sent)


def _backend_cpu_s() -> tuple[int, float | None]:
    """The PostgreSQL server process of this connection, and the CPU seconds it has used (Linux
    /proc, when the server runs on this machine): the statements' cost, beside this process's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return pid, None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu(kind: str, get: Callable[[str], bytes], paths: list[str]) -> tuple[float, float | None]:
    """CPU milliseconds per request: this process's, and the database server's (None when it
    cannot be read, or the connection was replaced meanwhile)."""
    pid, backend = _backend_cpu_s()
    mine = time.process_time()
    _time(kind, get, paths)
    mine = time.process_time() - mine
    pid_after, after = _backend_cpu_s()
    server = None
    if backend is not None and after is not None and pid == pid_after:
        server = (after - backend) * 1000 / len(paths)
    return mine * 1000 / len(paths), server


def _time(kind: str, get: Callable[[str], bytes], paths: list[str]) -> list[float]:
    from directory import search_memory

    snap = search_memory.snapshot()
    assert snap is not None and snap.text is not None
    took = []
    for path in paths:
        if kind == "text_distinct":
            snap.text.forget_answers()
        t0 = time.perf_counter()
        get(path)
        took.append((time.perf_counter() - t0) * 1000)
    return took


def _profile(kind: str, get: Callable[[str], bytes], paths: list[str], top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    _time(kind, get, paths)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.directory_profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--services", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", choices=KINDS, action="append", help="search types to run")
    parser.add_argument("--profile", action="store_true", help="cProfile the requests too")
    parser.add_argument("--top", type=int, default=25, help="functions listed per profile")
    args = parser.parse_args(argv)
    directory_bench._require_postgres()
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DEBUG", "0")
    directory_bench._setup_django()
    started = time.perf_counter()
    print(directory_bench._load_area(args.services, args.seed), file=sys.stderr)
    print(f"area ready in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    from django.db import connection

    from directory import search_memory

    search_memory.BACKGROUND_FROM_ROWS = sys.maxsize  # build the copy here, on the first search
    # One database connection for the whole run (a server reconnects each minute: nothing per
    # request), so the server process's CPU can be read before and after each search type.
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None
    path, translate = directory_bench._endpoint()
    variants = directory_bench._variants(path, translate, args.seed)
    get = _requester()
    started = time.perf_counter()
    for items in variants.values():  # the copy, then every code path, once
        get(items[-1].path)
    print(f"copy built and warmed in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    print(
        f"{'search':<18}{'median':>9}{'mean':>9}{'p90':>9}{'min':>9}{'CPU':>9}{'DB CPU':>9}"
        "  statements"
    )
    reports = []
    for kind in args.only or KINDS:
        items = variants[kind][: -1 if kind == "text_distinct" else None]
        paths = _paths(kind, items, args.runs)
        _time(kind, get, paths[: max(10, len(items))] if kind != "text_distinct" else [])
        took = sorted(_time(kind, get, paths))
        p90 = took[int(0.9 * (len(took) - 1))]
        queries = _statements(get, paths[0])
        cpu, db_cpu = _cpu(kind, get, paths)
        print(
            f"{kind:<18}{statistics.median(took):9.2f}{statistics.fmean(took):9.2f}"
            f"{p90:9.2f}{took[0]:9.2f}{cpu:9.2f}{db_cpu or float('nan'):9.2f}  {queries}"
        )
        if args.profile:
            reports.append(f"\n===== {kind} =====\n{_profile(kind, get, paths, args.top)}")
    print("".join(reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
