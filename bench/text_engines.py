"""Free-text engines compared on the same words: the product's index
(``directory.search_text.TextIndex``: Tantivy, BM25 with block-max WAND top-k pruning) against
SQLite FTS5 with bm25 (the engine it replaced, built here from the same plain texts), for speed
on searches no index has answered before and for relevance on the North Lincolnshire judged
set::

    DATABASE_URL=sqlite:////tmp/curve-100k.sqlite3 .venv/bin/python -m bench.text_engines speed
    DATABASE_URL=sqlite:////tmp/rel-nl.sqlite3 .venv/bin/python -m bench.text_engines relevance

``speed`` uses the services already in the database (load them first, e.g. with
``bench.search_memory_curve``); ``relevance`` imports the feed into an empty database. Each
search is the product's own: its words corrected and widened by synonyms into one expression
(``Ranked.expression``), which FTS5 reads as it is, with bm25 column weights (name 4, text 1,
audience 0.3: FTS5's best on the judged set) in place of Tantivy's field boosts. The product's
times are the whole ``TextIndex.search`` with remembered answers forgotten first (correction and
synonyms included); FTS5's are the top 20 and the count for the same expression. Relevance:
when fewer than five services match every word, FTS5's list is followed by the product's
any-word matches (the product's own fallback). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from typing import Any

from bench.directory_bench import _setup_django, distinct_queries

FIELDS = ["name", "body", "audience"]


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "mean_ms": round(statistics.fmean(ordered), 2),
        "p50_ms": round(ordered[len(ordered) // 2], 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
    }


class _Fts5:
    """The FTS5 index the product used before (Porter stemming, bm25 with column weights), of
    the same plain texts."""

    def __init__(self, documents: list[tuple[int, str, str, str]], weights: tuple[float, ...]):
        self.weights = weights
        self.db = sqlite3.connect(":memory:")
        started = time.perf_counter()
        self.db.execute(
            "CREATE VIRTUAL TABLE doc USING fts5(name, body, audience,"
            " tokenize='porter unicode61 remove_diacritics 2')"
        )
        self.db.executemany(
            "INSERT INTO doc(rowid, name, body, audience) VALUES (?,?,?,?)", documents
        )
        self.db.execute("INSERT INTO doc(doc) VALUES ('optimize')")
        self.build_s = time.perf_counter() - started

    def search(self, expression: str, first: int) -> tuple[list[int], int]:
        try:
            rows = [
                r
                for (r,) in self.db.execute(
                    "SELECT rowid FROM doc WHERE doc MATCH ? ORDER BY bm25(doc, ?, ?, ?), rowid"
                    " LIMIT ?",
                    [expression, *self.weights, first],
                )
            ]
            count = self.db.execute("SELECT count(*) FROM doc WHERE doc MATCH ?", [expression])
            return rows, int(count.fetchone()[0])
        except sqlite3.OperationalError:
            return [], 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.text_engines")
    parser.add_argument("what", choices=["speed", "relevance"])
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    _setup_django()
    from django.core.management import call_command

    from directory import search_index, search_memory, search_text
    from directory.models import Service

    call_command("migrate", verbosity=0)
    if args.what == "relevance" and not Service.objects.exists():
        from directory.oruk.importer import import_paths
        from directory.relevance import evaluate

        import_paths([evaluate.feed_path()])
    search_memory.BACKGROUND_FROM_ROWS = sys.maxsize
    started = time.perf_counter()
    snap = search_memory.snapshot_for(search_index.current_state())
    copy_s = time.perf_counter() - started
    assert snap is not None and snap.text is not None, "a built copy has a text index"
    text = snap.text
    fts5 = _Fts5(text.documents(), (4.0, 1.0, search_text.AUDIENCE_BOOST))
    out: dict[str, Any] = {
        "services": text.size,
        "product_copy_build_s": round(copy_s, 2),
        "fts5_build_s": round(fts5.build_s, 2),
        "product_boosts": {"name": search_text.NAME_BOOST, "audience": search_text.AUDIENCE_BOOST},
        "fts5_weights": fts5.weights,
    }
    if args.what == "speed":
        names = list(Service.objects.order_by("pk").values_list("name", flat=True)[:20_000])
        product: list[float] = []
        other: list[float] = []
        for q in distinct_queries(names, args.searches, args.seed):
            text.forget_answers()
            started = time.perf_counter()
            found = text.search(q, 20)
            product.append((time.perf_counter() - started) * 1000)
            if not found.expression:
                continue
            started = time.perf_counter()
            fts5.search(found.expression, 20)
            other.append((time.perf_counter() - started) * 1000)
        out |= {
            "product_tantivy": _percentiles(product),
            "fts5_top20_and_count": _percentiles(other),
            "searches": len(product),
        }
    else:
        from directory.relevance import evaluate

        key_to_id = {
            int(k): snap.ids[int(s)] for k, s in zip(snap.keys, snap.slot_of_key, strict=True)
        }

        def fts5_search(q: str) -> list[str]:
            text.forget_answers()
            found = text.search(q, None)
            if not found.expression:
                return []
            rows = fts5.search(found.expression, 20)[0]
            if len(rows) < evaluate.TOP:
                rows += [r for r in found.rows.tolist() if r not in rows]
            return [key_to_id[r] for r in rows]

        queries = evaluate.judgements()["queries"]
        ours = evaluate.score(evaluate.product_search, queries)
        fts5_score = evaluate.score(fts5_search, queries)
        baseline = evaluate.score(evaluate.bm25_baseline(), queries)
        out |= {
            "product_tantivy_mean_top5": round(ours.mean, 2),
            "fts5_mean_top5": round(fts5_score.mean, 2),
            "bm25_baseline_mean_top5": round(baseline.mean, 2),
            "best_possible": round(ours.possible, 2),
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
