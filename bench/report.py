"""Write benchmark figures into docs/benchmarks.md, one replaceable section per benchmark.

Each benchmark owns the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``; running it
again replaces only its own section, so results from different benchmarks live side by side.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"

HEADER = """# Benchmarks

Every figure here was written by the benchmark command shown in its section, run on the machine it
names. Benchmarks compare side by side in one run (a peer implementation or a lower bound); they are
not unit tests and are not run by `make test`.
"""


def machine_description() -> str:
    """A one-line description of the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB memory"
    except (ValueError, OSError):
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=BENCHMARKS_MD.parent.parent,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_started() -> tuple[str, str]:
    """The time (UTC, to the minute) and the commit the code being measured comes from."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), git_revision()


def write_section(
    name: str, title: str, command: str, body: str, started: tuple[str, str] | None = None
) -> Path:
    """Replace (or append) the section for benchmark ``name`` in docs/benchmarks.md.

    ``started``: (time, commit) from :func:`run_started` when the run began, for long runs
    during which the checkout may move on; otherwise the time and commit now.
    """
    stamp, revision = started or run_started()
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n"
        f"- Command: `{command}`\n- Machine: {machine_description()}\n"
        f"- Run: {stamp}, commit {revision}\n\n{body.strip()}\n<!-- /bench:{name} -->\n"
    )
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->\n?", re.DOTALL
    )
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
    return BENCHMARKS_MD


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
