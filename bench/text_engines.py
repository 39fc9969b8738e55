"""Free-text engines compared on the same words: the product's SQLite FTS5 index
(``directory.search_text.TextIndex``) against Tantivy (``tantivy`` on PyPI, Rust, BM25 with
block-max WAND top-k pruning), for speed on searches no index has answered before and for
relevance on the North Lincolnshire judged set. Tantivy is not a dependency; install it to run
this (``pip install tantivy==0.27.0``)::

    DATABASE_URL=sqlite:////tmp/curve-100k.sqlite3 .venv/bin/python -m bench.text_engines speed
    DATABASE_URL=sqlite:////tmp/rel-nl.sqlite3 .venv/bin/python -m bench.text_engines relevance

``speed`` uses the services already in the database (load them first, e.g. with
``bench.search_memory_curve``); ``relevance`` imports the feed into an empty database. Both build
the product's in-memory copy, then a Tantivy index in memory of the same plain text (name, text,
who it is for; its English stemmer). Each search is the product's own: its words corrected and
widened by synonyms into the FTS5 expression (``Ranked.expression``), which Tantivy's query
parser reads as it is, with field boosts in place of bm25's column weights. FTS5 times are the
whole ``TextIndex.search`` with remembered answers forgotten first (its correction and synonym
steps included, each well under a millisecond); Tantivy times are the top 20 and the count.
Relevance: when fewer than five services match every word, Tantivy's list is followed by the
product's any-word matches (the product's own fallback). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
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


def _tantivy_index(documents: list[tuple[int, str, str, str]]) -> tuple[Any, float]:
    import tantivy

    schema = tantivy.SchemaBuilder()
    schema.add_integer_field("rowid", stored=True, indexed=True, fast=True)
    for field in FIELDS:
        schema.add_text_field(field, tokenizer_name="en_stem")
    index = tantivy.Index(schema.build())
    started = time.perf_counter()
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    for rowid, name, body, audience in documents:
        writer.add_document(tantivy.Document(rowid=rowid, name=name, body=body, audience=audience))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.text_engines")
    parser.add_argument("what", choices=["speed", "relevance"])
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--name-boost", type=float, default=2.0)
    parser.add_argument("--audience-boost", type=float, default=0.3)
    args = parser.parse_args(argv)
    try:
        import tantivy  # noqa: F401
    except ImportError:
        print("Tantivy is not installed: pip install tantivy==0.27.0", file=sys.stderr)
        return 2
    _setup_django()
    from django.core.management import call_command

    from directory import search_index, search_memory
    from directory.models import Service

    call_command("migrate", verbosity=0)
    if args.what == "relevance" and not Service.objects.exists():
        from directory.oruk.importer import import_paths
        from directory.relevance import evaluate

        import_paths([evaluate.feed_path()])
    search_memory.BACKGROUND_FROM_ROWS = sys.maxsize
    snap = search_memory.snapshot_for(search_index.current_state())
    assert snap is not None and snap.text is not None, "a built copy has a text index"
    text = snap.text
    index, build_s = _tantivy_index(text.documents())
    searcher = index.searcher()
    boosts = {"name": args.name_boost, "body": 1.0, "audience": args.audience_boost}
    out: dict[str, Any] = {
        "services": text.size,
        "tantivy_build_s": round(build_s, 2),
        "boosts": boosts,
    }
    if args.what == "speed":
        names = list(Service.objects.order_by("pk").values_list("name", flat=True)[:20_000])
        fts: list[float] = []
        tan: list[float] = []
        for q in distinct_queries(names, args.searches, args.seed):
            text.forget_answers()
            started = time.perf_counter()
            found = text.search(q, 20)
            fts.append((time.perf_counter() - started) * 1000)
            if not found.expression:
                continue
            started = time.perf_counter()
            query = index.parse_query(found.expression, FIELDS, field_boosts=boosts)
            searcher.search(query, 20, count=True)
            tan.append((time.perf_counter() - started) * 1000)
        out |= {"fts5": _percentiles(fts), "tantivy": _percentiles(tan), "searches": len(fts)}
    else:
        from directory.relevance import evaluate

        key_to_id = {
            int(k): snap.ids[int(s)] for k, s in zip(snap.keys, snap.slot_of_key, strict=True)
        }

        def tantivy_search(q: str) -> list[str]:
            text.forget_answers()
            found = text.search(q, None)
            if not found.expression:
                return []
            query = index.parse_query(found.expression, FIELDS, field_boosts=boosts)
            rows = [searcher.doc(a)["rowid"][0] for _s, a in searcher.search(query, 20).hits]
            if len(rows) < evaluate.TOP:
                rows += [r for r in found.rows.tolist() if r not in rows]
            return [key_to_id[r] for r in rows]

        queries = evaluate.judgements()["queries"]
        fts5 = evaluate.score(evaluate.product_search, queries)
        tantivy_score = evaluate.score(tantivy_search, queries)
        baseline = evaluate.score(evaluate.bm25_baseline(), queries)
        out |= {
            "fts5_mean_top5": round(fts5.mean, 2),
            "tantivy_mean_top5": round(tantivy_score.mean, 2),
            "bm25_baseline_mean_top5": round(baseline.mean, 2),
            "best_possible": round(fts5.possible, 2),
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
