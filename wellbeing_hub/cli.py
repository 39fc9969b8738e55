"""The ``wellbeing-hub`` console command: one entry point for the tasks people run by hand.

wellbeing-hub demo                 set up the fictional demo area and serve it on 127.0.0.1:8000
wellbeing-hub serve [--port N]     serve the app (demo settings unless WELLBEING_ENV is set)
wellbeing-hub import-oruk PATH...  import Open Referral UK 3.0 or 1.0 JSON feeds (exit 0 all in,
                                   1 records or fields set aside, 2 a file unusable)
wellbeing-hub export-oruk PATH     export the directory as Open Referral UK 3.0 JSON
wellbeing-hub bench directory|pb   run a benchmark (writes docs/benchmarks.md)
wellbeing-hub bench search-quality FEED.json   search relevance beside a plain BM25 baseline
wellbeing-hub pb tally FILE.pb ... count a participatory-budgeting election
wellbeing-hub charges calc FILE    Care Act charging calculation
wellbeing-hub sroi calc CASE.yaml  social return on investment of a case, as JSON
wellbeing-hub backup OUT           a consistent backup of the database (see docs/operations.md)
wellbeing-hub restore IN           restore a backup into an empty database, then check it
wellbeing-hub check                check the ledgers and the audit trail (exit 1 on a problem)
wellbeing-hub manage ARGS...       any Django management command
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def _django(default_env: str = "demo") -> None:
    os.environ.setdefault("WELLBEING_ENV", default_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellbeing_hub.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _name_the_demo_area() -> None:
    """Show the demo borough's name in the header unless the area was named explicitly."""
    from django.conf import settings

    from directory.demo_area import AREA_NAME, area_exists

    if "WELLBEING_AREA_NAME" not in os.environ and area_exists():
        settings.AREA_NAME = AREA_NAME


def _seed_demo_content(logins: list[Any]) -> None:
    """Each app adds its demo content for the demo people (each skips what is already there)."""
    from django.test.utils import override_settings

    from accounts.models import User
    from befriending.demo import seed_demo as seed_befriending
    from budgets.demo import seed_demo as seed_budgets
    from connect.demo import seed_demo as seed_connect
    from evidence.demo import seed_demo as seed_evidence
    from outcomes.demo import seed_demo as seed_outcomes
    from participation.demo import seed_demo as seed_participation
    from sharedlives.demo import seed_demo as seed_sharedlives
    from timebank.demo import seed_demo as seed_timebank

    users = {login.role: User.objects.get(username=login.username) for login in logins}
    # The made-up history would otherwise print dozens of notification emails to the console.
    quiet = "django.core.mail.backends.dummy.EmailBackend"
    with override_settings(EMAIL_BACKEND=quiet, MAILERS={"default": {"BACKEND": quiet}}):
        seed_sharedlives(users)
        seed_befriending(users)
        for seed in (seed_timebank, seed_budgets, seed_participation, seed_outcomes, seed_evidence):
            seed(users)
        seed_connect(users)


def cmd_demo(args: argparse.Namespace) -> int:
    _django("demo")
    from django.db import transaction

    from accounts.demo_users import create_demo_users
    from directory.demo_area import area_exists, generate_area

    _manage("migrate", "--verbosity", "0")
    if area_exists():
        print("The demo area is already set up (delete var/ to start again).")
    else:
        print("Generating the fictional demo area (this takes a few seconds)…")
        with transaction.atomic():
            summary = generate_area(seed=args.seed)
        print(f"  {summary}")
    logins = create_demo_users()
    _seed_demo_content(logins)
    sign_in = f"http://127.0.0.1:{args.port}/account/sign-in/"
    print(f"\nSign in at {sign_in} as any of these demo people:")
    for login in logins:
        print(f"  {login.role:<14} username: {login.username:<18} password: {login.password}")
    print("(Passwords are new each time `make demo` runs unless WELLBEING_DEMO_PASSWORD is set.)\n")
    _name_the_demo_area()
    return _serve(args.port)


def _serve(port: int) -> int:
    from django.core.management import call_command

    call_command("runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _django("demo")
    _manage("migrate", "--verbosity", "0")
    _name_the_demo_area()
    return _serve(args.port)


def cmd_import_oruk(args: argparse.Namespace) -> int:
    _django("production")
    import json

    from directory.oruk.importer import run_import

    report, run = run_import([Path(p) for p in args.paths], feed=args.feed or "")
    print(report.summary())
    for problem in report.problems():
        print(f"  {problem}", file=sys.stderr)
    report_path = Path(args.report or f"oruk-import-{run.pk}-report.json")
    try:
        report_path.write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=1, default=str) + "\n",
            encoding="utf-8",
            errors="backslashreplace",
        )
        print(f"Report (record, field, problem, action): {report_path}")
    except OSError as error:
        print(
            f"wellbeing-hub: could not write the report to {report_path}: {error}", file=sys.stderr
        )
    print(f"Coordinators see this import at /find-support/imports/{run.pk}/")
    # 0 everything went in, 1 some records or fields were set aside, 2 a file was unusable.
    return report.exit_status


def cmd_export_oruk(args: argparse.Namespace) -> int:
    _django("production")
    from directory.oruk.exporter import export_to

    count = export_to(Path(args.path))
    print(f"Exported {count} services to {args.path}")
    return 0


def _run_command(name: str, *args: str) -> int:
    """Run one of our management commands; its refusal or failure is one message, not a traceback."""
    _django("production")
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(name, *args)
    except CommandError as error:
        print(f"wellbeing-hub: {error}", file=sys.stderr)
        return error.returncode or 1
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    return _run_command("backup", args.out)


def cmd_restore(args: argparse.Namespace) -> int:
    return _run_command("restore", args.source, *(["--sha256", args.sha256] if args.sha256 else []))


def cmd_check(args: argparse.Namespace) -> int:
    return _run_command("check_integrity")


def cmd_bench(args: argparse.Namespace, rest: list[str]) -> int:
    if args.which == "directory":
        from bench.directory_bench import main as bench_main
    elif args.which == "pb":
        from bench.pb_bench import main as bench_main
    elif args.which == "timebank":
        from bench.timebank_bench import main as bench_main
    elif args.which == "search-quality":
        from bench.search_quality import main as bench_main
    else:  # argparse limits the choices
        raise SystemExit(f"unknown benchmark {args.which}")
    return int(bench_main(rest) or 0)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Commands that hand their own arguments to a pure-Python rules package.
    if argv[:1] == ["pb"]:
        from rules.pb.cli import main as pb_main

        return pb_main(argv[1:])
    if argv[:1] == ["charges"]:
        from rules.charging.cli import main as charges_main

        return charges_main(argv[1:])
    if argv[:1] == ["sroi"]:
        from rules.sroi.cli import main as sroi_main

        return sroi_main(argv[1:])
    if argv[:1] == ["manage"]:
        _django(os.environ.get("WELLBEING_ENV", "production"))
        from django.core.management import execute_from_command_line

        execute_from_command_line(["wellbeing-hub manage", *argv[1:]])
        return 0

    parser = argparse.ArgumentParser(
        prog="wellbeing-hub",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="set up and serve the fictional demo area")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--seed", type=int, default=2026)
    serve = sub.add_parser("serve", help="serve the app on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    imp = sub.add_parser("import-oruk", help="import Open Referral UK JSON feeds")
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument(
        "--feed",
        help="a name for the feed (default: the files' names); an import "
        "marks the services the last import of the same feed had and this one lacks",
    )
    imp.add_argument(
        "--report",
        metavar="FILE",
        help="where to write the JSON report (default: oruk-import-N-report.json)",
    )
    exp = sub.add_parser("export-oruk", help="export Open Referral UK 3.0 JSON")
    exp.add_argument("path", metavar="PATH")
    bench = sub.add_parser("bench", help="run a benchmark")
    bench.add_argument("which", choices=["directory", "pb", "timebank", "search-quality"])
    sub.add_parser("pb", help="participatory budgeting: wellbeing-hub pb tally FILE.pb --rule …")
    sub.add_parser(
        "charges",
        help="charging: wellbeing-hub charges calc INPUT.yaml [--date …] [--figures F] "
        "[--local F] [--national F]",
    )
    sub.add_parser("sroi", help="social return: wellbeing-hub sroi calc CASE.yaml")
    backup = sub.add_parser("backup", help="write a consistent backup of the database to OUT")
    backup.add_argument("out", metavar="OUT")
    restore = sub.add_parser("restore", help="restore a backup into an empty database, then check")
    restore.add_argument("source", metavar="IN")
    restore.add_argument("--sha256", metavar="HEX", default="", help="the backup's SHA-256")
    sub.add_parser("check", help="check the ledgers and the audit trail")
    sub.add_parser("manage", help="run a Django management command")

    args, rest = parser.parse_known_args(argv)
    if args.command == "bench":
        return cmd_bench(args, rest)
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    handlers = {
        "demo": cmd_demo,
        "serve": cmd_serve,
        "import-oruk": cmd_import_oruk,
        "export-oruk": cmd_export_oruk,
        "backup": cmd_backup,
        "restore": cmd_restore,
        "check": cmd_check,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
