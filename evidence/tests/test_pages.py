"""A commissioner builds an SROI case on the pages and gets the same figures as the rules' worked
example; everyone else is kept out; mistakes are named on the field."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories as f
from evidence.models import Project
from rules.sroi import calculate, case_from_dict
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db

LONELY = {
    "name": "Members feel less lonely",
    "stakeholder": "Older members",
    "indicator": "UCLA 3-item loneliness score down by 2 or more",
    "quantity": "40",
    "quantity_source": "Club's follow-up survey",
    "proxy_description": "Value of feeling less lonely for a year",
    "proxy_value": "1000.00",
    "proxy_price_year": "2026",
    "proxy_source": "Fictional proxy",
    "deadweight": "25%",
    "deadweight_source": "Comparison group",
    "attribution": "20%",
    "attribution_source": "Members' estimate",
    "drop_off": "50%",
    "drop_off_source": "Follow-up",
    "duration_years": "2",
    "benefits_sector": "people_and_families",
    "saving_kind": "non_cashable",
}
GP = {
    "name": "Fewer GP visits",
    "stakeholder": "NHS",
    "indicator": "GP appointments avoided",
    "quantity": "60",
    "quantity_source": "Practice records",
    "proxy_value": "42.00",
    "proxy_price_year": "2024",
    "proxy_source": "Fictional unit cost",
    "deadweight": "10%",
    "deadweight_source": "Fictional",
    "attribution": "50%",
    "attribution_source": "Fictional",
    "duration_years": "1",
    "benefits_sector": "nhs",
    "saving_kind": "non_cashable",
}


@pytest.fixture
def commissioner(client: Client) -> User:
    user = f.user(Role.COMMISSIONER)
    client.force_login(user)
    return user


def _project(client: Client) -> Project:
    response = client.post(
        reverse("evidence:project-new"),
        {
            "name": "Lunch club",
            "summary": "Volunteers run a weekly lunch",
            "base_year": "2026",
            "discount_rate": "3.5%",
            "discount_rate_source": "Green Book",
            "discount_first_year": "yes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Project.objects.get()


def _build_lunch_club(client: Client) -> Project:
    project = _project(client)
    url = reverse("evidence:input-new", args=[project.pk])
    assert (
        client.post(
            url,
            {
                "name": "Council grant",
                "kind": "money",
                "sector": "adult_social_care",
                "amount": "10000.00",
                "source": "Grant agreement",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            url,
            {
                "name": "Volunteer time",
                "kind": "hours",
                "sector": "voluntary_sector",
                "hours": "500",
                "rate": "10.00",
                "source": "Area's volunteer rate",
            },
        ).status_code
        == 302
    )
    client.post(
        reverse("evidence:deflator"),
        {"series": "year,index\n2024,100\n2026,105\n", "source": "Fictional index"},
    )
    for outcome in (LONELY, GP):
        response = client.post(reverse("evidence:outcome-new", args=[project.pk]), outcome)
        assert response.status_code == 302, response.content.decode()[:3000]
    project.refresh_from_db()
    return project


def test_the_lunch_club_built_on_the_pages_matches_the_worked_example(
    client: Client, commissioner: User
) -> None:
    project = _build_lunch_club(client)
    page = client.get(reverse("evidence:project", args=[project.pk])).content.decode()
    # rules/sroi/tests/test_worked_cases.py works these out by hand
    assert "£2.37 of value for each £1" in page
    assert "£35540.97" in page and "£20540.97" in page and "7.1 months" in page
    assert "£44.10 in 2026 prices" in page  # uprated with the loaded deflator
    assert 'id="outcome-members-feel-less-lonely-deadweight"' in page
    assert "Comparison group" in page  # the source beside the figure
    assert "Never: the ratio stays above 1 even at 100%" in page

    # The spreadsheet holds the same figures.
    xlsx = client.get(reverse("evidence:xlsx", args=[project.pk]))
    book = load_workbook(io.BytesIO(xlsx.content))
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=2)}
    assert Decimal(str(summary["Present value"])) == Decimal("35540.97")
    assert "Sensitivity" in book.sheetnames and "Switching values" in book.sheetnames

    # The downloaded case recounts to the same figures without the platform.
    case = yaml.safe_load(client.get(reverse("evidence:case", args=[project.pk])).content)
    assert calculate(case_from_dict(case)).to_dict()["present_value"] == "35540.97"
    assert AuditEvent.objects.filter(object_type__contains="project").count() >= 5


def test_time_bank_hours_are_counted_and_say_what_was_counted(
    client: Client, commissioner: User
) -> None:
    giver, receiver, other = tb.member(), tb.member(), tb.member()
    tb.exchange(giver, receiver, 90)
    tb.exchange(other, receiver, 50)
    tb.exchange(giver, other, 30, confirm=False)  # not confirmed: not counted
    project = _project(client)
    day = tb.at(-1).date()
    response = client.post(
        reverse("evidence:input-time-bank", args=[project.pk]),
        {
            "start": day.isoformat(),
            "end": day.isoformat(),
            "rate": "12.00",
            "rate_source": "Area rate",
            "sector": "people_and_families",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    entry = project.case["inputs"][0]
    assert entry["minutes"] == 140
    assert "140 minutes in 2 confirmed exchanges given by 2 members" in entry["note"]
    # 140 minutes at £12.00 an hour = £28.00 exactly
    case = dict(
        project.case,
        outcomes=[
            {**GP, "id": "gp", "proxy": {"value": "42.00", "price_year": 2026, "source": "x"}}
        ],
    )
    assert case_from_dict(case).inputs[0].amount == 28


def test_no_exchanges_in_the_dates_is_an_error_on_the_field(
    client: Client, commissioner: User
) -> None:
    project = _project(client)
    response = client.post(
        reverse("evidence:input-time-bank", args=[project.pk]),
        {
            "start": "2001-01-01",
            "end": "2001-01-31",
            "rate": "12.00",
            "rate_source": "x",
            "sector": "people_and_families",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert 'href="#id_start"' in page and "no confirmed exchanges" in page


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"deadweight": "125%"}, "deadweight", "from 0% to 100%"),
        ({"deadweight_source": ""}, "deadweight_source", "Enter where the deadweight comes from"),
        ({"proxy_value": "12.345"}, "proxy_value", "fractions of a penny"),
        ({"proxy_price_year": "1066"}, "proxy_price_year", "from 1950 to 2100"),
        ({"quantity": "lots"}, "quantity", "is not a number"),
        ({"duration_years": "40"}, "duration_years", "from 1 to 30"),
    ],
)
def test_outcome_mistakes_are_named_on_their_field(
    client: Client, commissioner: User, change: dict[str, str], field: str, words: str
) -> None:
    project = _project(client)
    response = client.post(reverse("evidence:outcome-new", args=[project.pk]), {**LONELY, **change})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="#id_{field}"' in page, page[:3000]
    assert words in page
    project.refresh_from_db()
    assert project.case["outcomes"] == []


def test_input_without_a_source_or_with_pennies_split_is_refused(
    client: Client, commissioner: User
) -> None:
    project = _project(client)
    url = reverse("evidence:input-new", args=[project.pk])
    page = client.post(
        url, {"name": "Grant", "kind": "money", "sector": "nhs", "amount": "10.001", "source": "x"}
    ).content.decode()
    assert 'href="#id_amount"' in page and "fractions of a penny" in page
    page = client.post(
        url, {"name": "Time", "kind": "hours", "sector": "nhs", "hours": "3", "source": "r"}
    ).content.decode()
    assert 'href="#id_rate"' in page


def test_a_proxy_priced_in_a_year_without_a_deflator_says_what_to_load(
    client: Client, commissioner: User
) -> None:
    project = _project(client)
    client.post(
        reverse("evidence:input-new", args=[project.pk]),
        {"name": "Grant", "kind": "money", "sector": "nhs", "amount": "100", "source": "x"},
    )
    client.post(reverse("evidence:outcome-new", args=[project.pk]), GP)
    page = client.get(reverse("evidence:project", args=[project.pk])).content.decode()
    assert "Not worked out yet" in page and "load a deflator series" in page


@pytest.mark.parametrize("role", [Role.PERSON, Role.PROVIDER, Role.BROKER, Role.COORDINATOR])
def test_only_commissioners_and_administrators_get_in(client: Client, role: Role) -> None:
    client.force_login(f.user(role))
    for name in ("evidence:home", "evidence:project-new", "evidence:proxies", "evidence:deflator"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("evidence:project-new"), {"name": "x"}).status_code == 403
    assert not Project.objects.exists()


def test_administrator_gets_in(client: Client) -> None:
    client.force_login(f.user(Role.ADMINISTRATOR))
    assert client.get(reverse("evidence:home")).status_code == 200


def test_deflator_lines_are_checked_line_by_line(client: Client, commissioner: User) -> None:
    page = client.post(
        reverse("evidence:deflator"), {"series": "2024,100\n2025,abc\n", "source": "x"}
    ).content.decode()
    assert "Line 2: the index must be a number above 0" in page


def test_portfolio_matrix_on_the_landing_page(client: Client, commissioner: User) -> None:
    _build_lunch_club(client)
    page = client.get(reverse("evidence:home")).content.decode()
    assert "Who invests and who gains" in page
    # the council paid 2/3 of the inputs: 2/3 of the 35,540.97 total, per £10,000 = 2.37
    assert "Council adult social care" in page and "£2.37" in page


def _measured_people(count: int, consent: bool = True) -> None:
    import datetime as dt

    from outcomes import services as outcome_services
    from outcomes.measures import registry
    from outcomes.models import Profile

    items = [item.id for item in registry().get("swemwbs").items]
    for _ in range(count):
        person = f.user()
        Profile.objects.create(person=person, counts_in_aggregates=consent)
        for value, days in ((3, 30), (4, 0)):
            outcome_services.record_answers(
                person=person,
                actor=person,
                measure_id="swemwbs",
                answers=dict.fromkeys(items, value),
                answered_on=outcome_services.today() - dt.timedelta(days=days),
            )


def test_measured_wellbeing_change_fills_the_quantity_with_what_was_counted(
    client: Client, commissioner: User
) -> None:
    _measured_people(6)
    _measured_people(3, consent=False)  # not counted: they did not agree
    project = _project(client)
    page = client.get(
        reverse("evidence:outcome-new", args=[project.pk]), {"proxy": "measure:swemwbs"}
    ).content.decode()
    # all items 3 -> 4 is raw 21 -> 28, metric 19.25 -> 25.03: a reliable improvement (3 points)
    assert 'value="6"' in page
    assert "6 people answered" in page and "6 improved reliably" in page


def test_measured_wellbeing_change_under_five_people_cannot_be_used(
    client: Client, commissioner: User
) -> None:
    _measured_people(4)
    project = _project(client)
    page = client.get(
        reverse("evidence:outcome-new", args=[project.pk]), {"proxy": "measure:swemwbs"}
    ).content.decode()
    assert "fewer than 5 people have agreed to be counted" in page
    assert 'name="quantity" value=' not in page


def test_demo_project_is_built_through_the_services_and_recounts(client: Client) -> None:
    from evidence.demo import NAME, seed_demo

    commissioner = f.user(Role.COMMISSIONER)
    seed_demo({Role.COMMISSIONER: commissioner})
    seed_demo({Role.COMMISSIONER: commissioner})  # again: nothing doubles
    project = Project.objects.get(name=NAME)
    assert "(demo)" in project.name and len(project.case["outcomes"]) == 2
    client.force_login(commissioner)
    page = client.get(reverse("evidence:project", args=[project.pk])).content.decode()
    assert "of value for each £1" in page and "Fictional figure for the demo area" in page
