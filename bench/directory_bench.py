"""Directory search under load, beside the same searches as raw SQL (the lower bound).

Run it under a throwaway PostgreSQL server::

    scripts/with-postgres.sh .venv/bin/python -m bench.directory_bench [--services 100000]
        [--clients 20] [--seconds 20]

(or ``scripts/with-postgres.sh .venv/bin/wellbeing-hub bench directory ...``). It refuses to run
without a PostgreSQL ``DATABASE_URL``: the numbers mean something only on the database an area runs
on, and it writes a large fictional area into that database.

What it does, in order:

1. migrates, and loads ``--services`` services of the fictional demo area
   (``directory.demo_area.generate_area``; an existing demo area of the same size is reused), then
   ``VACUUM ANALYZE`` so the planner has statistics, as autovacuum would give it in service;
2. starts the app on 127.0.0.1 in a real server process: gunicorn (gthread workers, keep-alive)
   when installed, else ``django runserver --noreload``, and primes it: every worker builds its
   in-memory copy of the search rows in the background after its first search (seconds at
   100,000 services; the database answers meanwhile), so searches are driven until 30 in a row of
   the commonest word, on new connections, are each answered in under 50 ms; the time the copy
   takes to build in this process (as after any write) and its size are reported;
3. for each search type (free text, category, near a neighbourhood nearest first, open on Saturday
   and taking personal budgets, and all of those combined) drives the search endpoint with
   ``--clients`` threads for ``--seconds`` seconds, each thread on one keep-alive
   ``http.client`` connection to 127.0.0.1, cycling through a fixed list of searches of that type;
   the endpoint is the ORUK API ``/api/oruk/services`` when it is there, else ``/find-support/``.
   The fixed lists repeat, so a worker answers a repeated free-text search from the answers its
   text index remembers; "text_distinct" sends 1,200 different searches once each (one or two of
   the area's own common words, some with a typo; no warm-up, and left out of the priming) so that
   none is: the cost of a search nobody has made since the last write;
4. runs the same searches as raw SQL: the statements the ORM sends for each search when the
   database answers it alone (captured from one in-process request through the same view with the
   server's in-memory copy of the rows switched off, ``search_memory.disabled()``: the count, the
   ranked or ordered page and the page's records on the search rows; the server answers every
   search type from that copy, free text included) are replayed with psycopg cursors, the same
   number of runs, with the same number of threads, so both sides see the same concurrency; and
   once more unloaded (one client) for both;
5. prints a table, ``EXPLAIN ANALYZE`` of the slowest statement of each type, and one JSON object
   with every figure as the last line, and writes them to docs/benchmarks.md.

Target: p95 under 100 ms and under 3x the raw SQL p95, for each search type.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 100.0
TARGET_RATIO = 3.0
TEXT_QUERIES = [
    "lunch club", "gardening", "memory café", "walking", "carers", "choir", "yoga",
    "benefits advice", "swim", "gardning",
]  # fmt: skip
COMBINED_QUERIES = ["craft", "gardening", "exercise", "home help", "walking football", "art"]
SEARCH_TYPES = ("text", "text_distinct", "category", "near", "saturday_budgets", "combined")
# "text_distinct": every request a search no worker has answered before, so none is answered from
# the text index's remembered answers (``search_text._Answers``): this many for the loaded run
# (each sent once), and more for the one-client run.
DISTINCT_LOADED = 1200
DISTINCT_UNLOADED = 60


@dataclass
class Variant:
    """One search: its query parameters for the endpoint, and the SQL the ORM sends for it."""

    params: dict[str, str]
    path: str = ""
    statements: list[tuple[str, Any]] = field(default_factory=list)
    served_queries: int = 0  # statements the server sends for it (with its in-memory copy)


@dataclass
class Run:
    latencies_ms: list[float]
    seconds: float
    errors: int = 0

    def summary(self) -> dict[str, float | int]:
        lat = sorted(self.latencies_ms)
        if not lat:
            return {"runs": 0, "errors": self.errors}
        return {
            "runs": len(lat),
            "errors": self.errors,
            "p50_ms": round(_percentile(lat, 50), 2),
            "p95_ms": round(_percentile(lat, 95), 2),
            "p99_ms": round(_percentile(lat, 99), 2),
            "mean_ms": round(statistics.fmean(lat), 2),
            "per_second": round(len(lat) / self.seconds, 1) if self.seconds else 0.0,
        }


def _percentile(sorted_values: list[float], pct: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = (len(sorted_values) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


# --- set-up -------------------------------------------------------------------------------------


def _require_postgres() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "The directory benchmark needs PostgreSQL: run it under a throwaway server,\n"
            "  scripts/with-postgres.sh .venv/bin/python -m bench.directory_bench\n"
            "(DATABASE_URL must be a postgresql:// URL; it loads a large fictional area into it)."
        )
    return url


def _setup_django() -> None:
    os.environ["WELLBEING_ENV"] = os.environ.get("WELLBEING_ENV") or "demo"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellbeing_hub.settings")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()


def _load_area(services: int, seed: int) -> str:
    from django.core.management import call_command
    from django.db import connection, transaction

    from directory.demo_area import area_exists, generate_area
    from directory.models import Service

    call_command("migrate", verbosity=0)
    if area_exists() and Service.objects.count() == services:
        note = f"reused the demo area already loaded ({services} services)"
    else:
        with transaction.atomic():
            summary = generate_area(seed=seed, services=services, replace=True)
        note = f"loaded in {summary.seconds:.0f}s: {summary}"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(note, file=sys.stderr)
    return note


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(
    port: int, clients: int, workers: int | None = None, threads: int | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        "WELLBEING_ENV": os.environ["WELLBEING_ENV"],
        "DJANGO_SETTINGS_MODULE": "wellbeing_hub.settings",
        "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "LOG_LEVEL": "ERROR",
        "DEBUG": "0",
    }
    try:
        import gunicorn  # type: ignore[import-untyped]  # noqa: F401

        workers = workers or (os.cpu_count() or 1) + 1
        threads = threads or -(-clients // workers) + 2
        command = [
            sys.executable, "-m", "gunicorn", "wellbeing_hub.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread",
            "--workers", str(workers), "--threads", str(threads), "--keep-alive", "30",
            "--log-level", "warning", "--backlog", "256",
        ]  # fmt: skip
        server = f"gunicorn {_version('gunicorn')} (gthread, {workers} workers x {threads} threads)"
    except ImportError:
        command = [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}",
                   "--noreload", "--skip-checks"]  # fmt: skip
        server = "django runserver --noreload (gunicorn is not installed)"
    process = subprocess.Popen(command, env=env, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The server stopped at start-up: {' '.join(command)}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/oruk/")
            conn.getresponse().read()
            conn.close()
            return process, server
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("The server did not answer within 60 seconds.")


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


# --- the searches -------------------------------------------------------------------------------


def _endpoint() -> tuple[str, Callable[[dict[str, str]], dict[str, str]]]:
    """The ORUK API's service search if it is there, else the HTML search page."""
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("oruk-api:services")
    except NoReverseMatch:
        path = ""
    if path:
        names = {"q": "search", "category": "taxonomy_term_id"}

        def to_api(p: dict[str, str]) -> dict[str, str]:
            # The API has no sort: with a neighbourhood and no words it orders by distance.
            return {names.get(k, k): v for k, v in p.items() if k != "sort"}

        return path, to_api
    return reverse("directory:search"), dict


def distinct_queries(names: list[str], count: int, seed: int) -> list[str]:
    """``count`` different searches made of the commonest words of these service names (150 of
    at least four letters that are not stop words): one word, two words, or a word with one
    letter dropped (a typo), in a seeded random order."""
    import random
    from collections import Counter

    from directory.search_text import STOPWORDS, normalise

    counts = Counter(
        w
        for name in names
        for w in normalise(name).split()
        if w.isalpha() and len(w) >= 4 and w not in STOPWORDS
    )
    common = sorted(w for w, _n in counts.most_common(150))
    rng = random.Random(seed)
    found: dict[str, None] = {}
    while len(found) < count and len(found) < len(common) ** 2:
        word = rng.choice(common)
        shape = rng.random()
        if shape < 0.4:
            q = f"{word} {rng.choice(common)}"
        elif shape < 0.55:
            cut = rng.randrange(1, len(word))
            q = word[:cut] + word[cut + 1 :]
        else:
            q = word if word not in found else f"{word} {rng.choice(common)}"
        found.setdefault(q)
    return list(found)


def _variants(
    path: str, translate: Callable[[dict[str, str]], dict[str, str]], seed: int = 2026
) -> dict[str, list[Variant]]:
    from directory.models import Neighbourhood, Service, TaxonomyTerm

    hoods = list(Neighbourhood.objects.order_by("name").values_list("slug", flat=True))
    categories = list(
        TaxonomyTerm.objects.filter(parent__isnull=True)
        .order_by("name")
        .values_list("pk", flat=True)
    )
    names = list(Service.objects.order_by("pk").values_list("name", flat=True)[:20_000])
    distinct = distinct_queries(names, DISTINCT_LOADED + DISTINCT_UNLOADED, seed)
    plain: dict[str, list[dict[str, str]]] = {
        "text": [{"q": q} for q in TEXT_QUERIES],
        "text_distinct": [{"q": q} for q in distinct],
        "category": [{"category": c} for c in categories],
        "near": [{"neighbourhood": h, "sort": "distance"} for h in hoods],
        "saturday_budgets": [{"day": "SA", "personal_budgets": "1"}],
        "combined": [
            {
                "q": q,
                "neighbourhood": hoods[i % len(hoods)],
                "within": "3",
                "day": "SA",
                "personal_budgets": "1",
            }
            for i, q in enumerate(COMBINED_QUERIES)
        ],
    }
    out: dict[str, list[Variant]] = {}
    for kind, searches in plain.items():
        variants = []
        for params in searches:
            api = translate(params)
            if "within" in api and "search" in api:  # the API takes proximity in metres
                api["proximity"] = str(int(float(api.pop("within")) * 1000))
            variants.append(Variant(params=api, path=f"{path}?{urlencode(api)}"))
        out[kind] = variants
    return out


def record_into(into: list[tuple[str, Any]]) -> Callable[..., Any]:
    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        into.append((sql, params))
        return execute(sql, params, many, context)

    return record


def _capture_sql(variants: dict[str, list[Variant]]) -> None:
    """Record the statements (SQL and parameters) the ORM sends for each search when the
    database answers it alone. Searches by tags alone are answered in the server from an
    in-memory copy of the search rows (``directory.search_memory``), which sends only the page's
    records with the rows' version (one statement); their lower bound is the SQL the same search sends without
    that copy (count, ordered page and records on the same search rows and indexes)."""
    from django.db import connection
    from django.test import Client

    from directory import search_memory

    client = Client(HTTP_HOST="127.0.0.1")
    for kind, items in variants.items():
        for variant in items:
            captured: list[tuple[str, Any]] = []

            def record(execute, sql, params, many, context, into=captured):  # type: ignore[no-untyped-def]
                into.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record), search_memory.disabled():
                response = client.get(variant.path)
            if response.status_code != 200:
                raise SystemExit(f"{kind}: {variant.path} answered {response.status_code}")
            variant.statements = [
                (s, p) for s, p in captured if s.lstrip().upper().startswith("SELECT")
            ]
            served: list[tuple[str, Any]] = []
            client.get(variant.path)  # the in-memory copy is built outside the count
            with connection.execute_wrapper(record_into(served)):
                client.get(variant.path)
            variant.served_queries = len(served)


# --- load ---------------------------------------------------------------------------------------


def _drive(
    clients: int,
    seconds: float | None,
    runs: int | None,
    make_worker: Callable[[int], Callable[[int], None]],
    close: Callable[[int], None] = lambda _i: None,
) -> Run:
    """``clients`` threads each calling its worker with a counter until the time (or the number of
    runs) is used up; every call's latency is recorded."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    remaining = [runs if runs is not None else -1]
    start_gate = threading.Barrier(clients + 1)
    deadline = [0.0]

    def loop(thread: int) -> None:
        work = make_worker(thread)
        start_gate.wait()
        mine: list[float] = []
        n = thread
        while True:
            if runs is not None:
                with lock:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
            elif time.perf_counter() >= deadline[0]:
                break
            t0 = time.perf_counter()
            try:
                work(n)
            except Exception:  # counted and reported; the run goes on
                with lock:
                    errors[0] += 1
                continue
            mine.append((time.perf_counter() - t0) * 1000)
            n += clients
        close(thread)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    begun = time.perf_counter()
    deadline[0] = begun + (seconds or 0)
    start_gate.wait()
    for t in threads:
        t.join()
    return Run(latencies, time.perf_counter() - begun, errors[0])


def _http_worker_factory(port: int, variants: list[Variant]) -> tuple[
    Callable[[int], Callable[[int], None]], Callable[[int], None]
]:  # fmt: skip
    connections: dict[int, http.client.HTTPConnection] = {}

    def make(thread: int) -> Callable[[int], None]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connections[thread] = conn

        def work(n: int) -> None:
            conn.request("GET", variants[n % len(variants)].path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")

        return work

    return make, lambda thread: connections[thread].close()


def _sql_worker_factory(url: str, variants: list[Variant]) -> tuple[
    Callable[[int], Callable[[int], None]], Callable[[int], None]
]:  # fmt: skip
    import psycopg

    connections: dict[int, psycopg.Connection[Any]] = {}

    def make(thread: int) -> Callable[[int], None]:
        conn = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        connections[thread] = conn

        def work(n: int) -> None:
            with conn.cursor() as cursor:
                for sql, params in variants[n % len(variants)].statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        return work

    return make, lambda thread: connections[thread].close()


def _explain(url: str, variants: list[Variant]) -> tuple[float, str]:
    """EXPLAIN ANALYZE of the slowest statement of the first search of a type."""
    import psycopg

    slowest: tuple[float, str, Any] = (-1.0, "", None)
    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        for sql, params in variants[0].statements:
            t0 = time.perf_counter()
            conn.execute(sql, params).fetchall()
            took = (time.perf_counter() - t0) * 1000
            if took > slowest[0]:
                slowest = (took, sql, params)
        rows = conn.execute(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + slowest[1], slowest[2]
        ).fetchall()
    return slowest[0], "\n".join(r[0] for r in rows)


def _prime(port: int, variants: dict[str, list[Variant]]) -> float:
    """Drive every search type until each worker answers from its in-memory copy; the seconds it
    took. Each worker builds its copy in the background on its first search (the database
    answers meanwhile), so: a few seconds of mixed searches by three clients, then 30 searches for
    the commonest word, each on a new connection (any worker may take it), which must all take
    under 50 ms (the database alone takes several times that); again until they do."""
    mixed = [v for kind, items in variants.items() if kind != "text_distinct" for v in items]
    probe = variants["text"][TEXT_QUERIES.index("carers")].path
    began = time.perf_counter()
    while time.perf_counter() - began < 300:
        _drive(3, 3.0, None, *_http_worker_factory(port, mixed))
        slowest = 0.0
        for _ in range(30):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            t0 = time.perf_counter()
            conn.request("GET", probe, headers={"Host": "127.0.0.1"})
            conn.getresponse().read()
            conn.close()
            slowest = max(slowest, (time.perf_counter() - t0) * 1000)
            if slowest >= 50:
                break
        if slowest < 50:
            break
    return time.perf_counter() - began


def _copy_figures() -> dict[str, float]:
    """How long the in-memory copy takes to build from the database (as every worker does after
    a write to the directory) and how big its text index is."""
    from directory import search_index, search_memory

    t0 = time.perf_counter()
    snap = search_memory.build(search_index.current_state())
    seconds = time.perf_counter() - t0
    text_mb = snap.text.nbytes / 1e6 if snap.text is not None else 0.0
    return {"rebuild_s": round(seconds, 2), "text_index_mb": round(text_mb, 1)}


def _worker_rss_mb(master: int) -> list[float]:
    """Resident memory of the server's worker processes (Linux /proc), in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != master:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        except (OSError, ValueError, IndexError):
            continue
    return sorted(sizes)


# --- report -------------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    from bench.report import machine_description

    return {"description": machine_description(), "python": platform.python_version()}


def _body(results: dict[str, Any], meta: dict[str, Any]) -> str:
    from bench.report import markdown_table

    rows = []
    for kind in SEARCH_TYPES:
        r = results[kind]
        h, s, h1, s1 = r["http"], r["sql"], r["http_unloaded"], r["sql_unloaded"]
        rows.append([
            kind, h["p50_ms"], h["p95_ms"], h["p99_ms"], h["per_second"], h["errors"],
            s["p50_ms"], s["p95_ms"], s["p99_ms"], s["per_second"], r["ratio_p95"],
            h1["p50_ms"], s1["p50_ms"], r["queries"], "yes" if r["met"] else "**no**",
        ])  # fmt: skip
    table = markdown_table(
        ["search", "HTTP p50", "p95", "p99", "req/s", "errors", "SQL p50", "p95", "p99",
         "runs/s", "p95 ratio", "1-client HTTP p50", "1-client SQL p50", "queries",
         "target met"],
        rows,
    )  # fmt: skip
    plans = "\n\n".join(
        f"<details><summary>{kind}: slowest statement {results[kind]['slowest_sql_ms']:.1f} ms"
        f"</summary>\n\n```\n{results[kind]['plan']}\n```\n</details>"
        for kind in SEARCH_TYPES
    )
    return f"""
Endpoint `{meta["endpoint"]}` served by {meta["server"]}; PostgreSQL {meta["postgres"]};
{meta["services"]:,} services of the fictional demo area ({meta["load_note"]}).
{meta["clients"]} client threads on keep-alive connections to 127.0.0.1 for {meta["seconds"]}s per
search type (after a {meta["warmup"]}s warm-up), cycling through fixed searches of that type, once the
server was primed ({meta["primed_s"]:.0f}s of searches until every worker answered from its in-memory copy).
Repeated free-text searches are answered from the answers each worker's text index remembers until
the next write; "text_distinct" is {DISTINCT_LOADED:,} different searches (the area's common words, one or
two, some with a typo), each sent about once with no warm-up, so it measures searches no worker has
answered before (its 1-client columns: {DISTINCT_UNLOADED} more such searches).
The server answers every search type from its in-memory copy of the search rows (free text from
the copy's Tantivy index, BM25 with field weights, synonyms and typo correction), so "SQL",
the lower bound, is the statements the ORM sends for the same searches when the database answers
them alone (that copy switched off: count, ranked or ordered page, records), replayed with
psycopg by the same number of threads for the same number of runs. "1-client" columns are the same
searches with no concurrency. "queries" are the statements the server sends per search. Times in
milliseconds. Target: p95 under {TARGET_P95_MS:g} ms and under {TARGET_RATIO:g}x the SQL p95. Client,
server and database share the machine's cores.

The copy (built by each worker on its first search, then patched from the change log after each
write to the directory; searches meanwhile go to the database) took {meta["copy"]["rebuild_s"]}s to build in
the benchmark's own process; its text index (a file from 50,000 services) holds {meta["copy"]["text_index_mb"]} MB of arrays. Workers'
resident memory at the end of the run: {", ".join(f"{m:g} MB" for m in meta["worker_rss_mb"]) or "not measured"}.

{table}

{plans}
"""


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.directory_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--unloaded-runs", type=int, default=30)
    parser.add_argument("--only", choices=SEARCH_TYPES, action="append", help="search types to run")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: cores + 1)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: enough for all)")
    args = parser.parse_args(argv)
    url = _require_postgres()
    _setup_django()
    from django.db import connection

    load_note = _load_area(args.services, args.seed)
    from directory import search_memory

    # This process builds its copy when a search needs it (the server builds large ones in the
    # background and searches the database meanwhile).
    search_memory.BACKGROUND_FROM_ROWS = sys.maxsize
    path, translate = _endpoint()
    variants = _variants(path, translate, args.seed)
    _capture_sql(variants)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    connection.close()

    copy = _copy_figures()
    connection.close()
    port = _free_port()
    process, server = _start_server(port, args.clients, args.workers, args.threads)
    kinds = args.only or list(SEARCH_TYPES)
    results: dict[str, Any] = {}
    try:
        primed = _prime(port, variants)
        print(f"primed in {primed:.0f}s; copy {copy}", file=sys.stderr)
        for kind in kinds:
            items = variants[kind]
            print(f"{kind}: {len(items)} searches, e.g. {items[0].path}", file=sys.stderr)
            if kind == "text_distinct":  # each search once, then others for one client
                items, unloaded = items[:DISTINCT_LOADED], items[DISTINCT_LOADED:]
                http_run = _drive(
                    args.clients, None, len(items), *_http_worker_factory(port, items)
                )
            else:
                unloaded = items
                make, close = _http_worker_factory(port, items)
                _drive(args.clients, args.warmup, None, make, close)
                http_run = _drive(
                    args.clients, args.seconds, None, *_http_worker_factory(port, items)
                )
            runs = len(http_run.latencies_ms) or 1
            sql_run = _drive(args.clients, None, runs, *_sql_worker_factory(url, items))
            runs_one = min(args.unloaded_runs, len(unloaded))
            http_one = _drive(1, None, runs_one, *_http_worker_factory(port, unloaded))
            sql_one = _drive(1, None, runs_one, *_sql_worker_factory(url, unloaded))
            slowest_ms, plan = _explain(url, items)
            h, s = http_run.summary(), sql_run.summary()
            ratio = round(float(h["p95_ms"]) / max(float(s["p95_ms"]), 0.001), 2)
            results[kind] = {
                "example": items[0].path,
                "searches": len(items),
                "queries": round(statistics.fmean(v.served_queries for v in items), 1),
                "sql_statements": round(statistics.fmean(len(v.statements) for v in items), 1),
                "http": h,
                "sql": s,
                "http_unloaded": http_one.summary(),
                "sql_unloaded": sql_one.summary(),
                "ratio_p95": ratio,
                "met": float(h["p95_ms"]) < TARGET_P95_MS
                and ratio < TARGET_RATIO
                and not h["errors"],
                "slowest_sql_ms": round(slowest_ms, 2),
                "plan": plan,
            }
            print(
                f"  HTTP p50/p95/p99 {h.get('p50_ms')}/{h.get('p95_ms')}/{h.get('p99_ms')} ms, "
                f"{h.get('per_second')}/s, errors {h['errors']}; SQL p50/p95/p99 "
                f"{s.get('p50_ms')}/{s.get('p95_ms')}/{s.get('p99_ms')} ms; ratio {ratio}",
                file=sys.stderr,
            )
        worker_rss = _worker_rss_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()

    meta = {
        "endpoint": path,
        "server": server,
        "postgres": postgres,
        "services": args.services,
        "clients": args.clients,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "load_note": load_note,
        "primed_s": round(primed, 1),
        "copy": copy,
        "worker_rss_mb": worker_rss,
    }
    command = "scripts/with-postgres.sh .venv/bin/python -m bench.directory_bench " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    if set(kinds) == set(SEARCH_TYPES):
        for kind in SEARCH_TYPES:
            print(f"\n{kind}: slowest statement, EXPLAIN ANALYZE\n{results[kind]['plan']}")
        if not args.no_write:
            from bench.report import write_section

            title = f"Directory search, {args.services:,} services, {args.clients} clients"
            write_section("directory", title, command.strip(), _body(results, meta))
    figures = {
        "benchmark": "directory",
        **meta,
        "machine": _machine(),
        "target": {"p95_ms": TARGET_P95_MS, "ratio_to_sql_p95": TARGET_RATIO},
        "all_met": all(r["met"] for r in results.values()),
        "results": {
            k: {key: value for key, value in r.items() if key != "plan"} for k, r in results.items()
        },
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
