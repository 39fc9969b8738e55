"""The provider's listing form covers every fact the service page shows (issue 12): opening
times, prices, phone, languages, categories, the place and its accessibility, ages and booking,
all through moderation; yes/no facts stay "Not known" unless the provider says."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from directory import listing_details
from directory.forms import ListingForm
from directory.models import ListingChange, Phone, Schedule, Service
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

BASE: dict[str, Any] = {
    "name": "Chair yoga",
    "description": "Gentle yoga on a chair for older people.",
}


def _form_data(form: ListingForm) -> dict[str, Any]:
    """What a browser sends back when the provider changes nothing."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def _publish(client: Client, change: ListingChange) -> None:
    client.force_login(f.user(Role.COORDINATOR))
    response = client.post(
        reverse("directory:moderate-change", args=[change.pk]), {"decision": "publish"}
    )
    assert response.status_code == 302


def test_every_detail_goes_through_moderation_to_the_service_page(client: Client) -> None:
    org = f.organization()
    svc = f.service(organization_=org, name="Chair yoga")
    exercise = f.term("Exercise")
    client.force_login(f.provider_user(org))
    data = {
        **BASE,
        "opening_times": "Tuesday 10:00 to 11:00\nfri 14.30-15.30",
        "prices": "Per session: 4.50\nFirst session: 0",
        "phone": "01724 296 296",
        "languages": "English, Polish",
        "categories": [exercise.pk],
        "place_kind": "place",
        "place_name": "Church hall",
        "address_1": "1 High Street",
        "city": "Scunthorpe",
        "postal_code": "dn15 6nl",
        "accessibility": ["step-free", "hearing-loop"],
        "minimum_age": "50",
        "application_process": "Just turn up.",
        "accepts_time_credits": "True",
    }
    assert client.post(reverse("directory:listing-edit", args=[svc.pk]), data).status_code == 302
    change = ListingChange.objects.get()
    assert Schedule.objects.filter(service=svc).count() == 0  # nothing public yet
    moderation = client
    _publish(moderation, change)
    html = client.get(reverse("directory:service", args=[svc.pk])).content.decode()
    for shown in (
        "Tuesday",
        "Friday",
        "2:30pm",
        "£4.50",
        "01724 296 296",
        "Polish",
        "Exercise",
        "1 High Street",
        "DN15 6NL",
        "Step-free access",
        "Hearing loop",
        "Just turn up.",
    ):
        assert shown in html, shown
    svc.refresh_from_db()
    # Only what the provider said: time credits yes; personal budgets still not known.
    assert svc.accepts_time_credits is True and svc.accepts_personal_budgets is None
    assert svc.minimum_age == 50 and svc.maximum_age is None
    found = client.get(reverse("directory:search"), {"day": "FR", "category": exercise.pk})
    assert "Chair yoga" in found.content.decode()


def test_sending_the_form_back_unchanged_changes_nothing(client: Client) -> None:
    org = f.organization()
    hood = f.neighbourhood()
    svc = f.service(
        organization_=org,
        name="Chair yoga",
        description=BASE["description"],
        days="MO,TH",
        cost="3",
        at=hood,
        languages=[("pl", "Polish")],
        accessibility=["step-free"],
    )
    Phone.objects.create(service=svc, number="01724 000000 (ask for Sam)")  # as a feed gives it
    form = ListingForm(instance=Service.objects.get(pk=svc.pk))
    bound = ListingForm(_form_data(form), instance=Service.objects.get(pk=svc.pk))
    assert bound.is_valid(), bound.errors
    assert bound.changed_details() == {}
    client.force_login(f.provider_user(org))
    html = client.post(
        reverse("directory:listing-edit", args=[svc.pk]), _form_data(form)
    ).content.decode()
    assert "You have not changed anything" in html


def test_a_new_postcode_drops_the_old_map_position_and_keeps_the_language_code(
    client: Client,
) -> None:
    org = f.organization()
    svc = f.service(organization_=org, at=f.neighbourhood(), languages=[("pl", "Polish")], **BASE)
    form = ListingForm(instance=Service.objects.get(pk=svc.pk))
    data = {**_form_data(form), "postal_code": "DN16 1AA", "languages": "Polish, Urdu"}
    client.force_login(f.provider_user(org))
    client.post(reverse("directory:listing-edit", args=[svc.pk]), data)
    _publish(client, ListingChange.objects.get())
    location = svc.service_at_locations.get().location
    assert location.latitude is None and location.addresses.get().postal_code == "DN16 1AA"
    assert dict(svc.languages.values_list("name", "code")) == {"Polish": "pl", "Urdu": ""}


def test_no_fixed_place_is_said_and_shown(client: Client) -> None:
    org = f.organization()
    svc = f.service(organization_=org, at=f.neighbourhood(), **BASE)
    form = ListingForm(instance=Service.objects.get(pk=svc.pk))
    client.force_login(f.provider_user(org))
    client.post(
        reverse("directory:listing-edit", args=[svc.pk]),
        {**_form_data(form), "place_kind": "online"},
    )
    _publish(client, ListingChange.objects.get())
    html = client.get(reverse("directory:service", args=[svc.pk])).content.decode()
    assert "does not have a fixed place: online" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("opening_times", "Saturday\nSundy 10:00 to 12:00", "Line 2 of the opening times"),
        ("opening_times", "Monday 12:00 to 12:00", "closing time must be after"),
        ("opening_times", "Monday 10:00 to 24:00", "times from 00:00 to 23:59"),
        ("prices", "Per session 5", "Line 1 of the prices"),
        ("prices", "Per session: -5", "Line 1 of the prices"),
        ("phone", "call us", "Enter a phone number"),
        ("postal_code", "DN15", "Enter a real postcode"),
        ("maximum_age", "151", "oldest age as a number up to 150"),
    ],
)
def test_errors_say_how_to_fix_them(client: Client, field: str, value: str, message: str) -> None:
    org = f.organization()
    svc = f.service(organization_=org, **BASE)
    data = {
        **BASE,
        "place_kind": "place",
        "address_1": "1 High St",
        "city": "Brigg",
        "postal_code": "DN20 8AA",
        field: value,
    }
    client.force_login(f.provider_user(org))
    page = client.post(reverse("directory:listing-edit", args=[svc.pk]), data)
    html = page.content.decode()
    assert "There is a problem" in html and message in html
    assert f'href="#id_{field}"' in html or 'href="#id_' in html
    assert not ListingChange.objects.exists()


def test_ages_in_the_wrong_order_are_refused() -> None:
    form = ListingForm({**BASE, "minimum_age": "65", "maximum_age": "64"})
    assert not form.is_valid()
    assert form.errors["maximum_age"] == [
        "The oldest age must be the same as or more than the youngest"
    ]
    assert ListingForm({**BASE, "minimum_age": "65", "maximum_age": "65"}).is_valid()


def test_opening_times_and_prices_read_as_written() -> None:
    assert listing_details.parse_opening_times("Sat 9 to 10:30\nMonday") == [
        {"day": "MO", "opens": "", "closes": ""},
        {"day": "SA", "opens": "09:00", "closes": "10:30"},
    ]
    assert listing_details.parse_prices("Room hire: per hour: £12.5") == [
        {"option": "Room hire: per hour", "amount": "12.50"}
    ]
    assert Decimal(listing_details.parse_prices("Free: 0")[0]["amount"]) == 0
    assert time(10) < time(12)


def test_a_short_imported_description_does_not_stop_other_changes() -> None:
    svc = f.service(description="Lunch club.")
    form = ListingForm(instance=Service.objects.get(pk=svc.pk))
    data = {**_form_data(form), "phone": "01724 296 296"}
    bound = ListingForm(data, instance=Service.objects.get(pk=svc.pk))
    assert bound.is_valid(), bound.errors
    assert bound.changed_details() == {"phone": "01724 296 296"}
    changed = ListingForm(
        {**data, "description": "Lunch."}, instance=Service.objects.get(pk=svc.pk)
    )
    assert not changed.is_valid()
