"""Search finds what people mean: the relevance set over a real council feed (a floor that must
not regress, above a plain BM25 baseline), and each behaviour it rests on — real stemming,
typos, synonyms, any-word fallback below all-word matches, markup not searched — on SQLite and
PostgreSQL (the suite runs on both)."""

from __future__ import annotations

from pathlib import Path

import pytest

from directory import search_text
from directory.oruk.importer import import_paths
from directory.relevance import evaluate
from directory.search import ServiceSearch, parse_search
from directory.selectors import search_page, search_services
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

# Mean top-5 relevance the search must keep on the North Lincolnshire set: it scored 3.90/5 on
# SQLite and on PostgreSQL when the floor was set (best possible 4.10), against 2.69/5 for the
# plain BM25 baseline (``wellbeing-hub bench search-quality``).
FLOOR = 3.75


def names(q: str, **filters: list[str]) -> list[str]:
    return [s.name for s in search_services(parse_search({"q": [q], **filters})).services]


def test_the_relevance_set_has_judging_rules_and_enough_queries() -> None:
    data = evaluate.judgements()
    assert len(data["rules"]) >= 5
    assert len(data["queries"]) >= 30
    assert all(q["relevant"] for q in data["queries"])
    assert len({q["q"] for q in data["queries"]}) == len(data["queries"])


def test_relevance_on_the_north_lincolnshire_feed_beats_bm25_and_the_floor(
    shared_dir: Path,
) -> None:
    feed = shared_dir / "data" / "directory" / evaluate.FEED_NAME
    import_paths([feed])
    queries = evaluate.judgements()["queries"]
    judged = {r["id"] for q in queries for r in q["relevant"]}
    ours = evaluate.score(evaluate.product_search, queries)
    baseline = evaluate.score(evaluate.bm25_baseline(), queries)
    report = evaluate.report(ours, baseline)
    assert ours.mean >= FLOOR, report
    assert ours.mean > baseline.mean + 0.5, report
    # typos find what the word meant: all but one of the best possible in the first five
    typos = {"demntia", "alchohol", "bereavment", "councelling"}
    assert all(n >= most - 1 for q, n, most in ours.per_query if q in typos), report
    assert judged  # the judged services are the feed's own ids


def test_stemming_is_real_not_a_cut_suffix() -> None:
    f.service(name="Carers' coffee morning", description="For people who look after someone.")
    f.service(name="Carpenter's workshop", description="Woodwork for beginners.")
    f.service(name="Hearing loss group", description="Lip reading and hearing aids.")
    f.service(name="Glos walkers", description="Walks in the hills.")
    assert names("carers") == ["Carers' coffee morning"]
    assert names("carer") == ["Carers' coffee morning"]
    assert names("loss") == ["Hearing loss group"]


def test_typos_are_corrected_to_words_the_directory_uses() -> None:
    f.service(name="Dementia cafe", description="A cuppa and a chat for people living with it.")
    f.service(name="We are with you", description="Help with drugs and alcohol, over 18s.")
    f.service(name="Knit and natter", description="Bring your own wool.")
    assert names("demntia") == ["Dementia cafe"]
    assert names("alchohol") == ["We are with you"]
    assert names("dementia cafe") == ["Dementia cafe"]
    assert names("xqzzv") == []  # nothing near: nothing found


def test_synonyms_from_the_curated_list_widen_the_search() -> None:
    f.service(name="Silver yoga", description="Gentle yoga for the elderly.")
    f.service(name="Over 60s club", description="Tea, bingo and trips for older people.")
    f.service(name="Scunthorpe Foodbank", description="Emergency parcels.")
    f.service(name="Toddler music", description="Songs for under fives.")
    assert set(names("older people")) == {"Silver yoga", "Over 60s club"}
    assert set(names("elderly")) == {"Silver yoga", "Over 60s club"}
    assert names("food bank") == ["Scunthorpe Foodbank"]
    # one way: exercise finds yoga; yoga does not find every kind of exercise
    assert names("exercise for older people")[0] == "Silver yoga"
    assert names("yoga") == ["Silver yoga"]


def test_synonym_file_format_is_solrs() -> None:
    synonyms = search_text.parse_synonyms(
        "# a comment\nelderly, older people\nexercise => yoga, tai chi\n"
    )
    stems = search_text.stemmer().stems
    assert synonyms.expand[tuple(stems(["older", "people"]))] == ["elderly", "older people"]
    assert synonyms.expand[tuple(stems(["exercise"]))] == ["exercise", "yoga", "tai chi"]
    assert tuple(stems(["yoga"])) not in synonyms.expand
    shipped = search_text.load_synonyms()
    assert len(shipped.expand) > 50


def test_any_word_matches_follow_all_word_matches_when_these_are_few() -> None:
    f.service(name="Men's walking football", description="Over 50s, gentle pace.")
    f.service(name="Walking football", description="A slower game for everyone.")
    f.service(name="Football coaching", description="Juniors on Saturdays.")
    f.service(name="Bowls", description="Lawn bowls for men over 50.")
    found = names("walking football for men")
    assert found[0] == "Men's walking football"  # the only one with every word
    assert set(found[1:]) == {"Walking football", "Football coaching", "Bowls"}
    assert found.index("Walking football") < found.index("Bowls")  # more of the words first


def test_the_name_counts_above_the_description() -> None:
    f.service(name="Tea and chat", description="A dementia friendly cafe; dementia advisers.")
    f.service(name="Dementia support", description="Advice for families.")
    assert names("dementia")[0] == "Dementia support"


def test_markup_in_descriptions_is_not_searched() -> None:
    f.service(name="Tai Chi", description="<p>Gentle&nbsp;movement <strong>for all</strong></p>")
    assert names("nbsp") == []
    assert names("strong") == []
    assert names("gentle movement") == ["Tai Chi"]


def test_filters_and_orders_combine_with_the_words() -> None:
    hood = f.neighbourhood()
    f.service(name="Saturday dementia walk", description="Dementia friendly.", days="SA", at=hood)
    f.service(name="Dementia cafe", description="Weekly.", days="MO", at=hood)
    f.service(name="Memory singers", description="Dementia choir.", languages=[("cy", "Welsh")])
    assert names("dementia", day=["SA"]) == ["Saturday dementia walk"]
    assert names("dementia", sort=["name"]) == [
        "Dementia cafe",
        "Memory singers",
        "Saturday dementia walk",
    ]
    # a language filter is answered by the database, with the text index's matches and order
    assert names("demntia", language=["cy"]) == ["Memory singers"]
    near = search_page(ServiceSearch(q="dementia", neighbourhood=hood.slug, sort="distance"))
    assert near.total == 3 and len(near.ids) == 3
    assert near.distances[near.ids[0]] is not None and near.distances.get(near.ids[2]) is None


def test_edit_distance_counts_swaps_as_one_edit_and_stops_at_the_limit() -> None:
    assert search_text.edit_distance("demntia", "dementia", 2) == 1
    assert search_text.edit_distance("alchohol", "alcohol", 2) == 1
    assert search_text.edit_distance("recieve", "receive", 2) == 1
    assert search_text.edit_distance("abcdef", "uvwxyz", 2) == 3
    assert search_text.allowed_edits("gym") == 0


def test_a_large_copy_is_built_in_the_background_on_sqlite_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The text index takes seconds at 100,000 services: no search waits for it on either
    database (searches meanwhile go to the database). SQLite counts its rows; PostgreSQL's path
    reads the planner's estimate, which rows added inside a test's transaction do not reach."""
    from django.db import connection

    from directory import search_memory

    if connection.vendor != "sqlite":
        pytest.skip("the row count is SQLite's path; PostgreSQL uses the planner's estimate")

    for _ in range(3):
        f.service()
    monkeypatch.setattr(search_memory, "BACKGROUND_FROM_ROWS", 3)
    assert search_memory._large(None)
    monkeypatch.setattr(search_memory, "BACKGROUND_FROM_ROWS", 4)
    assert not search_memory._large(None)
