"""Mean top-5 relevance of the directory's search on the judged queries, beside a plain BM25
baseline over the same services in the same run.

The baseline is what the issue measured against: SQLite FTS5 with the Porter stemmer over each
service's name and description (HTML stripped), every word required, ordered by ``bm25()`` with
no weights, synonyms or typo handling.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from directory.search_text import plain_text

JUDGEMENTS = Path(__file__).with_name("north_lincolnshire.json")
FEED_NAME = "north_lincolnshire_oruk1_services_2024-12.json"
TOP = 5
_WORD = re.compile(r"\w+")

Search = Callable[[str], list[str]]


@dataclass
class Score:
    mean: float
    per_query: list[tuple[str, int, int]]  # query, relevant in the top 5, most possible

    @property
    def possible(self) -> float:
        return sum(p for _, _, p in self.per_query) / len(self.per_query)


def judgements(path: Path = JUDGEMENTS) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def feed_path() -> Path:
    """The North Lincolnshire feed in the project's shared data folder (``WELLBEING_SHARED``,
    else the ``shared/`` folder beside the repository, as the test suite finds it)."""
    from django.conf import settings

    shared = Path(os.environ.get("WELLBEING_SHARED", Path(settings.BASE_DIR).parent / "shared"))
    return shared / "data" / "directory" / FEED_NAME


def score(search: Search, queries: list[dict[str, Any]], top: int = TOP) -> Score:
    per_query = []
    for query in queries:
        relevant = {r["id"] for r in query["relevant"]}
        found = search(query["q"])[:top]
        per_query.append(
            (query["q"], sum(1 for pk in found if pk in relevant), min(top, len(relevant)))
        )
    return Score(sum(n for _, n, _ in per_query) / len(per_query), per_query)


def product_search(q: str) -> list[str]:
    """The directory's own search, as the search page runs it."""
    from directory.search import ServiceSearch
    from directory.selectors import search_page

    return search_page(ServiceSearch(q=q), page_size=TOP).ids


def bm25_baseline() -> Search:
    """Plain FTS5 BM25 over the public services as they are in the database now."""
    from directory.models import Service

    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE b USING fts5(id UNINDEXED, name, description, tokenize='porter unicode61')"
    )
    db.executemany(
        "INSERT INTO b(id, name, description) VALUES (?, ?, ?)",
        (
            (pk, name, plain_text(description or ""))
            for pk, name, description in Service.objects.filter(
                status=Service.Status.ACTIVE
            ).values_list("pk", "name", "description")
        ),
    )

    def search(q: str) -> list[str]:
        words = _WORD.findall(q.lower())
        if not words:
            return []
        expression = " AND ".join('"' + w + '"' for w in words)
        rows = db.execute(
            "SELECT id FROM b WHERE b MATCH ? ORDER BY bm25(b), rowid LIMIT ?", [expression, TOP]
        )
        return [pk for (pk,) in rows]

    return search


def report(ours: Score, baseline: Score) -> str:
    lines = [
        f"{'query':32} {'search':>6} {'BM25':>6} {'most':>6}",
        *(
            f"{q[:32]:32} {n:>6} {b:>6} {most:>6}"
            for (q, n, most), (_, b, _) in zip(ours.per_query, baseline.per_query, strict=True)
        ),
        "",
        f"Mean top-{TOP} relevance over {len(ours.per_query)} queries: search {ours.mean:.2f}/{TOP},"
        f" plain BM25 baseline {baseline.mean:.2f}/{TOP} (best possible {ours.possible:.2f}).",
    ]
    return "\n".join(lines)
