"""Backups that can be trusted: ``backup`` writes a consistent copy (never over an existing file),
``restore`` puts it into an empty database only and checks it, and a tampered restored copy fails
the check. The PostgreSQL round trip runs the commands as separate processes against a second
database on the throwaway server, as an operator would."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import AuditEvent
from budgets.models import LedgerPosting
from timebank.models import Posting as TimePosting
from wellbeing_hub.management.commands import backup as backup_command
from wellbeing_hub.tests.test_integrity import make_trusted_data

REPO = Path(__file__).resolve().parents[2]


def _count(row: tuple[Any, ...] | None) -> Any:
    assert row is not None, "a count query returns one row"
    return row[0]


def run_cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """``wellbeing-hub ARGS`` in a new process whose database is ``database_url``."""
    env = dict(os.environ, DATABASE_URL=database_url, WELLBEING_ENV="test")
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the command's own default: wellbeing_hub.settings
    return subprocess.run(
        [sys.executable, "-m", "wellbeing_hub.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def take_backup(out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``backup OUT`` here and return the SHA-256 it printed (checked against the file)."""
    capsys.readouterr()
    call_command("backup", str(out))
    printed = capsys.readouterr().out
    digest = next(line.split()[1] for line in printed.splitlines() if line.startswith("sha256:"))
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"size: {out.stat().st_size} bytes" in printed
    assert (out.stat().st_mode & 0o777) == 0o600  # personal data: the owner only
    return digest


def counts() -> dict[str, int]:
    return {
        "budget postings": LedgerPosting.objects.count(),
        "time postings": TimePosting.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


# --- refusals (any database) ---------------------------------------------------------------------


@pytest.mark.django_db
def test_sqlite_backup_inside_a_transaction_is_refused_not_left_waiting(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: pg_dump reads committed data from its own connection")
    out = tmp_path / "in-transaction.sqlite3"
    with pytest.raises(CommandError, match="outside a database transaction"):
        call_command("backup", str(out))  # the test runs inside a transaction
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_backup_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "keep.dump"
    out.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(out))
    assert out.read_bytes() == b"an older backup"
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_placing_the_file_never_replaces_one_that_appeared_meanwhile(tmp_path: Path) -> None:
    finished, out = tmp_path / ".partial", tmp_path / "new.dump"
    finished.write_bytes(b"new")
    out.write_bytes(b"appeared meanwhile")
    with pytest.raises(CommandError, match="not overwritten"):
        backup_command.place(finished, out)
    assert out.read_bytes() == b"appeared meanwhile"


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup_or_has_another_digest(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    with pytest.raises(CommandError, match="not a backup made by `backup`"):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match=r"has SHA-256 .* not 00"):
        call_command("restore", str(junk), "--sha256", "00" * 32)
    with pytest.raises(CommandError, match="There is no backup file"):
        call_command("restore", str(tmp_path / "missing.dump"))


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_rows_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_trusted_data()
    before = counts()
    out = tmp_path / "backup.db"
    take_backup(out, capsys)
    with pytest.raises(CommandError, match=r"Refusing to restore: the database .* is not empty"):
        call_command("restore", str(out))
    assert counts() == before


def test_the_password_goes_to_pg_dump_in_the_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        seen.update(command=command, env=kwargs["env"])
        return subprocess.CompletedProcess(command, 0, "", "")

    db = {
        "NAME": "hub's db",
        "USER": "hub",
        "PASSWORD": "s3cret-Pa55",
        "HOST": "db.internal",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "verify-full", "pool": True},
    }
    monkeypatch.setattr(backup_command, "database_settings", lambda: db)
    monkeypatch.setattr(backup_command, "pg_program", lambda name: f"/bin/{name}")
    monkeypatch.setattr(subprocess, "run", fake_run)
    backup_command._dump_postgresql(tmp_path / "x.dump")
    assert not any("s3cret" in part for part in seen["command"])
    assert "--format=custom" in seen["command"]
    assert "--dbname=dbname='hub\\'s db'" in seen["command"]
    env = seen["env"]
    assert env["PGPASSWORD"] == "s3cret-Pa55" and env["PGHOST"] == "db.internal"
    assert env["PGPORT"] == "5433" and env["PGUSER"] == "hub" and env["PGSSLMODE"] == "verify-full"


def test_a_failing_pg_dump_is_reported_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 1, "", "connection refused password=abc")

    monkeypatch.setattr(backup_command, "pg_program", lambda name: f"/bin/{name}")
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(backup_command, "database_settings", lambda: {"NAME": "x"})
    with pytest.raises(CommandError) as raised:
        backup_command._dump_postgresql(tmp_path / "x.dump")
    assert "connection refused" in str(raised.value) and "abc" not in str(raised.value)


# --- SQLite --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_into_a_new_database_that_passes_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip")
    make_trusted_data()
    before = counts()
    out = tmp_path / "backup.sqlite3"
    digest = take_backup(out, capsys)
    with sqlite3.connect(out) as copy:
        (postings,) = copy.execute("SELECT count(*) FROM budgets_ledgerposting").fetchone()
    assert postings == before["budget postings"]

    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored = run_cli("restore", str(out), "--sha256", digest, database_url=target)
    assert restored.returncode == 0, restored.stderr
    assert "all integrity checks passed" in restored.stdout
    again = run_cli("restore", str(out), database_url=target)
    assert again.returncode == 1 and "is not empty" in again.stderr
    assert "Traceback" not in again.stderr

    with sqlite3.connect(tmp_path / "restored.sqlite3") as db:
        db.execute(
            "UPDATE budgets_ledgerposting SET amount_pence = amount_pence * 2 "
            "WHERE id = (SELECT min(id) FROM budgets_ledgerposting)"
        )
    checked = run_cli("check", database_url=target)
    assert checked.returncode == 1
    assert "PROBLEM budget-ledger: " in checked.stderr


# --- PostgreSQL ----------------------------------------------------------------------------------


def _server() -> dict[str, Any]:
    db = connection.settings_dict
    return {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
    }


def _url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgresql://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    """A new, empty database on the same throwaway server (dropped afterwards): its URL."""
    import psycopg
    from psycopg import sql

    name = f"restored_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restore_check_and_tamper(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], empty_postgres_database: str
) -> None:
    import psycopg

    make_trusted_data()
    before = counts()
    assert before["audit events"] > 10
    out = tmp_path / "wellbeing-hub.dump"
    digest = take_backup(out, capsys)
    assert out.read_bytes().startswith(b"PGDMP")

    url = _url(empty_postgres_database)
    restored = run_cli("restore", str(out), "--sha256", digest, database_url=url)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Restored" in restored.stdout and "all integrity checks passed" in restored.stdout

    with psycopg.connect(dbname=empty_postgres_database, autocommit=True, **_server()) as copy:
        restored_counts = {
            "budget postings": copy.execute("SELECT count(*) FROM budgets_ledgerposting"),
            "time postings": copy.execute("SELECT count(*) FROM timebank_posting"),
            "audit events": copy.execute("SELECT count(*) FROM accounts_auditevent"),
        }
        assert {k: _count(c.fetchone()) for k, c in restored_counts.items()} == before
        # pg_restore cannot build the ll_to_earth index under its empty search_path (earthdistance
        # casts to an unqualified type): restore creates it afterwards, so the copy is complete.
        (index,) = copy.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'directory_location_earth'"
        ).fetchone()  # type: ignore[misc]
        assert index == 1
    assert "directory_location_earth" in restored.stdout

    checked = run_cli("check", database_url=url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "All integrity checks passed." in checked.stdout

    # Restoring again into what is now a full database is refused, and changes nothing.
    again = run_cli("restore", str(out), database_url=url)
    assert again.returncode == 1
    assert "Refusing to restore" in again.stderr and "is not empty" in again.stderr
    assert "Traceback" not in again.stderr

    # Tamper with one posting in the restored copy: the check fails and names it.
    with psycopg.connect(dbname=empty_postgres_database, autocommit=True, **_server()) as copy:
        copy.execute(
            "UPDATE budgets_ledgerposting SET amount_pence = amount_pence * 2 "
            "WHERE id = (SELECT min(id) FROM budgets_ledgerposting)"
        )
    tampered = run_cli("check", database_url=url)
    assert tampered.returncode == 1
    assert "PROBLEM budget-ledger: " in tampered.stderr and "does not balance" in tampered.stderr
    assert "integrity problems found" in tampered.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_restore_refuses_a_migrated_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The test database has tables with rows (migrations, and the data): nothing is restored."""
    make_trusted_data()
    before = counts()
    out = tmp_path / "wellbeing-hub.dump"
    take_backup(out, capsys)
    refused = run_cli("restore", str(out), database_url=_url(connection.settings_dict["NAME"]))
    assert refused.returncode == 1
    assert "Refusing to restore" in refused.stderr and "is not empty" in refused.stderr
    assert counts() == before
