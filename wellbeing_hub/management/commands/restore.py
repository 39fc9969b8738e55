"""``manage.py restore IN``: put a backup made by ``backup`` into an EMPTY database, then check it.

The target is the ``default`` database of these settings. It must be empty: a restore never mixes
with or replaces data that is already there, so a mistyped DATABASE_URL cannot wipe a live site.
PostgreSQL: ``pg_restore --no-owner --exit-on-error --single-transaction`` (all or nothing).
SQLite: the backup file is copied in with the online backup API. Afterwards every integrity check
runs on the restored data and the command exits 1 if any fails.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections, transaction

from wellbeing_hub.management.commands.backup import (
    PG_CUSTOM_MAGIC,
    SQLITE_MAGIC,
    conninfo_dbname,
    database_settings,
    pg_environment,
    pg_program,
    program_failed,
    sha256_of,
)
from wellbeing_hub.management.commands.check_integrity import check_and_report


def existing_tables() -> tuple[list[str], list[str]]:
    """The target's tables: (those with rows, those without)."""
    connection = connections["default"]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT schemaname, tablename FROM pg_catalog.pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
            )
            tables = [
                (f"{schema}.{name}", f"{quote(schema)}.{quote(name)}")
                for schema, name in cursor.fetchall()
            ]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            tables = [(name, quote(name)) for (name,) in cursor.fetchall()]
        with_rows: list[str] = []
        empty: list[str] = []
        for label, quoted in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quoted})")  # noqa: S608 - quoted names
            (with_rows if cursor.fetchone()[0] else empty).append(label)
    return with_rows, empty


def _refuse_unless_empty(name: str) -> None:
    with_rows, empty = existing_tables()
    if with_rows:
        shown = ", ".join(with_rows[:5]) + (" …" if len(with_rows) > 5 else "")
        raise CommandError(
            f"Refusing to restore: the database {name} is not empty ({len(with_rows)} tables "
            f"have rows: {shown}). A restore goes into a new, empty database only, so it can "
            "never overwrite live data. Create one (PostgreSQL: createdb NEW_NAME) and point "
            "DATABASE_URL at it."
        )
    if empty:
        raise CommandError(
            f"Refusing to restore: the database {name} already has {len(empty)} tables (no rows; "
            "was `migrate` run on it?). The backup brings its own tables: restore into a new, "
            "empty database (PostgreSQL: dropdb and createdb it again)."
        )


# Functions of the earthdistance extension that call others by unqualified names (ll_to_earth
# casts to ``earth``). pg_restore runs with an empty search_path, where they cannot be inlined, so
# an index built on them (directory_location_earth) fails to restore. Those indexes are left out
# of pg_restore's run and created afterwards in a session with the database's own search_path.
_SEARCH_PATH_SENSITIVE = re.compile(r"\b(ll_to_earth|earth_box|earth_distance|gc_to_sec)\s*\(")
_ENTRY = re.compile(r"^-- Name: (?P<name>[^;]+); Type: (?P<type>[^;]+); Schema: (?P<schema>[^;]*);")


def _deferred_indexes(source: Path, db: dict[str, Any]) -> dict[tuple[str, str], str]:
    """{(schema, index name): CREATE INDEX statement} for indexes pg_restore cannot build."""
    script = subprocess.run(
        [pg_program("pg_restore"), "--section=post-data", "--file=-", str(source)],
        env=pg_environment(db),
        capture_output=True,
        text=True,
        check=False,
    )
    if script.returncode != 0:
        raise program_failed("pg_restore", script)
    deferred: dict[tuple[str, str], str] = {}
    current: tuple[str, str] | None = None
    for line in script.stdout.splitlines():
        header = _ENTRY.match(line)
        if header:
            is_index = header["type"] == "INDEX"
            current = (header["schema"], header["name"]) if is_index else None
        elif current and line.startswith("CREATE ") and _SEARCH_PATH_SENSITIVE.search(line):
            deferred[current] = line
    return deferred


def _restore_postgresql(source: Path, temporary_dir: Path) -> list[str]:
    """Restore ``source``; returns the names of the indexes created in a second step."""
    db = database_settings()
    env = pg_environment(db)
    program = pg_program("pg_restore")
    deferred = _deferred_indexes(source, db)
    command = [
        program,
        "--no-owner",
        "--exit-on-error",
        "--single-transaction",  # all or nothing: a failed restore leaves the database empty
        "--no-password",
        f"--dbname={conninfo_dbname(db['NAME'])}",
    ]
    if deferred:
        listing = subprocess.run(
            [program, "--list", str(source)], env=env, capture_output=True, text=True, check=False
        )
        if listing.returncode != 0:
            raise program_failed("pg_restore", listing)
        lines = []
        for line in listing.stdout.splitlines():
            fields = line.split(";", 1)[-1].split()
            # "<dump id>; <catalog oid> <object oid> INDEX <schema> <name> <owner>"
            if len(fields) >= 5 and fields[2] == "INDEX" and (fields[3], fields[4]) in deferred:
                line = ";" + line  # commented out: created below
            lines.append(line)
        toc = temporary_dir / "restore.list"
        toc.write_text("\n".join(lines) + "\n")
        command.append(f"--use-list={toc}")
    completed = subprocess.run(
        [*command, str(source)], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise program_failed("pg_restore", completed)
    if deferred:
        connection = connections["default"]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in deferred.values():
                    cursor.execute(statement)
        except DatabaseError as error:
            raise CommandError(
                f"The data was restored, but an index could not be created: {error}. The "
                "database is not complete: drop it and restore again after fixing the cause."
            ) from None
    return [name for _schema, name in deferred]


def _restore_sqlite(source_path: Path) -> None:
    import sqlite3

    connection = connections["default"]
    connection.ensure_connection()
    source = sqlite3.connect(f"{source_path.as_uri()}?mode=ro", uri=True)
    try:
        (result,) = source.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise CommandError(f"{source_path} is a damaged SQLite database: {result}")
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()  # the next query opens the restored database afresh


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the configured database, which must be empty, "
        "then run the integrity checks on it (exit status 1 if any fails)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="IN", help="a backup file made by `backup`")
        parser.add_argument(
            "--sha256",
            metavar="HEX",
            default="",
            help="refuse unless the file has this SHA-256 (as `backup` printed it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"]).expanduser().absolute()
        if not source.is_file():
            raise CommandError(f"There is no backup file at {source}.")
        expected = options["sha256"].strip().lower()
        if expected:
            actual = sha256_of(source)
            if actual != expected:
                raise CommandError(
                    f"{source} has SHA-256 {actual}, not {expected}: it is not the backup you "
                    "named, or it was damaged. Nothing was restored."
                )
        connection = connections["default"]
        vendor = connection.vendor
        with source.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
        magic = {"postgresql": PG_CUSTOM_MAGIC, "sqlite": SQLITE_MAGIC}.get(vendor)
        if magic is None:
            raise CommandError(f"Restoring into a {vendor} database is not supported.")
        if not head.startswith(magic):
            kind = (
                "a PostgreSQL backup"
                if head.startswith(PG_CUSTOM_MAGIC)
                else "an SQLite backup"
                if head.startswith(SQLITE_MAGIC)
                else "not a backup made by `backup`"
            )
            raise CommandError(
                f"{source} is {kind}; it cannot be restored into this {vendor} database."
            )
        name = str(database_settings().get("NAME") or "")
        _refuse_unless_empty(name)
        if vendor == "postgresql":
            with tempfile.TemporaryDirectory() as folder:
                later = _restore_postgresql(source, Path(folder))
        else:
            later = []
            _restore_sqlite(source)
        self.stdout.write(f"Restored {source} into the {vendor} database {name}.")
        if later:
            self.stdout.write(
                "Created after the restore, with the database's search_path (pg_restore cannot "
                f"build them): {', '.join(later)}."
            )
        self.stdout.write("Checking the restored data:")
        count = check_and_report(self)
        if count:
            found = "1 integrity problem was" if count == 1 else f"{count} integrity problems were"
            raise CommandError(
                f"The restore finished, but {found} found in the restored data (listed above).",
                returncode=1,
            )
        self.stdout.write("Restore complete: all integrity checks passed.")
