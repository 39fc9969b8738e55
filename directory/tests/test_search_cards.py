"""The search page's result cards and filters (issue 12): a "Clear filters" link that keeps the
search words, and, when searching by day, each card says when the service is open that day."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from directory import search_index
from directory.models import Schedule
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def _page(client: Client, params: dict[str, str]) -> str:
    return str(client.get(reverse("directory:search"), params).content.decode())


def test_clear_filters_keeps_the_words_and_drops_every_filter(client: Client) -> None:
    f.service(name="Saturday gardening", days="SA", accepts_personal_budgets=True)
    html = _page(client, {"q": "gardening", "day": "SA", "personal_budgets": "1"})
    assert 'id="clear-filters" href="/find-support/?q=gardening"' in html
    assert "keeps your search words" in html


def test_clear_filters_with_only_filters_goes_to_a_plain_search(client: Client) -> None:
    f.service(name="Saturday gardening", days="SA")
    html = _page(client, {"day": "SA"})
    assert 'id="clear-filters" href="/find-support/"' in html


@pytest.mark.parametrize("params", [{}, {"q": "gardening"}, {"q": "gardening", "page": "1"}])
def test_no_clear_filters_link_without_filters(client: Client, params: dict[str, str]) -> None:
    f.service(name="Saturday gardening", days="SA")
    assert "Clear filters" not in _page(client, params)


def test_a_bad_filter_offers_to_clear_them(client: Client) -> None:
    page = client.get(reverse("directory:search"), {"within": "far"})
    assert page.status_code == 400 and 'id="clear-filters"' in page.content.decode()


def test_cards_show_the_opening_times_on_the_day_searched(client: Client) -> None:
    svc = f.service(name="Garden club", days="SA")
    Schedule.objects.create(service=svc, byday="1SA,SU", opens_at=time(14), closes_at=time(16))
    Schedule.objects.create(service=svc, byday="MO", opens_at=time(9), closes_at=time(11))
    untimed = f.service(name="Drop-in club")
    Schedule.objects.create(service=untimed, byday="SA")
    search_index.refresh([svc.pk, untimed.pk])
    html = _page(client, {"day": "SA"})
    assert "Open on Saturday:</strong> 10am to midday; 2pm to 4pm</p>" in html
    assert "9am" not in html  # Monday's times are not Saturday's
    assert "Open on Saturday:</strong> times not known</p>" in html


def test_cards_show_no_day_when_not_searching_by_day(client: Client) -> None:
    f.service(name="Garden club", days="SA")
    assert "hub-matched-day" not in _page(client, {"q": "garden"})
