"""``manage.py backup OUT``: a consistent copy of the database, written whole or not at all.

PostgreSQL: ``pg_dump --format=custom``, which reads one transaction snapshot, so the copy is
consistent while the site is running. SQLite: the online backup API, which copies every page under
one read lock. Either way the copy is written to a temporary file beside OUT (readable by its owner
only) and linked into place when complete; an existing OUT is never overwritten. The size and
SHA-256 are printed to keep with the backup's record.

The connection details come from the ``default`` database settings; the password is given to
``pg_dump`` in the PGPASSWORD environment variable, never on its command line (where other users
of the machine could read it).
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

# Django's OPTIONS for psycopg that libpq also reads from the environment.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


def database_settings() -> dict[str, Any]:
    """``settings.DATABASES["default"]`` as the connection uses it (the same dictionary; under the
    test runner its NAME is the test database's)."""
    return connections["default"].settings_dict


def pg_program(name: str) -> str:
    """The path of a PostgreSQL client program: from $PG_BIN, else the newest Debian
    ``/usr/lib/postgresql/<version>/bin`` (as ``scripts/with-postgres.sh`` finds it; a newer
    pg_dump reads older servers, not the other way round), else from PATH."""
    folder = os.environ.get("PG_BIN")
    if folder:
        candidates = [Path(folder) / name]
    else:
        found = []
        for path in glob.glob(f"/usr/lib/postgresql/*/bin/{name}"):
            version = Path(path).parent.parent.name.split(".")[0]
            if version.isdigit():
                found.append((int(version), Path(path)))
        candidates = [path for _v, path in sorted(found, reverse=True)]
        on_path = shutil.which(name)
        if on_path:
            candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise CommandError(
        f"{name} was not found (looked in $PG_BIN, /usr/lib/postgresql/<version>/bin and PATH). "
        "Install the PostgreSQL client programs (Debian: apt-get install postgresql-client)."
    )


def pg_environment(db: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: connection details as libpq variables."""
    env = dict(os.environ)
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db.get("NAME") or "",
    }
    for option, variable in _LIBPQ_OPTIONS.items():
        value = (db.get("OPTIONS") or {}).get(option)
        if value not in (None, ""):
            values[variable] = str(value)
    for variable, value in values.items():
        if value:
            env[variable] = value
        elif variable != "PGPASSWORD":
            env.pop(variable, None)  # libpq's default (the local socket, your user name)
    return env


def conninfo_dbname(name: str) -> str:
    """``dbname='...'`` for ``--dbname``, quoted so a name with spaces or '=' stays a name."""
    return "dbname='" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover


def program_failed(name: str, completed: subprocess.CompletedProcess[str]) -> CommandError:
    detail = (completed.stderr or completed.stdout or "").strip()
    # Never echo a connection string with a password in it, should libpq print one.
    detail = re.sub(r"(password=)\S+", r"\1***", detail)
    return CommandError(f"{name} failed (exit status {completed.returncode}):\n{detail}")


def _new_temporary(out: Path) -> Path:
    """An empty file beside ``out`` that only its owner can read (the backup holds personal data)."""
    for n in range(100):
        temporary = out.with_name(f".{out.name}.partial-{os.getpid()}-{n}")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return temporary
    raise CommandError(f"Could not create a temporary file beside {out}.")  # pragma: no cover


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _dump_postgresql(temporary: Path) -> None:
    db = database_settings()
    command = [
        pg_program("pg_dump"),
        "--format=custom",
        f"--file={temporary}",
        f"--dbname={conninfo_dbname(db['NAME'])}",
        "--no-password",  # never wait for a password prompt: a scheduled job would hang
    ]
    completed = subprocess.run(
        command, env=pg_environment(db), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise program_failed("pg_dump", completed)


def _copy_sqlite(temporary: Path) -> None:
    connection = connections["default"]
    if connection.is_in_memory_db():  # type: ignore[attr-defined]
        # Only this process can see an in-memory database (the test suite's): copy it through
        # Django's own connection, which must not be half way through a transaction of its own
        # (SQLite would wait for that transaction for ever).
        if connection.in_atomic_block:
            raise CommandError("Run backup outside a database transaction.")
        connection.ensure_connection()
        source = connection.connection
        owned = False
    else:
        source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=60)
        owned = True
    target = sqlite3.connect(temporary)
    try:
        source.backup(target)  # all pages in one step, under one read lock: a consistent copy
    finally:
        target.close()
        if owned:
            source.close()


def place(temporary: Path, out: Path) -> None:
    """Move the finished file to ``out`` without ever replacing an existing file."""
    try:
        os.link(temporary, out)  # fails if out exists, even if it appeared a moment ago
    except FileExistsError:
        raise CommandError(f"{out} already exists; it was not overwritten.") from None
    except OSError:
        # A file system without hard links: check, then rename (a tiny window, but no link).
        if out.exists():
            raise CommandError(f"{out} already exists; it was not overwritten.") from None
        os.rename(temporary, out)
        return
    temporary.unlink()
    _fsync(out.parent)  # the new name itself survives a crash


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database to OUT (PostgreSQL: pg_dump custom format; "
        "SQLite: a database file). Refuses to overwrite OUT. Prints its size and SHA-256."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", metavar="OUT", help="the backup file to create")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"]).expanduser().absolute()
        if out.exists():
            raise CommandError(
                f"{out} already exists. Choose a new file name; nothing was written."
            )
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist; nothing was written.")
        vendor = connections["default"].vendor
        if vendor not in ("postgresql", "sqlite"):
            raise CommandError(f"Backups of a {vendor} database are not supported.")
        temporary = _new_temporary(out)
        try:
            if vendor == "postgresql":
                _dump_postgresql(temporary)
            else:
                _copy_sqlite(temporary)
            _fsync(temporary)
            size = temporary.stat().st_size
            digest = sha256_of(temporary)
            place(temporary, out)
        finally:
            temporary.unlink(missing_ok=True)
        self.stdout.write(f"Backed up the {vendor} database to {out}")
        self.stdout.write(f"size: {size} bytes ({human_size(size)})")
        self.stdout.write(f"sha256: {digest}")
