"""On SQLite (the demo), simultaneous writers wait for each other instead of failing.

Each writer reads and then writes in one transaction, as casting a vote does (check the ballot is
open and the person has not voted, then store the ballot). With SQLite's default deferred
transactions the read takes a shared lock, the write then needs to upgrade it, and SQLite answers
"database is locked" at once rather than risk a deadlock: 13 of 16 simultaneous votes failed so.
The settings start every transaction with the write lock (IMMEDIATE), so writers queue.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
call_command("migrate", verbosity=0)
from accounts.models import AuditEvent

barrier = threading.Barrier(16)
errors = []

def write(n):
    try:
        barrier.wait()
        with transaction.atomic():
            AuditEvent.objects.filter(object_id=str(n)).exists()
            AuditEvent.objects.create(action="create", object_type="test", object_id=str(n))
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(errors), AuditEvent.objects.filter(object_type="test").count())
print("\\n".join(errors[:3]))
"""


def run_writers(db: Path, extra_env: dict[str, str] | None = None) -> list[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"WELLBEING_ENV", "DATABASE_URL", "DEBUG"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "wellbeing_hub.settings",
            "WELLBEING_ENV": "demo",
            "DATABASE_URL": f"sqlite:///{db}",
            **(extra_env or {}),
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_sixteen_simultaneous_read_then_write_transactions_all_succeed(tmp_path: Path) -> None:
    lines = run_writers(tmp_path / "demo.sqlite3")
    assert lines[0] == "0 16", "\n".join(lines)
