"""The ranking index (Tantivy, ``search_text._Ranker``) gives a copy's own order whatever its
history: equal scores in rowid order (name order) at a page's edge, and an index patched by
adds and removes ranks as a fresh index of the same services once its statistics are rebuilt
(each remove that takes the removed share past ``REBUILD_AFTER_REMOVED_SHARE`` does that
itself). Pure: no database."""

from __future__ import annotations

import gc
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory import search_text
from directory.search_text import TextIndex

WORDS = ["walking", "football", "dementia", "cafe", "carers", "yoga", "garden", "choir", "older"]

Doc = tuple[int, str, str, str]


def _fresh(docs: list[Doc]) -> TextIndex:
    index = TextIndex(search_text.Synonyms())
    index.add(docs)
    return index.finish()


def test_equal_scores_come_in_rowid_order_at_every_page_edge() -> None:
    """Thirty services with the same words, added in a shuffled order over five writes (five of
    Tantivy's segments, whose own order breaks its ties): every first page is the lowest rowids."""
    rowids = list(range(10, 310, 10))
    random.Random(4).shuffle(rowids)
    index = TextIndex(search_text.Synonyms())
    for at in range(0, 30, 6):
        index.add((r, "Carers cafe", "A cafe for carers", "") for r in rowids[at : at + 6])
    index.add([(5, "Dementia carers cafe", "", "")])  # another score, and the lowest rowid
    ordered = index.search("carers cafe", None).rows.tolist()
    assert [r for r in ordered if r != 5] == sorted(rowids)
    for first in range(0, 32):
        index.forget_answers()
        found = index.search("carers cafe", first)
        assert found.rows.tolist() == ordered[:first], first
        assert found.total == 31


def test_a_page_edge_between_two_tied_groups() -> None:
    """Ties of two different scores around the edge: the higher group first, each in rowid
    order, however many are asked for."""
    index = TextIndex(search_text.Synonyms())
    high = [(r, "Yoga", "yoga", "") for r in (40, 7, 33, 12)]
    low = [(r, "Garden", "yoga garden club with a long description", "") for r in (3, 50, 21)]
    index.add(high[:2] + low[:1])
    index.add(high[2:] + low[1:])
    whole = index.search("yoga", None).rows.tolist()
    assert whole == [7, 12, 33, 40, 3, 21, 50]
    for first in range(1, 8):
        index.forget_answers()
        assert index.search("yoga", first).rows.tolist() == whole[:first]


doc_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
history = st.lists(
    st.tuples(st.sampled_from(["add", "remove", "change"]), st.integers(1, 60), doc_text, doc_text),
    min_size=1,
    max_size=60,
)
queries = [*WORDS, "carers cafe", "older walking football", "garden choir yoga"]


def _replay(
    start: list[tuple[str, str]], steps: list[tuple[str, int, str, str]]
) -> tuple[TextIndex, dict[int, Doc]]:
    """An index of ``start`` after the history ``steps`` (a change is a remove then an add, as
    the copy patches a changed service), and the services it should hold."""
    docs: dict[int, Doc] = {n: (n, name, body, "") for n, (name, body) in enumerate(start, 1)}
    index = _fresh(list(docs.values()))
    for kind, rowid, name, body in steps:
        if kind in ("remove", "change") and rowid in docs:
            index.remove([rowid])
            del docs[rowid]
        if kind in ("add", "change") and rowid not in docs:
            docs[rowid] = (rowid, name, body, "")
            index.add([docs[rowid]])
    return index, docs


@settings(max_examples=40, deadline=None)
@given(start=st.lists(st.tuples(doc_text, doc_text), min_size=1, max_size=60), steps=history)
def test_a_patched_index_finds_and_ranks_as_a_fresh_one(
    start: list[tuple[str, str]], steps: list[tuple[str, int, str, str]]
) -> None:
    """Any history of adds, removes and changes (a remove then an add, as the copy patches a
    changed service): the same services match, with the same counts, at once; with its
    statistics rebuilt, the same order as a new index of the same services."""
    index, docs = _replay(start, steps)
    fresh = _fresh(list(docs.values()))
    assert index.size == fresh.size == len(docs)
    for q in queries:
        got, want = index.search(q, None), fresh.search(q, None)
        assert sorted(got.rows.tolist()) == sorted(want.rows.tolist()), q
        assert (got.total, got.all_words) == (want.total, want.all_words), q
    index.rebuild_ranking()
    for q in queries:
        want = fresh.search(q, None).rows.tolist()
        assert index.search(q, None).rows.tolist() == want, q
        assert index.search(q, 3).rows.tolist() == want[:3], q


def test_removing_past_the_share_rebuilds_the_ranking_by_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Removed services' words stop counting once they pass the share: the order is a fresh
    index's without being asked (``older walking`` orders differently on stale statistics)."""
    monkeypatch.setattr(search_text, "REBUILD_AFTER_REMOVED_SHARE", 0.25)
    rng = random.Random(11)
    docs = [
        (
            n,
            " ".join(rng.choices(WORDS, k=2)),
            " ".join(rng.choices(WORDS, k=rng.randint(1, 9))),
            "",
        )
        for n in range(1, 201)
    ]
    index = _fresh(docs)
    gone = rng.sample(range(1, 201), 40)  # 40 of the 160 left: exactly the share, kept
    index.remove(gone)
    assert index._ranker.removed == 40
    index.remove([next(n for n in range(1, 201) if n not in gone)])  # one past it
    assert index._ranker.removed == 0
    kept = [d for d in docs if d[0] not in gone][1:]
    fresh = _fresh(kept)
    for q in queries:
        assert index.search(q, None).rows.tolist() == fresh.search(q, None).rows.tolist(), q


def test_an_index_kept_in_files_searches_alike_and_deletes_its_files() -> None:
    docs = [
        (n, f"{WORDS[n % 9]} group", f"{WORDS[(n * 7) % 9]} and {WORDS[n % 4]}", "")
        for n in range(1, 120)
    ]
    in_files = TextIndex(search_text.Synonyms(), in_file=True)
    in_files.add(docs)
    in_files.finish()
    in_memory = _fresh(docs)
    for q in queries:
        assert in_files.search(q, 5).rows.tolist() == in_memory.search(q, 5).rows.tolist(), q
    assert in_files._folder is not None
    folder = in_files._folder.path
    assert os.listdir(folder) and in_files.nbytes > in_memory.nbytes
    del in_files
    gc.collect()
    assert not os.path.exists(folder)


@settings(max_examples=40, deadline=None)
@given(start=st.lists(st.tuples(doc_text, doc_text), min_size=1, max_size=30), steps=history)
def test_the_typo_vocabulary_counts_the_services_that_use_each_word(
    start: list[tuple[str, str]], steps: list[tuple[str, int, str, str]]
) -> None:
    """After any history, each word's count is the number of services using it now, and a word
    no service uses any more is nobody's correction."""
    index, docs = _replay(start, steps)
    for word in WORDS:
        using = sum(word in f"{d[1]} {d[2]}".split() for d in docs.values())
        assert index._vocabulary.uses(word) == using, word
        typo = word[:2] + word[3:]  # one letter dropped
        if len(typo) >= 4 and using == 0:
            assert index._nearest(typo, 1) != (word, 0)
            assert all(w != word for w, _n in index._vocabulary.near(word, 2))


def test_a_typo_is_corrected_to_a_word_with_accents_folded() -> None:
    index = _fresh([(1, "Café Crème", "", ""), (2, "Dementia cafe", "", ""), (3, "Other", "", "")])
    assert index._vocabulary.uses("cafe") == 2
    assert sorted(index.search("cafw", None).rows.tolist()) == [1, 2]
    index.remove([1, 2])
    assert index._vocabulary.uses("cafe") == 0 and index.search("cafw", None).total == 0
