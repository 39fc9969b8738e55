"""The gap in the market: unmet demand as counts nobody can be picked out of."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from directory.tests import factories as f
from evidence import selectors, services
from evidence.models import SearchDemand
from rules.outcomes.aggregates import determined_entries, table_lines

pytestmark = pytest.mark.django_db


def test_search_demand_keeps_no_person_and_only_searches_that_found_little() -> None:
    services.record_search_demand("  Dementia CAFE!! ", results=0, neighbourhood="Eastfield")
    services.record_search_demand("yoga", results=3)  # found enough: not counted
    services.record_search_demand("yoga", results=2)
    row = SearchDemand.objects.order_by("pk").first()
    assert row is not None
    assert (row.words, row.results, row.neighbourhood) == ("dementia cafe", 0, "Eastfield")
    assert SearchDemand.objects.count() == 2
    assert {f.name for f in SearchDemand._meta.get_fields()} == {
        "id",
        "day",
        "words",
        "neighbourhood",
        "results",
    }


def test_words_searched_fewer_than_five_times_are_never_shown(client: Client) -> None:
    for _ in range(5):
        services.record_search_demand("dementia cafe", 0, "Eastfield")
    for _ in range(4):
        services.record_search_demand("jo bloggs carer", 0)  # could be someone's name
    shown, hidden = selectors.search_gap(dt.date.today() - dt.timedelta(days=1))
    assert [(g.words, g.searches) for g in shown] == [("dementia cafe", 5)]
    assert hidden == 4
    page = client.get(reverse("evidence:gap")).content.decode()
    assert "dementia cafe" in page and "bloggs" not in page
    assert "4 other searches not shown" in page


def test_time_bank_gap_hides_small_cells_so_totals_cannot_reveal_them() -> None:
    # Counts by (need, neighbourhood): a 2 among larger numbers must be hidden, and so must enough
    # other cells that row and column totals cannot give it back.
    pairs = [("Shopping", "Eastfield")] * 2 + [("Shopping", "Westbrook")] * 6
    pairs += [("Gardening", "Eastfield")] * 7 + [("Gardening", "Westbrook")] * 5
    table = selectors._gap_table(pairs)
    assert table.shown("Shopping", "Eastfield") is None
    hidden = [k for k, s in table.status.items() if s != "published"]
    assert len(hidden) >= 4  # primary + at least one more in its row, its column and the corner
    lines = table_lines(table.rows, table.columns)
    assert determined_entries(hidden, lines, table.counts) == []


def test_providers_see_the_page_for_their_neighbourhood(client: Client) -> None:
    for _ in range(6):
        services.record_search_demand("tai chi", 1, "Eastfield")
    for _ in range(5):
        services.record_search_demand("lunch club", 0, "Westbrook")
    client.force_login(f.user(Role.PROVIDER))
    page = client.get(reverse("evidence:gap"), {"neighbourhood": "Eastfield"}).content.decode()
    assert "tai chi" in page and "lunch club" not in page


def test_time_bank_requests_waiting_two_weeks_are_counted_by_need_and_place(client: Client) -> None:
    from django.utils import timezone

    from timebank import services as timebank_services
    from timebank.models import Request
    from timebank.tests import factories as tb

    hood = f.neighbourhood() if hasattr(f, "neighbourhood") else None
    for i in range(6):
        timebank_services.create_request(
            member=tb.member(), title=f"Help {i}", category=None, neighbourhood=hood
        )
    timebank_services.create_request(member=tb.member(), title="New", category=None)
    old = timezone.now() - dt.timedelta(days=selectors.WAITING_DAYS + 1)
    Request.objects.exclude(title="New").update(created_at=old)
    table = selectors.time_bank_gap()
    where = hood.name if hood else selectors.NOT_GIVEN
    assert table.shown(selectors.NOT_GIVEN, where) == 6  # the new one has not waited long enough
    page = client.get(reverse("evidence:gap")).content.decode()
    assert "Time-bank requests nobody has taken up" in page and ">6<" in page


def test_a_directory_search_that_finds_little_is_counted_without_the_searcher(
    client: Client,
) -> None:
    hood = f.neighbourhood("Eastfield")
    client.force_login(f.user())
    response = client.get(
        reverse("directory:search"), {"q": "Zebra grooming", "neighbourhood": hood.slug}
    )
    assert response.status_code == 200
    row = SearchDemand.objects.get()
    assert (row.words, row.results, row.neighbourhood) == ("zebra grooming", 0, "Eastfield")
    client.get(reverse("directory:search"), {"q": "Zebra grooming", "page": "2"})
    client.get(reverse("directory:search"), {"category": ""})  # no words: nothing to count
    assert SearchDemand.objects.count() == 1
