"""Services listed by name come in one order whether the in-memory copy or the database answers,
even on a PostgreSQL database whose text collation is a language's (as a production server set up
with en_GB.UTF-8 or ICU has): the copy places a new service among the others as Python compares
text, so the database is asked for that order too (``search_index.name_order``)."""

from __future__ import annotations

import pytest
from django.db import connection

from directory.search import parse_search
from directory.selectors import search_services
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

NAMES = ["age UK", "Age Concern", "A-Z Club", "Zebra crossing group", "Über care", "ab club"]


def _listed(**params: list[str]) -> list[str]:
    search = parse_search({"sort": ["name"], **params})
    return [s.name for s in search_services(search).services]


def _language_collation() -> None:
    """The search rows' names compared as ICU's root locale compares them (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE directory_searchentry ALTER COLUMN name TYPE varchar(250)"
            ' COLLATE "und-x-icu"'
        )


def test_the_database_and_the_copy_list_by_name_in_the_same_order() -> None:
    if connection.vendor == "postgresql":
        _language_collation()
    for name in NAMES:
        f.service(name=name, description="Tea.", languages=[("cy", "Welsh")])
    expected = sorted(NAMES)  # code point order
    assert _listed() == expected  # by tags alone: the in-memory copy
    assert _listed(language=["cy"]) == expected  # a language filter: the database
    assert _listed(q=["club"]) == sorted(n for n in NAMES if "club" in n.lower())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL collation")
def test_the_language_collation_would_order_them_otherwise() -> None:
    """What the test above guards against: under ICU the names sort differently."""
    _language_collation()
    for name in NAMES:
        f.service(name=name, description="Tea.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM directory_searchentry ORDER BY name")
        collated = [n for (n,) in cursor.fetchall()]
    assert sorted(collated) == sorted(NAMES) and collated != sorted(NAMES)
