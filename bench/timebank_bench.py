"""Load test for time bank exchanges against PostgreSQL, on loopback.

``wellbeing-hub bench timebank [--clients 50] [--seconds 30] [--servers N] [--threads N]
[--server wsgiref|gunicorn] [--no-report]`` (run it under ``scripts/with-postgres.sh``;
DATABASE_URL must point at PostgreSQL).

0. Checks that PostgreSQL is durable (``fsync``, ``synchronous_commit`` and ``full_page_writes``
   on: every commit is on disk before it is answered). ``scripts/with-postgres.sh`` starts the
   tests' server without them, so then the benchmark runs itself again on a durable throwaway server
   (``PG_DURABLE=1 scripts/with-postgres.sh``). The settings are reported with the results.
1. Migrates the database and creates a coordinator with an API token and one approved member per
   client (each with the joining credit).
2. Starts ``--servers`` real server processes on 127.0.0.1 (Python's WSGI server with a fixed pool
   of ``--threads`` threads each, so database connections are kept; the kernel spreads connections
   between the processes with SO_REUSEPORT; or ``--server gunicorn``: gunicorn with as many gthread
   workers). They serve the whole Django project, with its middleware.
3. ``--clients`` concurrent clients POST exchanges to the JSON endpoint
   (``/time-bank/api/exchanges/``, token auth, recorded and confirmed by the coordinator in one
   request; one HTTP request per exchange, on a connection kept open when the server allows it)
   for ``--seconds``. Client *i* exchanges time with its neighbour *i+1*, alternating who
   gives, so neighbouring clients contend for the same accounts' locks. Deliberately, about one
   request in ten is a duplicate: a retry of the client's own last request, or a resend of another
   client's recent request (which may arrive at the same moment as the original).
4. Stops the servers and checks every account: :func:`rules.ledger.check_ledger` over all stored
   transactions, cached balances against their postings, the sum of all balances (zero), and that
   each accepted idempotency key was recorded exactly once.

Prints one JSON object as its last line and writes docs/benchmarks.md (section ``timebank``)
unless ``--no-report``. Only exchanges answered ``201`` (recorded and confirmed) are counted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PATH = "/time-bank/api/exchanges/"
BASE = datetime(2000, 1, 3, tzinfo=UTC)


def _django() -> None:
    os.environ.setdefault("WELLBEING_ENV", "demo")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellbeing_hub.settings")
    import django

    django.setup()


# --- the server ----------------------------------------------------------------------------------


def serve(port: int, threads: int) -> int:
    """One server process: Django behind wsgiref with a fixed thread pool, SO_REUSEPORT."""
    _django()
    import socketserver
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    class PooledServer(socketserver.ThreadingMixIn, WSGIServer):
        request_queue_size = 1024
        allow_reuse_address = True
        pool = ThreadPoolExecutor(max_workers=threads)

        def server_bind(self) -> None:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            super().server_bind()

        def process_request(self, request: Any, client_address: Any) -> None:
            self.pool.submit(self.process_request_thread, request, client_address)

    server = PooledServer(("127.0.0.1", port), QuietHandler)
    server.set_app(application)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever(poll_interval=0.2)
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/time-bank/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"The server on port {port} did not start.")


# --- set-up and the invariant check --------------------------------------------------------------


def _durability() -> dict[str, str]:
    """The server's settings that decide whether a commit is on disk before it is answered."""
    from django.db import connection

    with connection.cursor() as cursor:
        settings = {}
        for name in ("fsync", "synchronous_commit", "full_page_writes"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    connection.close()
    return settings


def _setup(clients: int) -> tuple[str, list[int]]:
    from django.core.management import call_command

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import grant_role
    from timebank import services

    def make_user(role: str, username: str) -> User:
        person = User.objects.create_user(username=username, display_name=username)
        grant_role(person, role)
        return person

    call_command("migrate", verbosity=0)
    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    coordinator = make_user(Role.COORDINATOR, username=f"bench-coordinator-{stamp}")
    token = services.issue_api_token(user=coordinator)
    members = []
    for i in range(clients):
        person = make_user(Role.PERSON, username=f"bench-{stamp}-{i}")
        member = services.apply_to_join(user=person, name=f"Bench member {i}")
        services.approve_member(coordinator=coordinator, member=member)
        members.append(member.pk)
    return token, members


def _check(accepted_keys: set[str]) -> dict[str, Any]:
    from django.db.models import Sum

    from rules.ledger import check_ledger
    from timebank import selectors
    from timebank.models import Account, Exchange

    started = time.perf_counter()
    transactions = selectors.ledger_transactions()
    violations = [v.message for v in check_ledger(transactions)]
    problems = selectors.ledger_problems()  # includes check_ledger's, plus cached balances
    total = Account.objects.aggregate(total=Sum("balance"))["total"] or 0
    stored = set(
        Exchange.objects.filter(
            idempotency_key__in=[f"api:{k}" for k in accepted_keys]
        ).values_list("idempotency_key", flat=True)
    )
    missing = len(accepted_keys) - len(stored)
    unposted = Exchange.objects.filter(status="confirmed", transaction__isnull=True).count()
    count = len(set(problems) | set(violations)) + (1 if total else 0) + missing + unposted
    return {
        "transactions": len(transactions),
        "accounts": Account.objects.count(),
        "sum_of_balances": total,
        "missing_or_duplicated": missing,
        "invariant_violations": count,
        "problems": (problems + violations)[:5],
        "check_seconds": round(time.perf_counter() - started, 2),
    }


# --- the clients ---------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.created = 0
        self.repeated = 0
        self.refused = 0
        self.errors = 0
        self.duplicates_sent = 0
        self.accepted: set[str] = set()
        self.wrong_duplicate = 0
        self.refusals: dict[str, int] = {}


def _client(
    n: int,
    clients: int,
    port: int,
    token: str,
    members: list[int],
    stop: float,
    stats: Stats,
    recent: deque[tuple[str, dict[str, Any], int | None]],
) -> None:
    rng = random.Random(n)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn: http.client.HTTPConnection | None = None
    me, neighbour = members[n], members[(n + 1) % len(members)]
    seq = 0
    last: dict[str, Any] | None = None
    known: dict[str, int] = {}
    while time.monotonic() < stop:
        roll = rng.random()
        duplicate = False
        if last is not None and roll < 0.05:
            body, duplicate = last, True  # a retry of our own last request
        elif roll < 0.10 and recent:
            body, duplicate = rng.choice(list(recent))[1], True  # another client's request
        else:
            giver, receiver = (me, neighbour) if seq % 2 == 0 else (neighbour, me)
            start = BASE + timedelta(hours=seq * clients + n)  # a unique hour per exchange
            body = {
                "idempotency_key": f"bench-{n}-{seq}-{os.getpid()}",
                "giver": giver,
                "receiver": receiver,
                "minutes": 30 + 15 * ((seq // 2) % 3),
                "start": start.isoformat(),
                "description": "Benchmark exchange",
                "confirm": True,
            }
            seq += 1
        payload = json.dumps(body)
        began = time.perf_counter()
        try:
            if conn is None:  # one connection per client, kept alive while the server keeps it
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", PATH, payload, headers)
            response = conn.getresponse()
            data = json.loads(response.read() or b"{}")
            status = response.status
            if response.will_close:
                conn.close()
                conn = None
        except (OSError, ValueError, http.client.HTTPException):
            with stats.lock:
                stats.errors += 1
            if conn is not None:
                conn.close()
                conn = None
            continue
        elapsed = (time.perf_counter() - began) * 1000
        key = body["idempotency_key"]
        with stats.lock:
            stats.latencies.append(elapsed)
            if duplicate:
                stats.duplicates_sent += 1
            if status == 201:
                stats.created += 1
                stats.accepted.add(key)
            elif status == 200:
                stats.repeated += 1
                stats.accepted.add(key)
            elif status == 422:
                stats.refused += 1
                reason = str(data.get("error", ""))[:60]
                stats.refusals[reason] = stats.refusals.get(reason, 0) + 1
            else:
                stats.errors += 1
            if status in (200, 201):
                if key in known and known[key] != data.get("id"):
                    stats.wrong_duplicate += 1
                known[key] = data.get("id")
        if not duplicate and status == 201:
            last = body
            recent.append((key, body, data.get("id")))
    if conn is not None:
        conn.close()


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        parser = argparse.ArgumentParser(prog="timebank_bench serve")
        parser.add_argument("serve")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--threads", type=int, default=8)
        args = parser.parse_args(argv)
        return serve(args.port, args.threads)
    parser = argparse.ArgumentParser(
        prog="wellbeing-hub bench timebank", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--servers", type=int, default=4, help="server processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument(
        "--server",
        choices=["wsgiref", "gunicorn"],
        default="wsgiref",
        help="Python's wsgiref (a connection a request; the default, faster here) or gunicorn "
        "(gthread workers, keep-alive)",
    )
    parser.add_argument("--no-report", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "This benchmark needs PostgreSQL: run it as "
            "scripts/with-postgres.sh wellbeing-hub bench timebank",
            file=sys.stderr,
        )
        return 2
    if args.clients < 2:
        parser.error("--clients must be at least 2")
    _django()
    durability = _durability()
    if not all(value == "on" for value in durability.values()):
        if os.environ.get("PG_DURABLE") == "1":
            raise SystemExit(f"PostgreSQL is not durable despite PG_DURABLE=1: {durability}")
        # A server started without fsync or synchronous commit (as scripts/with-postgres.sh
        # starts one for the tests) would flatter every commit: run on a durable one instead.
        print(
            f"PostgreSQL here runs with {durability}; starting a durable throwaway server "
            "for the benchmark (PG_DURABLE=1 scripts/with-postgres.sh).",
            file=sys.stderr,
        )
        command = [
            str(REPO / "scripts" / "with-postgres.sh"),
            sys.executable,
            "-m",
            "bench.timebank_bench",
        ]
        return subprocess.call([*command, *argv], cwd=REPO, env={**os.environ, "PG_DURABLE": "1"})
    token, members = _setup(args.clients)
    from django.db import connections

    connections.close_all()
    port = _free_port()
    env = {**os.environ, "WELLBEING_ENV": os.environ.get("WELLBEING_ENV", "demo")}
    if args.server == "gunicorn":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "wellbeing_hub.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--worker-class=gthread",
            f"--workers={args.servers}",
            f"--threads={args.threads}",
            "--keep-alive=120",  # longer than a run: clients keep their connection
            "--backlog=2048",
            "--preload",
            "--log-level=warning",
        ]
        servers = [subprocess.Popen(command, cwd=REPO, env=env)]
    else:
        command = [sys.executable, "-m", "bench.timebank_bench", "serve"]
        command += ["--port", str(port), "--threads", str(args.threads)]
        servers = [subprocess.Popen(command, cwd=REPO, env=env) for _ in range(args.servers)]
    try:
        _wait_for(port)
        time.sleep(1.0)  # let every server process finish starting
        load_before = os.getloadavg()[0]
        stats = Stats()
        recent: deque[tuple[str, dict[str, Any], int | None]] = deque(maxlen=200)
        began = time.monotonic()
        stop = began + args.seconds
        workers = [
            threading.Thread(
                target=_client,
                args=(n, args.clients, port, token, members, stop, stats, recent),
            )
            for n in range(args.clients)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.monotonic() - began
        load_after = os.getloadavg()[0]
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    check = _check(stats.accepted)
    violations = check["invariant_violations"] + stats.wrong_duplicate
    result = {
        "exchanges_per_second": round(stats.created / elapsed, 1),
        "p95_ms": round(_percentile(stats.latencies, 0.95), 1),
        "duplicates_sent": stats.duplicates_sent,
        "invariant_violations": violations,
        "confirmed_exchanges": stats.created,
        "duplicate_answers": stats.repeated,
        "requests_per_second": round(len(stats.latencies) / elapsed, 1),
        "p50_ms": round(_percentile(stats.latencies, 0.5), 1),
        "refused": stats.refused,
        "errors": stats.errors,
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "servers": args.servers,
        "threads": args.threads,
        "server": args.server,
        "transactions_checked": check["transactions"],
        "accounts_checked": check["accounts"],
        "sum_of_balances": check["sum_of_balances"],
        "load_average_before": round(load_before, 1),
        "load_average_after": round(load_after, 1),
        "postgres": durability,
    }
    if check["problems"] or stats.refusals:
        print(
            json.dumps({"problems": check["problems"], "refusals": stats.refusals}), file=sys.stderr
        )
    if not args.no_report:
        _report(args, result)
    print(json.dumps(result))
    return 0 if violations == 0 and stats.errors == 0 else 1


def _report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    from bench.report import markdown_table, write_section

    command = (
        f"scripts/with-postgres.sh wellbeing-hub bench timebank --clients {args.clients} "
        f"--seconds {args.seconds:g} --servers {args.servers} --threads {args.threads} "
        f"--server {args.server}"
    )
    target = "met" if r["exchanges_per_second"] >= 300 else "**not met**"
    body = "\n\n".join(
        [
            "Concurrent clients POST exchanges to the JSON endpoint (token auth; each request "
            "records and confirms one exchange as the coordinator: validation, overlap check, "
            "debit limits, both accounts locked in key order, a balanced ledger transaction, "
            "cached balances updated, an audit record) against real server processes on "
            "127.0.0.1 and a throwaway PostgreSQL server on the same machine. About one request "
            "in ten is a deliberate duplicate (a retry, or another client's request resent). "
            "Afterwards every account is checked.",
            markdown_table(
                ["Measure", "Value"],
                [
                    ["Confirmed exchanges per second", r["exchanges_per_second"]],
                    ["Requests per second (including duplicates)", r["requests_per_second"]],
                    ["Latency p50 / p95 (ms)", f"{r['p50_ms']} / {r['p95_ms']}"],
                    ["Confirmed exchanges", r["confirmed_exchanges"]],
                    [
                        "Duplicates sent / answered with the original",
                        f"{r['duplicates_sent']} / {r['duplicate_answers']}",
                    ],
                    [
                        "Refused (with a reason) / transport errors",
                        f"{r['refused']} / {r['errors']}",
                    ],
                    [
                        "Transactions and accounts checked",
                        f"{r['transactions_checked']} / {r['accounts_checked']}",
                    ],
                    ["Sum of all balances (minutes)", r["sum_of_balances"]],
                    ["Invariant violations", r["invariant_violations"]],
                    [
                        "PostgreSQL fsync / synchronous_commit / full_page_writes",
                        " / ".join(r["postgres"].values()),
                    ],
                    [
                        "Load average before / at the end (1 min)",
                        f"{r['load_average_before']} / {r['load_average_after']}",
                    ],
                ],
            ),
            f"Target of 300 confirmed exchanges per second on this machine: {target}. The "
            "clients, the server processes and PostgreSQL share the machine's cores.",
        ]
    )
    write_section("timebank", "Time bank: concurrent exchanges", command, body)


if __name__ == "__main__":
    raise SystemExit(main())
