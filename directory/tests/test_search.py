"""Search: every filter narrows results as a person would expect, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from directory.models import Accessibility, ProviderKind
from directory.search import SearchError, parse_search
from directory.selectors import search_services
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def names(params: dict[str, list[str]]) -> list[str]:
    return [s.name for s in search_services(parse_search(params)).services]


def test_free_text_matches_words_in_name_and_description_with_simple_stemming() -> None:
    f.service(name="Community gardening club", description="Grow vegetables with neighbours.")
    f.service(name="Knitting circle", description="Bring wool; we have tea.")
    assert names({"q": ["gardening"]}) == ["Community gardening club"]
    assert names({"q": ["garden"]}) == ["Community gardening club"]
    assert names({"q": ["vegetables neighbours"]}) == ["Community gardening club"]
    assert names({"q": ["swimming"]}) == []


def test_name_matches_rank_above_description_matches() -> None:
    f.service(name="Tea and chat", description="A lunch club atmosphere with lunch served.")
    f.service(name="Lunch club", description="Hot meals every week.")
    assert names({"q": ["lunch"]})[0] == "Lunch club"


def test_category_includes_child_terms() -> None:
    social = f.term("Social activities")
    lunch = f.term("Lunch clubs", parent=social)
    f.service(name="Lunch at the hall", terms=[lunch])
    f.service(name="Befriending", terms=[social])
    f.service(name="Money advice", terms=[f.term("Advice")])
    assert sorted(names({"category": [social.id]})) == ["Befriending", "Lunch at the hall"]
    assert names({"category": [lunch.id]}) == ["Lunch at the hall"]


def test_open_on_a_day_free_paid_and_payment_filters() -> None:
    f.service(name="Saturday walk", days="SA,SU", accepts_personal_budgets=True, cost="0")
    f.service(name="Weekday art", days="MO,TU", cost="5.00", accepts_time_credits=True)
    assert names({"day": ["SA"]}) == ["Saturday walk"]
    assert names({"price": ["free"]}) == ["Saturday walk"]
    assert names({"price": ["paid"]}) == ["Weekday art"]
    assert names({"personal_budgets": ["1"]}) == ["Saturday walk"]
    assert names({"time_credits": ["1"]}) == ["Weekday art"]


def test_micro_providers_language_and_accessibility() -> None:
    hood = f.neighbourhood()
    micro = f.organization(provider_kind=ProviderKind.MICRO, staff_count=2)
    f.service(
        name="Home help by Jo",
        organization_=micro,
        languages=[("pl", "Polish")],
        at=hood,
        accessibility=[Accessibility.Feature.STEP_FREE],
    )
    f.service(name="Big agency care", languages=[("en", "English")], at=hood)
    assert names({"micro": ["1"]}) == ["Home help by Jo"]
    assert names({"language": ["pl"]}) == ["Home help by Jo"]
    assert names({"accessibility": ["step-free"]}) == ["Home help by Jo"]


def test_distance_from_a_neighbourhood_filters_and_sorts_nearest_first() -> None:
    centre = f.neighbourhood("Centre", "52.000000", "-1.000000")
    f.service(name="Far", lat="52.090000", lon="-1.000000", at=centre)  # about 10 km north
    f.service(name="Near", lat="52.005000", lon="-1.000000", at=centre)  # about 0.56 km
    f.service(name="Middle", lat="52.030000", lon="-1.000000", at=centre)  # about 3.3 km
    results = search_services(parse_search({"neighbourhood": ["centre"], "sort": ["distance"]}))
    assert [s.name for s in results.services] == ["Near", "Middle", "Far"]
    # set by search_services on each service of the page
    distance_km = getattr(results.services[0], "distance_km")  # noqa: B009
    assert distance_km == pytest.approx(0.5566, abs=0.01)
    assert names({"neighbourhood": ["centre"], "within": ["5"]}) == ["Near", "Middle"]
    point = {"latitude": ["52.09"], "longitude": ["-1.0"], "sort": ["distance"]}
    assert names(point) == ["Far", "Middle", "Near"]


def test_results_are_paginated_with_a_total() -> None:
    for i in range(25):
        f.service(name=f"Club {i:02d}")
    first = search_services(parse_search({"sort": ["name"]}), page_size=10)
    third = search_services(parse_search({"sort": ["name"], "page": ["3"]}), page_size=10)
    assert (first.total, first.pages, len(first.services)) == (25, 3, 10)
    assert [s.name for s in third.services] == [f"Club {i}" for i in range(20, 25)]


def test_inactive_services_are_not_found() -> None:
    f.service(name="Closed club", status="defunct")
    assert names({}) == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"within": ["lots"]}, "within"),
        ({"within": ["500"]}, "within"),
        ({"latitude": ["52"]}, "latitude"),
        ({"day": ["XX"]}, "day"),
        ({"price": ["cheap"]}, "price"),
        ({"page": ["0"]}, "page"),
        ({"sort": ["random"]}, "sort"),
        ({"q": ["x" * 201]}, "q"),
    ],
)
def test_bad_parameters_are_refused_with_the_parameter_named(
    params: dict[str, list[str]], parameter: str
) -> None:
    with pytest.raises(SearchError) as problem:
        parse_search(params)
    assert problem.value.parameter == parameter


def test_unknown_neighbourhood_is_refused() -> None:
    with pytest.raises(SearchError, match="neighbourhood"):
        search_services(parse_search({"neighbourhood": ["atlantis"]}))


@pytest.mark.postgres
def test_postgres_search_stems_and_tolerates_typos_in_names() -> None:
    f.service(name="Community gardening club", description="Grow vegetables with neighbours.")
    f.service(name="Knitting circle", description="Bring wool; we have tea.")
    assert names({"q": ["gardens"]}) == ["Community gardening club"]  # stemming
    assert names({"q": ["comunity gardning"]}) == ["Community gardening club"]  # typos
    assert names({"q": ["grows vegetable"]}) == ["Community gardening club"]
