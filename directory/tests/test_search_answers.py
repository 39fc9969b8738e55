"""The text index remembers its answers (``search_text._Answers``) until it changes, and a search
for the first few gives exactly the start of the whole answer, with the same count. Pure: the
index is built here from generated services, no database."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory import search_text
from directory.search_text import Ranked, TextIndex, _Answers

WORDS = ["walking", "football", "dementia", "cafe", "carers", "yoga", "garden", "choir", "men"]


def _index(docs: list[tuple[str, str]]) -> TextIndex:
    index = TextIndex(search_text.parse_synonyms("exercise => yoga, walking football\n"))
    index.add((n, name, body, "") for n, (name, body) in enumerate(docs, start=1))
    return index.finish()


def _fresh(docs: list[tuple[str, str]], q: str) -> Ranked:
    return _index(docs).search(q, None)


phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
services = st.lists(st.tuples(phrase, phrase), min_size=1, max_size=40)
query = st.lists(st.sampled_from([*WORDS, "exercise", "for", "demntia"]), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(docs=services, searches=st.lists(st.tuples(query, st.one_of(st.none(), st.integers(0, 12)))))
def test_remembered_answers_are_the_answers_a_fresh_index_gives(
    docs: list[tuple[str, str]], searches: list[tuple[list[str], int | None]]
) -> None:
    """In any order of searches (a page, then the whole list, then a shorter page …) each answer
    is the start of what a new index answers for the whole list, with the same total and the same
    number of all-word matches: the any-word fallback, ranked only as far as the page needs,
    agrees with ranking all of it."""
    index = _index(docs)
    for words, first in searches:
        q = " ".join(words)
        whole = _fresh(docs, q)
        got = index.search(q, first)
        expected = whole.rows if first is None else whole.rows[:first]
        assert got.rows.tolist() == expected.tolist(), (q, first)
        assert got.total == len(whole.rows), (q, first)
        assert got.all_words == whole.all_words, (q, first)


def test_the_fallback_counts_every_any_word_match_beyond_the_page() -> None:
    docs = [("walking football", "men")] + [(f"football {n}", "juniors") for n in range(30)]
    docs += [("men's shed", "tools")] * 5
    found = _index(docs).search("walking football men", 3)
    assert found.all_words == 1
    assert found.rows.tolist()[0] == 1  # the only one with every word comes first
    assert len(found.rows) == 3 and found.total == 36


def test_an_answer_is_forgotten_when_the_index_changes() -> None:
    index = _index([("Knit and natter", "wool")])
    assert index.search("yoga", 20).total == 0
    index.add([(7, "Silver yoga", "gentle", "")])
    assert index.search("yoga", 20).rows.tolist() == [7]
    index.remove([7])
    assert index.search("yoga", 20).total == 0
    assert index.search("exercise", 20).total == 0
    index.add([(8, "Tai chi", "gentle", "")])
    assert index.search("exercise", 20).total == 0  # not yet a synonym
    index.use_synonyms(search_text.parse_synonyms("exercise => tai chi\n"))
    assert index.search("exercise", 20).rows.tolist() == [8]


def test_answers_are_shared_read_only() -> None:
    index = _index([("Silver yoga", "gentle")])
    found = index.search("yoga", None)
    with pytest.raises(ValueError):
        found.rows[0] = 99
    assert index.search("YOGA ", None) is found  # the same search, however it is typed


def _ranked(n: int, total: int | None = None) -> Ranked:
    rows = np.arange(n, dtype=np.int64)
    return Ranked(rows, min(n, 3), "x", n if total is None else total)


def test_a_page_answers_a_shorter_page_but_not_a_longer_one_or_the_whole() -> None:
    answers = _Answers()
    answers.put("carers", 20, _ranked(20, total=500))
    assert answers.get("carers", 20) is not None
    short = answers.get("carers", 19)
    assert short is not None and len(short.rows) == 19 and short.total == 500
    assert answers.get("carers", 21) is None
    assert answers.get("carers", None) is None
    answers.put("carers", None, _ranked(500))
    longer = answers.get("carers", 40)
    assert longer is not None and len(longer.rows) == 40
    answers.put("carers", 20, _ranked(20, total=500))  # the longer answer is kept
    whole = answers.get("carers", None)
    assert whole is not None and len(whole.rows) == 500


def test_a_whole_answer_shorter_than_the_page_answers_any_page() -> None:
    answers = _Answers()
    answers.put("yoga", 20, _ranked(4))
    assert answers.get("yoga", None) is not None
    assert answers.get("yoga", 100) is not None


def test_the_least_recently_used_are_forgotten_at_the_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search_text, "ANSWERS", 3)
    monkeypatch.setattr(search_text, "ANSWER_BYTES", 8 * 100)
    answers = _Answers()
    for key in "abc":
        answers.put(key, None, _ranked(10))
    assert answers.get("a", None) is not None  # used: now the most recent
    answers.put("d", None, _ranked(10))
    assert len(answers) == 3 and answers.get("b", None) is None
    answers.put("e", None, _ranked(26))  # 208 bytes, over a quarter of them: not kept
    assert answers.get("e", None) is None and len(answers) == 3
    answers.put("f", None, _ranked(20))  # a fourth answer: the oldest, "c", goes
    for key in "adf":
        assert answers.get(key, None) is not None
    answers.put("g", None, _ranked(20))
    answers.put("h", None, _ranked(20))
    assert len(answers) == 3
    total = sum(len(x.rows) for k in "adfgh" if (x := answers.get(k, None)) is not None)
    assert total * 8 <= 800


def test_the_bytes_limit_forgets_the_oldest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_text, "ANSWER_BYTES", 8 * 100)
    answers = _Answers()
    for key in "abcde":
        answers.put(key, None, _ranked(20))  # 160 bytes each: 800 in all, exactly the limit
    assert len(answers) == 5
    answers.put("f", None, _ranked(1))
    assert len(answers) == 5 and answers.get("a", None) is None
    assert answers.get("b", None) is not None


def test_forgetting_answers_makes_the_next_search_rank_afresh() -> None:
    index = _index([("Silver yoga", "gentle")])
    first = index.search("yoga", None)
    assert index.search("yoga", None) is first
    index.forget_answers()
    again = index.search("yoga", None)
    assert again is not first and again.rows.tolist() == first.rows.tolist()
