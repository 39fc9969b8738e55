"""The parts of a listing kept in rows beside the service (opening times, prices, phone, languages,
categories, the place and its accessibility), as plain JSON values a provider can propose and a
coordinator can publish (``ListingChange.proposed``), like the service's own fields.

Each detail has the same shape in three places: what the listing says now (:func:`current`), what
the provider's form gives (``directory.forms.ListingForm.details``), and what publishing writes
(:func:`apply`). An empty value means "not known": no rows, so pages say "Not known".
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Any

from directory import search_index
from directory.models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.search import DAY_NAMES, DAYS

DETAILS = ("opening_times", "prices", "phone", "languages", "categories", "place")
LABELS = {
    "opening_times": "Opening times",
    "prices": "Prices",
    "phone": "Phone for enquiries",
    "languages": "Languages",
    "categories": "Categories",
    "place": "Where",
}
# Where people get the service when it has no fixed place (``attending_type``, which
# ``directory.facts.place_status`` reads as "no fixed place").
NO_PLACE_KINDS = {"online": "Online", "phone": "By phone", "home visit": "In their own home"}
_DAY_BY_NAME = {name.lower(): code for code, name in DAY_NAMES.items()} | {
    name.lower()[:3]: code for code, name in DAY_NAMES.items()
}
_TIMES_LINE = re.compile(
    r"^(?P<day>[A-Za-z]+)\s*(?:[:,]?\s*(?P<opens>\d{1,2}(?:[:.]\d{2})?)\s*(?:to|-|–)\s*"
    r"(?P<closes>\d{1,2}(?:[:.]\d{2})?))?\s*$"
)
_PRICE_LINE = re.compile(r"^(?P<label>.+):\s*£?\s*(?P<amount>\d{1,7}(?:\.\d{1,2})?)\s*$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,22}[0-9]$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


class DetailError(ValueError):
    """A line a provider wrote that cannot be read, with a message saying how to fix it."""


# --- reading what a provider wrote ------------------------------------------------------------


def _time(text: str) -> str:
    hours, _, minutes = text.replace(".", ":").partition(":")
    value = time(int(hours), int(minutes or 0))  # ValueError past 23:59
    return value.strftime("%H:%M")


def parse_opening_times(text: str) -> list[dict[str, str]]:
    """One line a time: "Saturday 10:00 to 12:00", or "Saturday" when the times are not known."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _TIMES_LINE.match(line.strip())
        day = _DAY_BY_NAME.get(match.group("day").lower()) if match else None
        if match is None or day is None:
            raise DetailError(
                f"Line {number} of the opening times: write a day and times, like "
                "Saturday 10:00 to 12:00"
            )
        opens = closes = ""
        if match.group("opens"):
            try:
                opens, closes = _time(match.group("opens")), _time(match.group("closes"))
            except ValueError:
                raise DetailError(
                    f"Line {number} of the opening times: write times from 00:00 to 23:59"
                ) from None
            if closes <= opens:
                raise DetailError(
                    f"Line {number} of the opening times: the closing time must be after "
                    "the opening time"
                )
        found.append({"day": day, "opens": opens, "closes": closes})
    return sorted(found, key=_time_order)


def _time_order(row: dict[str, str]) -> tuple[int, str, str]:
    return DAYS.index(row["day"]), row["opens"], row["closes"]


def parse_prices(text: str) -> list[dict[str, str]]:
    """One line a price: "Per session: 5.00" (0 for free)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _PRICE_LINE.match(line.strip())
        if match is None:
            raise DetailError(
                f"Line {number} of the prices: write what the price is for, a colon and the "
                "amount in pounds, like Per session: 5.00 (or Per session: 0 if it is free)"
            )
        amount = Decimal(match.group("amount")).quantize(Decimal("0.01"))
        label = " ".join(match.group("label").split())[:250]
        found.append({"option": label, "amount": str(amount)})
    return found


def parse_languages(text: str) -> list[str]:
    names = [" ".join(n.split()) for n in re.split(r"[,\n]", text)]
    unique: list[str] = []
    for name in names:
        if name and name.lower() not in {u.lower() for u in unique}:
            if len(name) > 100:
                raise DetailError("Write each language in 100 characters or fewer")
            unique.append(name)
    return unique


def normalise_postcode(text: str) -> str:
    compact = "".join(text.upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


# --- what the listing says now -----------------------------------------------------------------


def _place(service: Service) -> dict[str, Any]:
    link = service.service_at_locations.select_related("location").order_by("pk").first()
    if link is None:
        kinds = {k.strip().lower() for k in re.split(r"[,;/]", service.attending_type) if k}
        kind = next((k for k in NO_PLACE_KINDS if k in kinds), "")
        return {"kind": kind}
    location = link.location
    address = location.addresses.order_by("pk").first()
    return {
        "kind": "place",
        "name": location.name,
        "address_1": address.address_1 if address else "",
        "city": address.city if address else "",
        "postal_code": normalise_postcode(address.postal_code) if address else "",
        "accessibility": sorted(
            a.description
            for a in location.accessibility.all()
            if a.description in Accessibility.Feature.values
        ),
    }


def current(service: Service) -> dict[str, Any]:
    """The listing's details now, in the shape the form gives and :func:`apply` takes."""
    phone = service.phones.order_by("pk").first()
    return {
        "opening_times": sorted(
            (
                {
                    "day": day,
                    "opens": s.opens_at.strftime("%H:%M") if s.opens_at else "",
                    "closes": s.closes_at.strftime("%H:%M") if s.closes_at else "",
                }
                for s in service.schedules.all()
                for day in s.byday.replace(" ", "").split(",")
                if day in DAYS
            ),
            key=_time_order,
        ),
        "prices": [
            {
                "option": " ".join((c.option or c.amount_description or "Price").split()),
                "amount": str(c.amount),
            }
            for c in service.cost_options.order_by("pk")
            if c.amount is not None
        ],
        "phone": phone.number if phone else "",
        "languages": [lang.name for lang in service.languages.order_by("pk")],
        "categories": sorted(service.attributes.values_list("taxonomy_term_id", flat=True)),
        "place": _place(service) if service.pk else {"kind": ""},
    }


# --- as text, for the form and for the coordinator ---------------------------------------------


def opening_times_text(rows: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{DAY_NAMES[r['day']]} {r['opens']} to {r['closes']}"
        if r["opens"]
        else DAY_NAMES[r["day"]]
        for r in sorted(rows, key=lambda r: (DAYS.index(r["day"]), r["opens"]))
    )


def prices_text(rows: list[dict[str, str]]) -> str:
    return "\n".join(f"{r['option']}: {r['amount']}" for r in rows)


def describe(name: str, value: Any) -> str:
    """A detail in words, for the coordinator's comparison of the listing and the change."""
    if name == "opening_times":
        return opening_times_text(value) or "Not known"
    if name == "prices":
        return prices_text(value) or "Not known"
    if name == "languages":
        return ", ".join(value) or "Not known"
    if name == "categories":
        names = dict(TaxonomyTerm.objects.filter(pk__in=value).values_list("pk", "name"))
        return ", ".join(names.get(v, v) for v in value) or "None"
    if name == "place":
        kind = value.get("kind", "")
        if kind == "place":
            features = dict(Accessibility.Feature.choices)
            access = ", ".join(str(features[a]) for a in value.get("accessibility", []))
            where = ", ".join(
                p
                for p in (value.get(k, "") for k in ("name", "address_1", "city", "postal_code"))
                if p
            )
            return f"{where}. Accessibility: {access or 'Not known'}"
        return NO_PLACE_KINDS.get(kind, "Not known")
    return str(value) or "Not known"


# --- publishing ----------------------------------------------------------------------------------


def _apply_place(service: Service, place: dict[str, Any]) -> None:
    kind = place.get("kind", "")
    links = list(service.service_at_locations.select_related("location").order_by("pk"))
    if kind != "place":
        ServiceAtLocation.objects.filter(pk__in=[link.pk for link in links]).delete()
        service.attending_type = kind if kind in NO_PLACE_KINDS else ""
        service.save(update_fields=["attending_type"])
        return
    location = links[0].location if links else None
    shared = (
        location is not None and location.service_at_locations.exclude(service=service).exists()
    )
    if location is None or shared:
        # A place another service also uses is left as it is: this service gets its own.
        location = Location.objects.create(organization=service.organization)
        ServiceAtLocation.objects.filter(pk__in=[link.pk for link in links]).delete()
        ServiceAtLocation.objects.create(service=service, location=location)
    else:
        ServiceAtLocation.objects.filter(pk__in=[link.pk for link in links[1:]]).delete()
    address = location.addresses.order_by("pk").first()
    postcode = place.get("postal_code", "")
    if address is None or normalise_postcode(address.postal_code) != postcode:
        # A new postcode: the old map position is no longer the place's.
        location.latitude = location.longitude = None
    location.name = place.get("name", "")
    location.save()
    values = {
        "address_1": place.get("address_1", ""),
        "city": place.get("city", ""),
        "postal_code": postcode,
    }
    if address is None:
        Address.objects.create(location=location, **values)
    else:
        Address.objects.filter(pk=address.pk).update(**values)
    wanted = set(place.get("accessibility", []))
    location.accessibility.filter(description__in=Accessibility.Feature.values).exclude(
        description__in=wanted
    ).delete()
    have = set(location.accessibility.values_list("description", flat=True))
    for feature in sorted(wanted - have):
        Accessibility.objects.create(location=location, description=feature)


def apply(service: Service, details: dict[str, Any]) -> None:
    """Publish the details a coordinator accepted (only the ones given), replacing the rows."""
    if "opening_times" in details:
        service.schedules.all().delete()
        for row in details["opening_times"]:
            Schedule.objects.create(
                service=service,
                byday=row["day"],
                opens_at=time.fromisoformat(row["opens"]) if row["opens"] else None,
                closes_at=time.fromisoformat(row["closes"]) if row["closes"] else None,
            )
    if "prices" in details:
        service.cost_options.all().delete()
        for row in details["prices"]:
            CostOption.objects.create(
                service=service, option=row["option"], amount=Decimal(row["amount"])
            )
    if "phone" in details:
        first = service.phones.order_by("pk").first()
        if not details["phone"]:
            service.phones.all().delete()
        elif first is None:
            Phone.objects.create(service=service, number=details["phone"])
        else:
            Phone.objects.filter(pk=first.pk).update(number=details["phone"])
    if "languages" in details:
        codes = {lang.name.lower(): lang.code for lang in service.languages.all()}
        service.languages.all().delete()
        for name in details["languages"]:
            Language.objects.create(service=service, name=name, code=codes.get(name.lower(), ""))
    if "categories" in details:
        wanted = set(
            TaxonomyTerm.objects.filter(pk__in=details["categories"]).values_list("pk", flat=True)
        )
        service.attributes.exclude(taxonomy_term_id__in=wanted).delete()
        have = set(service.attributes.values_list("taxonomy_term_id", flat=True))
        for term_id in sorted(wanted - have):
            Attribute.objects.create(service=service, taxonomy_term_id=term_id)
    if "place" in details:
        _apply_place(service, details["place"])
    search_index.refresh([service.pk])
