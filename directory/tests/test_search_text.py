"""Free text from the in-memory copy (``directory.search_text``): the parsed queries, and on
PostgreSQL the matches, ``ts_rank``, ``similarity`` and whole search pages compared with what the
database itself returns. Ranks are compared as float4 values for equality: one ulp of drift fails."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.db import connection

from directory import search_memory, search_text, selectors
from directory.demo_area import generate_area
from directory.models import Neighbourhood, SearchEntry
from directory.search import ServiceSearch
from directory.search_text import And, Not, Or, Phrase, Query, Word, parse_query
from directory.selectors import search_page

# --- the query tree (no database) ---------------------------------------------------------------


def test_parse_query_reads_tsquery_text_with_priorities_and_escapes() -> None:
    assert parse_query("'lunch' & 'club'") == Query(And(Word("lunch"), Word("club")))
    assert parse_query("!'yoga' & 'swim'") == Query(And(Not(Word("yoga")), Word("swim")))
    assert parse_query("'a' | 'b' & 'c'") == Query(Or(Word("a"), And(Word("b"), Word("c"))))
    assert parse_query("( 'a' | 'b' ) & 'c'") == Query(And(Or(Word("a"), Word("b")), Word("c")))
    assert parse_query("'walk' <-> 'footbal'") == Query(Phrase(Word("walk"), Word("footbal"), 1))
    assert parse_query("'a' <2> 'b' & 'c'") == Query(
        And(Phrase(Word("a"), Word("b"), 2), Word("c"))
    )
    assert parse_query("'it''s' & 'back\\\\slash'") == Query(And(Word("it's"), Word("back\\slash")))
    assert parse_query("") == Query(None)
    assert parse_query("'café'") == Query(Word("café"))


def test_parse_query_refuses_what_it_cannot_answer_exactly() -> None:
    assert parse_query("'walk':*") is None  # prefix
    assert parse_query("'walk':AB & 'club'") is None  # weights
    assert parse_query("( 'a' | 'b' ) <-> 'c'") is None  # phrase over an OR
    assert parse_query("'a' <-> !'b'") is None
    assert parse_query("'a' &") is None
    assert parse_query("( 'a' & 'b'") is None


def test_operands_are_sorted_by_bytes_without_repeats_negated_included() -> None:
    query = parse_query("'zeta' & !'alpha' & ( 'zeta' | 'beta' ) & 'é'")
    assert query is not None
    assert query.operands == ["alpha", "beta", "zeta", "é"]
    assert query.ranks_as_and
    assert not (parse_query("'a' | 'b' & 'c'") or Query(None)).ranks_as_and
    assert not (parse_query("!( 'a' & 'b' )") or Query(None)).ranks_as_and


def test_word_distance_table_is_float4_and_tiny_beyond_100() -> None:
    table = search_text.WORD_DISTANCE
    assert table.dtype == np.float32
    assert table[101] == np.float32(1e-30)
    assert table[1] > table[2] > table[100] > table[101]


def test_fast_and_exact_vector_parsers_agree() -> None:
    texts = [
        "'01632':99B '3.50':76B 'agnieszka':1A,4B,8B 'café':31B 'x@example.org':103",
        "",
        "'a':1A,16383 'b':2,3C,4B,5",
        "'b':7",
    ]
    fast = search_text._parse_vectors(texts)
    slow = search_text._parse_vectors_slowly(texts)
    assert fast[2] == slow[2]
    for a, b in zip(fast[:2] + fast[3:], slow[:2] + slow[3:], strict=True):
        assert np.array_equal(a, b)
    index = search_text.build_index(texts, ["", "", "", ""])
    assert index.vector_size.tolist() == [5, 0, 2, 1]
    assert index.rows_with("b").tolist() == [2, 3]
    # words the fast parser does not model: the exact one reads them, or refuses
    odd = search_text.build_index(["'it''s':1 'a,b':2B"], [""])
    assert sorted(odd.lexemes) == ["a,b", "it's"]
    with pytest.raises(search_text.NotIndexable):
        search_text.build_index(["'a' 'b':1"], [""])
    with pytest.raises(search_text.NotIndexable):
        search_text.build_index([None], [""])


def test_top_equals_a_full_sort_with_ties() -> None:
    rng = np.random.default_rng(5)
    rows = np.sort(rng.choice(10_000, size=3000, replace=False)).astype(np.int32)
    rank = rng.choice(np.array([0.0, 0.1, 0.25, 0.5, 1e-20], dtype=np.float32), size=3000)
    full = rows[np.lexsort((rows, -rank))]
    for start, stop in ((0, 20), (20, 40), (0, 1), (580, 600), (2980, 3000), (0, 3000)):
        assert search_text.top(rank, rows, start, stop).tolist() == full[start:stop].tolist()


def test_similarity_of_some_rows_equals_that_of_all() -> None:
    names = ["  a\x01  ab\x01abc", "  a", "", "  b\x01abc", "  a\x01abc"]
    index = search_text.build_index(["'x':1"] * len(names), names)
    for q in (["  a", "abc"], ["zzz"], [], ["  a", "  a"]):
        every = index.similarity(q)
        for some in ([0], [1, 3], [0, 1, 2, 3, 4], [4]):
            rows = np.array(some, dtype=np.int32)
            assert index.similarity(q, rows).tobytes() == every[rows].tobytes()


def _random_vectors(rng: random.Random, count: int, most_positions: int) -> list[str]:
    """tsvector texts over the words a..d: all four weights, near and far positions, and a
    small pool of repeated vectors so that many rows tie."""
    pool = []
    for _ in range(count):
        if pool and rng.random() < 0.4:
            pool.append(rng.choice(pool))
            continue
        parts = []
        for word in sorted(rng.sample("abcd", rng.randint(1, 4))):
            span = rng.choice([8, 40, 300, 16000])
            positions = sorted(
                rng.sample(range(1, span), min(span - 1, rng.randint(1, most_positions)))
            )
            parts.append(
                f"'{word}':" + ",".join(f"{p}{rng.choice('ABC ').strip()}" for p in positions)
            )
        pool.append(" ".join(parts))
    return pool


def test_rank_estimate_is_within_its_stated_error_of_the_float4_rank() -> None:
    rng = random.Random(11)
    vectors = _random_vectors(rng, 600, 40)
    index = search_text.build_index(vectors, [""] * len(vectors))
    rows = np.arange(len(vectors), dtype=np.int32)
    for text in ("'a' & 'b'", "'a' & 'b' & 'c'", "'d' & 'c' & 'b' & 'a'"):
        query = parse_query(text)
        assert query is not None
        keep, counted = index._rank_and_estimate(query.operands, rows)
        exact = index._rank_and(query.operands, rows).astype(np.float64)
        some = counted > 0
        assert np.array_equal(some, exact >= 0)  # a row with no counted pair keeps -1
        error = np.abs((1.0 - keep[some]) - exact[some])
        assert (error <= counted[some] * 2.0**-24).all()
        assert counted.max() > 100  # long rows are in the sample
        # and the interval ranked() cuts with holds the float4 score, similarity included
        similarity = np.random.default_rng(3).random(len(rows)).astype(np.float32)
        low, high = index._score_interval(query, rows, similarity)
        score = (index.rank(query, rows) + similarity).astype(np.float64)
        assert ((low <= score) & (score <= high)).all()


@pytest.mark.parametrize("seed", range(6))
def test_a_page_by_rank_is_the_page_of_a_full_sort(seed: int) -> None:
    """``ranked`` skips rows that cannot reach the page; the page is still exactly that of
    ranking and sorting every row, ties by row included."""
    rng = random.Random(seed)
    vectors = _random_vectors(rng, 3000, 12)
    names = [
        "\x01".join(
            rng.sample(["  a", " ab", "abc", "bcd", "cd ", "  x", " xy"], rng.randint(0, 5))
        )
        for _ in range(40)
    ]
    index = search_text.build_index(vectors, [rng.choice(names) for _ in vectors])
    estimated = []
    original = index._rank_and_estimate

    def counting(*args: Any) -> Any:
        estimated.append(1)
        return original(*args)

    index._rank_and_estimate = counting  # type: ignore[method-assign]
    for text in ("'a' & 'b'", "'a' & 'b' & 'c'", "'a' & !'c'", "( 'a' | 'b' ) & 'c'", "'a'"):
        query = parse_query(text)
        assert query is not None
        rows = np.flatnonzero(index.matches(query)).astype(np.int32)
        trigrams = ["  a", "abc", " ab", "  x"]
        full = search_text.top(
            index.rank(query, rows) + index.similarity(trigrams, rows), rows, 0, len(rows)
        )
        for start, stop in ((0, 10), (10, 20), (0, 1), (40, 60), (0, len(rows))):
            page = index.ranked(query, trigrams, rows, start, stop)
            assert page.tolist() == full[start:stop].tolist(), (text, start, stop)
    assert estimated  # the estimate did narrow some pages


def test_the_box_in_memory_is_the_box_the_database_is_given() -> None:
    """Django rounds the box's float bounds to the columns' 9 significant digits; the copy
    compares with the same numbers."""
    origin = selectors.Origin("here", 51.23456801234, -0.98765432101)
    query = SearchEntry.objects.filter(selectors._within(origin, 3.0)).query
    _sql, params = query.sql_with_params()
    decimals = sorted(float(p) for p in params if isinstance(p, Decimal))
    assert decimals == sorted(selectors._box_as_compared(origin, 3.0))
    assert len(decimals) == 4


# --- against PostgreSQL -------------------------------------------------------------------------

pg = pytest.mark.postgres

HAND_MADE = [
    "'a':1A,5 'b':3",
    "'a':1A 'b':2B 'c':3C 'd':4",
    "'a':1,2,3,4,5,6 'b':7,200",
    "'a':3A,9B,15C 'b':4,10,120 'c':1A",
    "'b':1 'c':2",
    "'a':16383 'b':16383",
    "'a':1",
    "",
    "'walk':1A,7B 'footbal':2A,8B 'club':3",
    "'footbal':1 'walk':2",
]
QUERIES = [
    "a", "a & b", "b & a", "a | b", "a & b & c", "!a & b", "a & !b", "!a", "a <-> b", "a <2> b",
    "b <-> a", "(a | b) & c", "a & a", "a & (b | !c)", "d & c & b & a", "a <-> b <-> c", "zz",
    "zz & a", "walk <-> footbal", "walk & footbal & club", "!(a & b)", "c | zz", "a & zz & b",
]  # fmt: skip


def _postgres_ranks(vectors: list[str], query: str) -> tuple[list[str], list[float], list[bool]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v::tsvector::text, ts_rank(v::tsvector, %s::tsquery),"
            " v::tsvector @@ %s::tsquery FROM unnest(%s::text[]) WITH ORDINALITY AS u(v, n)"
            " ORDER BY n",
            [query, query, vectors],
        )
        rows = cursor.fetchall()
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _query_text(query: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsquery::text", [query])
        return str(cursor.fetchone()[0])


def _assert_ranks_equal(vectors: list[str], queries: list[str]) -> None:
    texts, _, _ = _postgres_ranks(vectors, "a")
    index = search_text.build_index(texts, [""] * len(texts))
    rows = np.arange(len(texts), dtype=np.int32)
    for q in queries:
        parsed = parse_query(_query_text(q))
        assert parsed is not None, q
        _, ranks, matches = _postgres_ranks(vectors, q)
        assert index.matches(parsed).tolist() == matches, q
        ours = index.rank(parsed, rows)
        theirs = np.array(ranks, dtype=np.float32)  # float4 printed exactly (round trip)
        assert ours.dtype == np.float32
        assert ours.tobytes() == theirs.tobytes(), (q, ours, theirs)


@pg
@pytest.mark.django_db
def test_rank_equals_postgres_for_hand_made_vectors() -> None:
    _assert_ranks_equal(HAND_MADE, QUERIES)


@pg
@pytest.mark.django_db
def test_rank_equals_postgres_for_random_vectors() -> None:
    """Many positions per word, all four weights, near and far words: every step of
    calc_rank_and and calc_rank_or is exercised, and one ulp of difference fails."""
    rng = random.Random(2026)
    letters = "abcde"
    vectors = []
    for _ in range(400):
        words = rng.sample(letters, rng.randint(1, 5))
        parts = []
        for word in sorted(words):
            positions = sorted(rng.sample(range(1, rng.choice([20, 150, 2000])), rng.randint(1, 9)))
            spec = ",".join(f"{p}{rng.choice(['A', 'B', 'C', ''])}" for p in positions)
            parts.append(f"'{word}':{spec}")
        vectors.append(" ".join(parts))
    _assert_ranks_equal(vectors, QUERIES)


NAMES = [
    "Memory Café", "memory cafe", "Lunch club at St Mary's", "Gardening group", "Ærø sailing",
    "Straße 9 walkers", "İstanbul kitchen", "!!!", "A", "Yoga & pilates", "choir-choir", "",
    "Naïve art 2026", "ÉCOLE",
]  # fmt: skip
SEARCHES = ["gardning", "memory café", "cafe", "walk", "yoga", "a", "!!", "lunch club", "ÆRØ", ""]


@pg
@pytest.mark.django_db
def test_similarity_equals_pg_trgm() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_to_string(show_trgm(n), chr(1)) FROM unnest(%s::text[])"
            " WITH ORDINALITY AS u(n, i) ORDER BY i",
            [NAMES],
        )
        trigrams = [r[0] for r in cursor.fetchall()]
    index = search_text.build_index(["'x':1"] * len(NAMES), trigrams)
    for q in SEARCHES:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT similarity(n, %s), n %% %s, show_trgm(%s) FROM unnest(%s::text[])"
                " WITH ORDINALITY AS u(n, i) ORDER BY i",
                [q, q, q, NAMES],
            )
            rows = cursor.fetchall()
        ours = index.similarity(rows[0][2])
        theirs = np.array([r[0] for r in rows], dtype=np.float32)
        assert ours.tobytes() == theirs.tobytes(), (q, ours, theirs)
        assert (ours.astype(np.float64) >= 0.3).tolist() == [r[1] for r in rows], q


# --- whole searches on the demo area ------------------------------------------------------------


@pytest.fixture
def area() -> Any:
    return generate_area(seed=11, services=400)


TEXTS = [
    "lunch club", "gardening", "memory café", "walking", "carers", "choir", "yoga",
    "benefits advice", "swim", "gardning", "craft", "exercise", "home help", "walking football",
    "art", '"walking football"', "-yoga walking", "lunch or choir", "the", "!!", "memry cafe",
    "cafe", "CAFÉ", "home-help", "advice -benefits", "\"lunch club\" or yoga", "x",
    "a the of", "gardning club",
]  # fmt: skip


def _variants(q: str, hood: str) -> list[ServiceSearch]:
    return [
        ServiceSearch(q=q),
        ServiceSearch(q=q, day="SA", personal_budgets=True),
        ServiceSearch(q=q, neighbourhood=hood, within_km=3.0, day="SA", personal_budgets=True),
        ServiceSearch(q=q, neighbourhood=hood, within_km=1.5),
        ServiceSearch(q=q, neighbourhood=hood, sort="distance"),
        ServiceSearch(q=q, sort="name", price="free"),
    ]


@pg
@pytest.mark.django_db
def test_text_searches_from_memory_equal_the_database_alone(
    area: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[bool] = []
    real = selectors._text_page_from_memory

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        served.append(found is not None)
        return found

    monkeypatch.setattr(selectors, "_text_page_from_memory", spy)
    hoods = list(Neighbourhood.objects.order_by("name").values_list("slug", flat=True))
    compared = several_pages = 0
    for i, q in enumerate(TEXTS):
        for search in _variants(q, hoods[i % len(hoods)]):
            with search_memory.disabled():
                first = search_page(search, page_size=7)
            for page in sorted({1, (first.pages + 1) // 2, first.pages, first.pages + 1}):
                paged = ServiceSearch(**{**search.__dict__, "page": page})
                served.clear()
                found = search_page(paged, page_size=7, clamp_page=False)
                # ("!!" has no words: with tags alone the tags path answers it, in name order)
                assert served == ([] if selectors._tags_only(search) else [True]), (q, search)
                with search_memory.disabled():
                    in_sql = search_page(paged, page_size=7, clamp_page=False)
                assert (found.total, found.page, found.pages) == (
                    in_sql.total,
                    in_sql.page,
                    in_sql.pages,
                ), (q, search)
                assert found.ids == in_sql.ids, (q, search, page)
                assert found.distances == in_sql.distances, (q, search, page)
                compared += 1
                several_pages += found.pages > 2
    assert compared > 400 and several_pages > 100


@pg
@pytest.mark.django_db
def test_memory_ranks_are_postgres_ranks_for_every_row(area: Any) -> None:
    """rank + similarity of every row (matching or not) as PostgreSQL returns it, bit for bit."""
    for q in TEXTS:
        text = search_memory.text_search(q)
        assert text is not None, q
        rows = np.arange(len(text.snapshot.ids), dtype=np.int32)
        ours = text.index.rank(text.query, rows) + text.index.similarity(text.trigrams, rows)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ts_rank(vector, websearch_to_tsquery('english', %s))"
                " + similarity(name, %s), vector @@ websearch_to_tsquery('english', %s)"
                " FROM directory_searchentry ORDER BY name, service_id",
                [q, q, q],
            )
            found = cursor.fetchall()
        theirs = np.array([r[0] for r in found], dtype=np.float32)
        assert ours.tobytes() == theirs.tobytes(), q
        assert text.index.matches(text.query).tolist() == [r[1] for r in found], q


@pg
@pytest.mark.django_db
def test_unsupported_queries_and_rebuilding_go_to_the_database(
    area: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = ServiceSearch(q="walking")
    expected = search_page(search)
    monkeypatch.setattr(search_text, "parse_query", lambda text: None)
    assert search_memory.text_search("walking") is None
    assert search_page(search).ids == expected.ids
    monkeypatch.undo()
    # a large copy out of date: the database answers while it is rebuilt in the background
    monkeypatch.setattr(search_memory, "BACKGROUND_FROM_ROWS", 1)
    monkeypatch.setattr(search_memory, "_build_in_background", lambda: None)
    SearchEntry.objects.filter(pk=SearchEntry.objects.values("pk")[:1]).update(name="Zzz")
    from directory import search_index

    search_index.bump_version()
    assert search_memory.text_search("walking") is None
    assert search_memory.snapshot() is None
    with search_memory.disabled():
        in_sql = search_page(search)
    assert search_page(search).ids == in_sql.ids
