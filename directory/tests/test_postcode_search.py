"""Search near a postcode (issue 12): an ONS postcode extract (NSPL/ONSPD CSV) loaded by a
command, nearest first, and errors that say how to fix a postcode."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from directory.demo_area import DEMO_POSTCODE_SOURCE, generate_area
from directory.models import Address, Postcode
from directory.search import SearchError, parse_search
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

ONSPD = """pcd,pcd2,pcds,dointr,doterm,oscty,lat,long
DN156NL,DN15 6NL,DN15 6NL,198001,,E99999999,53.588000,-0.654000
DN156XX,DN15 6XX,DN15 6XX,198001,200412,E99999999,53.590000,-0.650000
DN157ZZ,DN15 7ZZ,DN15 7ZZ,198001,,E99999999,99.999999,0.000000
NOTAPC,NOTAPC,NOT A PC,198001,,E99999999,53.5,-0.6
DN161AA,DN16 1AA,dn16 1aa,198001,,E99999999,53.570000,-0.630000
"""


def _load(tmp_path: Path, text: str = ONSPD) -> str:
    path = tmp_path / "onspd_extract.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_postcodes", str(path), source="ONSPD test extract", stdout=out)
    return out.getvalue()


def test_the_command_loads_live_postcodes_and_says_what_it_left_out(tmp_path: Path) -> None:
    printed = _load(tmp_path)
    assert "2 postcodes loaded, 1 no longer in use left out, 2 rows could not be used" in printed
    assert "line 4: DN15 7ZZ has no map position" in printed
    assert "line 5: 'NOT A PC' is not a postcode" in printed
    assert sorted(Postcode.objects.values_list("postcode", flat=True)) == ["DN15 6NL", "DN16 1AA"]
    assert Postcode.objects.get(pk="DN15 6NL").source == "ONSPD test extract"
    # Loading a newer extract updates in place.
    _load(tmp_path, ONSPD.replace("53.588000", "53.588500"))
    assert Postcode.objects.get(pk="DN15 6NL").latitude == Decimal("53.588500")


def test_a_file_without_the_ons_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="has no lat, long column"):
        _load(tmp_path, "pcds,x,y\nDN15 6NL,1,2\n")


def test_nearest_first_near_a_postcode(client: Client, tmp_path: Path) -> None:
    _load(tmp_path)
    f.service(name="Far club", lat="53.700000", lon="-0.400000")
    f.service(name="Near club", lat="53.589000", lon="-0.655000")
    f.service(name="Middle club", lat="53.570000", lon="-0.630000")
    page = client.get(reverse("directory:search"), {"postcode": "dn156nl"})
    html = page.content.decode()
    assert page.status_code == 200 and "3 services found near DN15 6NL" in html
    names = re.findall(r'class="govuk-link" href="/find-support/services/[^"]+">([^<]+)<', html)
    assert names == ["Near club", "Middle club", "Far club"]
    within = client.get(reverse("directory:search"), {"postcode": "DN15 6NL", "within": "5"})
    assert "Far club" not in within.content.decode()


def test_a_postcode_that_is_not_in_the_table_says_how_to_fix_it(
    client: Client, tmp_path: Path
) -> None:
    _load(tmp_path)
    page = client.get(reverse("directory:search"), {"postcode": "DN15 6XX"})  # terminated
    html = page.content.decode()
    assert page.status_code == 400 and "There is a problem" in html
    assert "We cannot find the postcode DN15 6XX" in html and 'href="#id_postcode"' in html


@pytest.mark.parametrize("typed", ["DN15", "DN15 6N", "12345", "DN15 6NLL"])
def test_a_postcode_written_wrongly_says_how_to_fix_it(typed: str) -> None:
    with pytest.raises(SearchError, match="Enter a full postcode, like DN15 6NL"):
        parse_search({"postcode": [typed]})


def test_a_postcode_search_sorts_by_distance_unless_told_otherwise() -> None:
    assert parse_search({"postcode": ["dn15 6nl"]}).sort == "distance"
    assert parse_search({"postcode": ["DN156NL"], "sort": ["name"]}).sort == "name"
    assert parse_search({"postcode": ["DN15 6NL"]}).postcode == "DN15 6NL"
    assert parse_search({}).sort == "relevance"


def test_the_demo_area_ships_its_fictional_postcodes(client: Client) -> None:
    generate_area(services=12, seed=7)
    used = set(Address.objects.values_list("postal_code", flat=True))
    known = set(
        Postcode.objects.filter(source=DEMO_POSTCODE_SOURCE).values_list("postcode", flat=True)
    )
    assert used and used <= known and all(code.startswith("ZZ99 ") for code in known)
    page = client.get(reverse("directory:search"), {"postcode": sorted(used)[0]})
    assert page.status_code == 200 and "found near ZZ99" in page.content.decode()
