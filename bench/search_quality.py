"""Search relevance on a real feed, beside a plain BM25 baseline computed in the same run.

    wellbeing-hub bench search-quality FEED.json [--judgements FILE]

Imports the feed into a throwaway database (SQLite in memory, or a test database on the server
DATABASE_URL names: run it under ``scripts/with-postgres.sh`` for PostgreSQL), runs every judged
query through the directory's own search and through SQLite FTS5 BM25 over the same services
(Porter stemming, every word required, no weights, synonyms or typo handling), and prints the
number of relevant services in each top 5 and the means. The judged queries default to the
North Lincolnshire set shipped with the code (``directory/relevance/north_lincolnshire.json``);
a feed without those services scores 0 on both sides, so pass judgements made for it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="wellbeing-hub bench search-quality", description=__doc__.split("\n")[0]
    )
    parser.add_argument("feed", metavar="FEED.json", help="an Open Referral UK JSON feed")
    parser.add_argument("--judgements", metavar="FILE", help="judged queries (JSON, as shipped)")
    args = parser.parse_args(argv)
    feed = Path(args.feed)
    if not feed.is_file():
        print(f"wellbeing-hub: {feed} is not a file", file=sys.stderr)
        return 2
    os.environ["WELLBEING_ENV"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellbeing_hub.test_settings")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.db import connection

    from directory.oruk.importer import import_paths
    from directory.relevance import evaluate

    judged = evaluate.judgements(Path(args.judgements) if args.judgements else evaluate.JUDGEMENTS)
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        imported = import_paths([feed])
        print(f"{imported.summary()} ({time.perf_counter() - started:.0f}s, {connection.vendor})")
        ours = evaluate.score(evaluate.product_search, judged["queries"])
        baseline = evaluate.score(evaluate.bm25_baseline(), judged["queries"])
        print(evaluate.report(ours, baseline))
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
