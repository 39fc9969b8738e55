"""A fictional borough for demos, tests and benchmarks: the Borough of Eastmere (fictional).

``generate_area(seed=2026, services=300)`` writes a whole directory through the ORM: neighbourhoods
with centroids, a taxonomy of needs, organisations of every kind (micro-providers, social
enterprises, charities, community groups, care homes and home-care agencies, council services) and
their services, each written to answer the five questions people ask: what is it, who can get it,
how much does it cost, can I get help with the cost, and how do I get in touch.

Everything is made up, and marked so nobody mistakes it for a real service:

- postcodes start ``ZZ99``, the NHS pseudo-postcode prefix that belongs to no real address;
- telephone numbers are in Ofcom's drama range ``01632 960000``-``01632 960999``;
- email addresses and websites are at ``example.org`` (reserved by RFC 2606);
- CQC location ids start ``1-000`` and registered numbers start ``ZZ``, and say "(fictional)";
- the area's name says "(fictional)", and every organisation carries an identifier in the scheme
  ``wellbeing-hub-demo``, which is also how :func:`clear_area` finds what to delete.

The same seed gives the same area: the same names, numbers and ids (ids are UUIDs drawn from the
seeded generator, so they look like any other HSDS id). Dates (onboarding checks, CQC inspections,
transparency facts) are offsets from ``today``, so checks expire in a realistic share whenever the
area is made.

Deliberate records, not luck: the demo journey ("something to do on a Saturday, near me, that I can
pay for with my personal budget") needs an answer, so the first neighbourhood (first by name, as the
search form lists them) always has :data:`SATURDAY_SERVICE_NAME`, run by the micro-provider
:data:`SATURDAY_ORGANISATION_NAME`, at the neighbourhood's centroid, on Saturdays, accepting personal
budgets. The demo provider login (``accounts.demo_users``) is a member of that organisation.

Running it twice: the area is found by its taxonomy (fixed id :data:`TAXONOMY_ID`).
``generate_area`` refuses with :class:`DemoAreaExists` if it is already there, unless
``replace=True``, which deletes the previous demo area first (:func:`clear_area`); nothing else in the
directory is touched. The caller chooses the transaction (the CLI wraps the call in one).

Speed: rows are built in memory a chunk of organisations at a time and written with ``bulk_create``
in batches, so 100,000 services (about a million rows) take a minute or two on PostgreSQL. The
search document is built here with the same recipe as ``directory.services.search_words.search_document_for``;
for small areas ``refresh_search_documents`` is then run over every service as the authority (one
query per service, which is why it is skipped at benchmark scale; a test keeps the two in step).
"""

from __future__ import annotations

import json
import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.text import slugify

from directory import search_index
from directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Neighbourhood,
    OnboardingCheck,
    Organization,
    OrganizationIdentifier,
    Phone,
    Postcode,
    ProviderKind,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    TransparencyFact,
)
from directory.services.search_words import refresh_search_documents
from rules.money import format_money

AREA_NAME = "Borough of Eastmere (fictional)"
TOWN = "Eastmere"
COUNCIL = "Eastmere Council (fictional)"
TAXONOMY_ID = "wellbeing-hub-demo-needs"
DEMO_SCHEME = "wellbeing-hub-demo"
SATURDAY_ORGANISATION_NAME = "Hazel's Saturday Makers"
SATURDAY_SERVICE_NAME = "Saturday Makers: craft and chat"
NEIGHBOURHOOD_COUNT = 12
BATCH_SIZE = 2000
CHUNK_SERVICES = 5000  # services built in memory before a write
REFRESH_LIMIT = 2000  # up to this many services, refresh_search_documents runs as the authority

# A box in the English Midlands for centroids; the places in it are made up.
LATITUDES = (52.880, 53.040)
LONGITUDES = (-1.320, -1.060)

WORDS_FILE = Path(__file__).resolve().parent / "demo_data" / "eastmere.json"
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in the inward code of a postcode
# The demo's postcodes are in ZZ99, which no real place uses (the NHS's pseudo-postcode area), and
# are written to the postcode table with this source, so "near a postcode" works in the demo.
SATURDAY_POSTCODE = "ZZ99 0SA"
DEMO_POSTCODE_SOURCE = "Fictional demo postcodes (Borough of Eastmere), made by the demo generator"
FEATURES = [value for value, _label in Accessibility.Feature.choices]


@dataclass(frozen=True)
class Activity:
    """One kind of service: how it is named and described, what it costs and when it runs."""

    term: str  # the child taxonomy term's code
    names: tuple[str, ...]  # patterns with {hood} {venue} {first} {org}
    what: str  # What is it?
    who: str  # Who can get it?
    cost: str  # free | donation | session | hour | trip | day | week
    low: int = 0  # price range in whole pounds
    high: int = 0
    times: str = "activity"  # activity | weekdays | always | homecare | arranged
    saturday: float = 0.0  # chance it runs on a Saturday
    min_age: int | None = 18
    max_age: int | None = None
    at_home: bool = False


@dataclass(frozen=True)
class Profile:
    """A kind of provider: its ProviderKind, share of organisations, weight for extra services
    and the activities it offers (with weights)."""

    kind: str
    share: int
    extra_services_weight: float
    activities: dict[str, int]


WORDS: dict[str, Any] = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
NEIGHBOURHOOD_POOL: tuple[str, ...] = tuple(WORDS["neighbourhoods"])
FIRST_NAMES: tuple[str, ...] = tuple(WORDS["first_names"])
SURNAMES: tuple[str, ...] = tuple(WORDS["surnames"])
OTHER_LANGUAGES: tuple[tuple[str, str], ...] = tuple(
    (name, code) for name, code in WORDS["other_languages"]
)
# No published URIs: these are the demo's own terms (code, name, description, children).
CATEGORIES: list[dict[str, Any]] = WORDS["categories"]
ACTIVITIES: dict[str, Activity] = {
    a["term"]: Activity(**{**a, "names": tuple(a["names"])}) for a in WORDS["activities"]
}
PROFILES: dict[str, Profile] = {name: Profile(**p) for name, p in WORDS["profiles"].items()}
CQC_TERMS = {"residential", "nursing", "home-care"}
CQC_RATINGS = (
    (Service.CqcRating.GOOD, 65),
    (Service.CqcRating.OUTSTANDING, 5),
    (Service.CqcRating.REQUIRES_IMPROVEMENT, 18),
    (Service.CqcRating.INADEQUATE, 2),
    (Service.CqcRating.NOT_RATED, 10),
)
UNIT = {
    "session": "a session",
    "hour": "an hour",
    "trip": "a return trip",
    "day": "a day",
    "week": "a week",
}
SLOTS = (
    (10, 0, 12, 0),
    (10, 30, 12, 30),
    (13, 30, 15, 30),
    (14, 0, 16, 0),
    (18, 30, 20, 30),
    (11, 0, 14, 0),
    (9, 30, 11, 0),
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
DAY_WORDS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
WRITE_ORDER: tuple[type[models.Model], ...] = (
    Organization,
    OrganizationIdentifier,
    TransparencyFact,
    OnboardingCheck,
    Location,
    Address,
    Accessibility,
    Service,
    Attribute,
    ServiceAtLocation,
    Schedule,
    CostOption,
    Language,
    Contact,
    Phone,
    ServiceArea,
)


class DemoAreaExists(Exception):
    """The demo area is already in the database (see ``generate_area(replace=True)``)."""


class DemoAreaMissing(Exception):
    """The demo area is not in the database yet."""


@dataclass
class AreaSummary:
    name: str
    seed: int
    neighbourhoods: int
    organisations: int
    services: int
    organisations_by_kind: dict[str, int]
    first_neighbourhood_slug: str
    saturday_organisation_id: str
    saturday_service_id: str
    rows: int
    seconds: float

    def __str__(self) -> str:
        kinds = ", ".join(
            f"{n} {k.replace('_', ' ')}" for k, n in sorted(self.organisations_by_kind.items())
        )
        return (
            f"{self.name}: {self.neighbourhoods} neighbourhoods, {self.organisations} "
            f"organisations ({kinds}), {self.services} services, {self.rows} rows in "
            f"{self.seconds:.1f}s (seed {self.seed})"
        )


@dataclass
class _Hood:
    row: Neighbourhood
    index: int
    lat: float
    lon: float


@dataclass
class _Rows:
    by_model: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)
    services: int = 0
    written: int = 0

    def add(self, row: models.Model) -> None:
        self.by_model.setdefault(type(row), []).append(row)

    def flush(self) -> None:
        for model in WRITE_ORDER:
            rows = self.by_model.pop(model, [])
            if rows:
                model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
                self.written += len(rows)
        self.services = 0


# --- reading and clearing -----------------------------------------------------------------------


def area_exists() -> bool:
    return Taxonomy.objects.filter(pk=TAXONOMY_ID).exists()


def demo_organisations() -> models.QuerySet[Organization]:
    return Organization.objects.filter(
        organization_identifiers__identifier_scheme=DEMO_SCHEME
    ).distinct()


def saturday_organisation() -> Organization:
    """The deliberately made Saturday-activity provider (raises if the area is not there)."""
    try:
        return demo_organisations().get(name=SATURDAY_ORGANISATION_NAME)
    except Organization.DoesNotExist:
        raise DemoAreaMissing(
            "The demo area is not set up yet: run generate_area() (or `make demo`) first."
        ) from None


def clear_area() -> None:
    """Delete what a previous ``generate_area`` made, and nothing else."""
    ids = list(demo_organisations().values_list("pk", flat=True))
    with search_index.batch():  # one refresh of the search rows, not one per service
        for start in range(0, len(ids), 500):
            Organization.objects.filter(pk__in=ids[start : start + 500]).delete()
    TaxonomyTerm.objects.filter(taxonomy_id=TAXONOMY_ID).update(parent=None)
    TaxonomyTerm.objects.filter(taxonomy_id=TAXONOMY_ID).delete()
    Taxonomy.objects.filter(pk=TAXONOMY_ID).delete()
    Neighbourhood.objects.filter(slug__in=[slugify(n) for n in NEIGHBOURHOOD_POOL]).delete()
    Postcode.objects.filter(source=DEMO_POSTCODE_SOURCE).delete()


def add_neighbourhood(
    *, slug: str, name: str, latitude: Decimal, longitude: Decimal
) -> Neighbourhood:
    """One neighbourhood with its centroid, for another app's demo content when there is no demo
    area (demo data is trusted: nobody acts, so nothing is audited)."""
    return Neighbourhood.objects.create(
        slug=slug, name=name, latitude=latitude, longitude=longitude
    )


# --- generating ---------------------------------------------------------------------------------


def generate_area(
    *,
    seed: int = 2026,
    services: int = 300,
    organisations: int | None = None,
    replace: bool = False,
    today: date | None = None,
) -> AreaSummary:
    """Write the fictional borough; ``organisations`` defaults to half the services.

    Raises DemoAreaExists if it is already there and ``replace`` is false; ValueError for sizes
    that cannot work (at least one service; no more organisations than services)."""
    started = time.perf_counter()
    if services < 1:
        raise ValueError("Make at least one service.")
    if organisations is None:
        organisations = max(1, services // 2)
    if not 1 <= organisations <= services:
        raise ValueError("There must be between 1 organisation and one per service.")
    if area_exists():
        if not replace:
            raise DemoAreaExists(
                f"The {AREA_NAME} is already set up; use replace=True to make it again."
            )
        clear_area()
    today = today or date.today()
    maker = _Maker(seed, today)
    hoods = maker.neighbourhoods()
    terms = maker.taxonomy()
    summary_kinds: Counter[str] = Counter()
    rows = _Rows()
    saturday_org, saturday_service = maker.saturday_record(rows, hoods[0], terms)
    summary_kinds[saturday_org.provider_kind] += 1
    made_services = 1
    plan = maker.plan(organisations - 1, services - 1)
    for profile, count in plan:
        org = maker.organisation(rows, profile, count, hoods, terms)
        summary_kinds[org.provider_kind] += 1
        made_services += count
        if rows.services >= CHUNK_SERVICES:
            rows.flush()
    rows.flush()
    Postcode.objects.bulk_create(
        [
            Postcode(
                postcode=code,
                latitude=_money_6(lat),
                longitude=_money_6(lon),
                source=DEMO_POSTCODE_SOURCE,
            )
            for code, (lat, lon) in sorted(maker.postcodes.items())
        ],
        ignore_conflicts=True,
    )
    written = rows.written + len(hoods) + 1 + len(terms)
    if services <= REFRESH_LIMIT:
        refresh_search_documents(
            Service.objects.filter(organization__in=demo_organisations()).select_related(
                "organization"
            )
        )
    # bulk_create sends no signals: the search rows are built here, once.
    search_index.refresh(
        Service.objects.filter(organization__in=demo_organisations())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return AreaSummary(
        name=AREA_NAME,
        seed=seed,
        neighbourhoods=len(hoods),
        organisations=organisations,
        services=made_services,
        organisations_by_kind=dict(summary_kinds),
        first_neighbourhood_slug=hoods[0].row.slug,
        saturday_organisation_id=saturday_org.pk,
        saturday_service_id=saturday_service.pk,
        rows=written,
        seconds=time.perf_counter() - started,
    )


def _money(pounds: float) -> Decimal:
    return Decimal(str(pounds)).quantize(Decimal("0.01"))


def _when(days: Sequence[str], opens: clock, closes: clock) -> str:
    def hour(t: clock) -> str:
        suffix = "am" if t.hour < 12 else "pm"
        h = t.hour % 12 or 12
        return f"{h}{suffix}" if t.minute == 0 else f"{h}:{t.minute:02d}{suffix}"

    names = [DAY_WORDS[d] + "s" for d in days]
    day_text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{day_text}, {hour(opens)} to {hour(closes)}"


class _Maker:
    """Builds unsaved rows from one seeded generator, in a fixed order."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.ids = random.Random(f"{seed}:ids")
        self.seed = seed
        self.today = today
        self.phone_counter = 2  # 01632 960000 and 960001 are kept for the Saturday record
        # The fictional postcode directory: each postcode the area uses, where it first appears.
        self.postcodes: dict[str, tuple[float, float]] = {}
        self.cqc_counter = 0

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.ids.getrandbits(128), version=4))

    def phone(self) -> str:
        # The drama range has 1,000 numbers; past that they repeat (they are all fiction anyway).
        number = self.phone_counter % 1000
        self.phone_counter += 1
        return f"01632 960{number:03d}"

    # -- the place --

    def neighbourhoods(self) -> list[_Hood]:
        names = sorted(self.rng.sample(NEIGHBOURHOOD_POOL, NEIGHBOURHOOD_COUNT))
        points: list[tuple[float, float]] = []
        for _ in names:
            for _attempt in range(500):
                lat = self.rng.uniform(*LATITUDES)
                lon = self.rng.uniform(*LONGITUDES)
                far = all(math.hypot((lat - a) * 111.32, (lon - b) * 67.0) > 2.0 for a, b in points)
                if far:
                    break
            points.append((round(lat, 6), round(lon, 6)))
        rows = [
            Neighbourhood(
                slug=slugify(name), name=name, latitude=_money_6(lat), longitude=_money_6(lon)
            )
            for name, (lat, lon) in zip(names, points, strict=True)
        ]
        Neighbourhood.objects.bulk_create(rows)
        saved = {n.slug: n for n in Neighbourhood.objects.filter(slug__in=[r.slug for r in rows])}
        return [
            _Hood(saved[r.slug], i, float(r.latitude), float(r.longitude))
            for i, r in enumerate(rows)
        ]

    def taxonomy(self) -> dict[str, TaxonomyTerm]:
        taxonomy = Taxonomy.objects.create(
            id=TAXONOMY_ID,
            name="Wellbeing Hub needs (demo)",
            description="Need categories for the fictional demo area. Not a published taxonomy, "
            "so its terms have no URIs.",
            version="1",
        )
        terms: dict[str, TaxonomyTerm] = {}
        children = []
        for category in CATEGORIES:
            code = category["code"]
            parent = TaxonomyTerm(
                id=self.new_id(),
                taxonomy=taxonomy,
                code=code,
                name=category["name"],
                description=category["description"],
            )
            terms[code] = parent
            for kid_code, kid_name in category["children"]:
                child = TaxonomyTerm(
                    id=self.new_id(),
                    taxonomy=taxonomy,
                    parent=parent,
                    code=kid_code,
                    name=kid_name,
                )
                terms[kid_code] = child
                children.append(child)
        TaxonomyTerm.objects.bulk_create([terms[c["code"]] for c in CATEGORIES])
        TaxonomyTerm.objects.bulk_create(children)
        return terms

    def plan(self, organisations: int, services: int) -> list[tuple[str, int]]:
        """Which profile each organisation has and how many services it runs."""
        names = list(PROFILES)
        profiles = names[:organisations]  # every kind appears once there are enough
        weights = [PROFILES[p].share for p in names]
        profiles += self.rng.choices(names, weights, k=organisations - len(profiles))
        self.rng.shuffle(profiles)
        counts = [1] * organisations
        extra = services - organisations
        if organisations and extra:
            for i in self.rng.choices(
                range(organisations), [PROFILES[p].extra_services_weight for p in profiles], k=extra
            ):
                counts[i] += 1
        return list(zip(profiles, counts, strict=True))

    # -- organisations --

    def organisation(
        self,
        rows: _Rows,
        profile: str,
        count: int,
        hoods: list[_Hood],
        terms: dict[str, TaxonomyTerm],
    ) -> Organization:
        rng = self.rng
        kind = PROFILES[profile].kind
        hood = rng.choice(hoods)
        first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        name = self.organisation_name(profile, hood, first, surname)
        slug = slugify(name)[:40]
        staff = {
            "micro": (1, 5),
            "social_enterprise": (3, 40),
            "charity": (2, 80),
            "community_group": (0, 2),
            "care_home": (25, 90),
            "home_care": (15, 120),
            "public": (20, 400),
        }[profile]
        org = Organization(
            id=self.new_id(),
            name=name,
            description=self.organisation_description(profile, hood, first),
            email=f"{slug}@example.org",
            website=f"https://example.org/{slug}",
            provider_kind=kind,
            staff_count=rng.randint(*staff),
        )
        rows.add(org)
        rows.add(
            OrganizationIdentifier(
                id=self.new_id(),
                organization=org,
                identifier_scheme=DEMO_SCHEME,
                identifier_type="demo-area",
                identifier=f"seed-{self.seed}",
            )
        )
        if rng.random() < 0.5:
            self.transparency(rows, org, profile, first, surname)
        if profile == "micro":
            self.onboarding(rows, org)
        locations = [self.location(rows, org, profile, hood, name)]
        if count >= 3 and profile in {"charity", "public", "social_enterprise", "home_care"}:
            other = rng.choice([h for h in hoods if h is not hood] or hoods)
            locations.append(self.location(rows, org, profile, other, name))
        cqc = (f"1-000{self.cqc_counter:06d}", self.cqc_rating())
        self.cqc_counter += 1
        offered = PROFILES[profile].activities
        for _ in range(count):
            activity = ACTIVITIES[rng.choices(list(offered), list(offered.values()))[0]]
            where = [rng.choice(locations)]
            if len(locations) > 1 and rng.random() < 0.15:
                where = locations
            self.service(rows, org, profile, activity, where, terms, first, cqc)
        return org

    def organisation_name(self, profile: str, hood: _Hood, first: str, surname: str) -> str:
        rng, place = self.rng, hood.row.name

        def pick(key: str) -> str:
            return str(rng.choice(WORDS[key]))

        if profile == "micro":
            return rng.choice(
                (
                    f"{first}'s {pick('micro_nouns')}",
                    f"{first} {surname} Support",
                    f"{place} {pick('micro_place_nouns')} with {first}",
                )
            )
        if profile == "social_enterprise":
            return f"{place} {pick('social_enterprise_nouns')} CIC"
        if profile == "charity":
            return f"{rng.choice((place, TOWN))} {pick('charity_nouns')}"
        if profile == "community_group":
            return pick("community_group_names").format(place=place)
        if profile == "care_home":
            return f"{pick('trees')} {pick('houses')} Care Home"
        if profile == "home_care":
            return f"{pick('trees')} {pick('home_care_words')} Ltd"
        return f"{COUNCIL} {pick('council_teams')}, {place}"

    def organisation_description(self, profile: str, hood: _Hood, first: str) -> str:
        place = hood.row.name
        return {
            "micro": f"A small local service run by {first} in {place}, with five or fewer staff.",
            "social_enterprise": f"A community interest company based in {place}. Any profit "
            "goes back into the community.",
            "charity": f"A local charity working across the borough from {place}.",
            "community_group": f"A volunteer-run group for people in and around {place}.",
            "care_home": f"A privately run care home in {place}, registered with the CQC.",
            "home_care": f"A home-care agency registered with the CQC, covering {place} and "
            "nearby.",
            "public": f"A service of {COUNCIL}, the council for the {AREA_NAME}.",
        }[profile]

    def transparency(
        self, rows: _Rows, org: Organization, profile: str, first: str, surname: str
    ) -> None:
        rng = self.rng
        legal = {
            "micro": "Sole trader",
            "social_enterprise": "Community interest company",
            "charity": "Charitable incorporated organisation",
            "community_group": "Unincorporated community group",
            "care_home": "Private limited company",
            "home_care": "Private limited company",
            "public": "Local authority",
        }[profile]
        owner = {
            "micro": f"{first} {surname}",
            "care_home": f"{rng.choice(WORDS['trees'])} Care Group Ltd (fictional)",
            "home_care": f"{first} {surname} and family",
            "public": COUNCIL,
        }.get(profile, "Its members, through a board of trustees or directors")
        facts: list[tuple[str, str]] = [(TransparencyFact.Fact.LEGAL_STATUS, legal)]
        if profile in {"social_enterprise", "charity", "care_home", "home_care"}:
            facts.append(
                (
                    TransparencyFact.Fact.REGISTERED_NUMBER,
                    f"ZZ{rng.randrange(10**6):06d} (fictional)",
                )
            )
        optional = [
            (TransparencyFact.Fact.OWNER, owner),
            (
                TransparencyFact.Fact.REAL_LIVING_WAGE,
                rng.choice(("Yes", "Yes", "No", "Working towards it")),
            ),
            (
                TransparencyFact.Fact.ZERO_HOURS,
                rng.choice(("No", "No", "Yes, for some bank staff")),
            ),
            (TransparencyFact.Fact.PAY_RATIO, f"{rng.choice((1.2, 1.5, 2, 3, 4, 6))}:1"),
        ]
        facts += [f for f in optional if rng.random() < 0.75]
        for fact, value in facts:
            rows.add(
                TransparencyFact(
                    organization=org,
                    fact=fact,
                    value=value,
                    source="Declared by the provider",
                    confirmed_on=self.today - timedelta(days=rng.randint(0, 300)),
                )
            )

    def onboarding(self, rows: _Rows, org: Organization) -> None:
        for check in (
            OnboardingCheck.Check.INSURANCE,
            OnboardingCheck.Check.SAFEGUARDING,
            OnboardingCheck.Check.DBS,
        ):
            if self.rng.random() < 0.85:
                confirmed = self.today - timedelta(days=self.rng.randint(5, 420))
                rows.add(
                    OnboardingCheck(
                        organization=org,
                        check_name=check,
                        confirmed_on=confirmed,
                        expires_on=confirmed + timedelta(days=365),
                        note="Seen by a coordinator (demo data)",
                    )
                )

    def cqc_rating(self) -> tuple[str, date | None]:
        rating = self.rng.choices([r for r, _ in CQC_RATINGS], [w for _, w in CQC_RATINGS])[0]
        if rating == Service.CqcRating.NOT_RATED:
            return rating, None
        return rating, self.today - timedelta(days=self.rng.randint(60, 1100))

    # -- places --

    def location(
        self, rows: _Rows, org: Organization, profile: str, hood: _Hood, org_name: str
    ) -> Location:
        rng = self.rng
        if profile == "care_home":
            name = org_name
        elif profile in {"home_care", "micro"}:
            name = f"{org_name} office, {hood.row.name}"
        else:
            name = f"{hood.row.name} {rng.choice(WORDS['venue_kinds'])}"
        lat = hood.lat + rng.gauss(0, 0.006)
        lon = hood.lon + rng.gauss(0, 0.009)
        location = Location(
            id=self.new_id(),
            organization=org,
            name=name,
            latitude=_money_6(lat),
            longitude=_money_6(lon),
            neighbourhood=hood.row,
        )
        rows.add(location)
        street = f"{rng.choice(WORDS['street_words'])} {rng.choice(WORDS['street_kinds'])}"
        rows.add(
            Address(
                id=self.new_id(),
                location=location,
                address_1=f"{rng.randint(1, 180)} {street}",
                city=TOWN,
                postal_code=self.postcode_at(hood, lat, lon),
            )
        )
        for feature in rng.sample(FEATURES, rng.choice((0, 1, 2, 2, 3, 3, 4))):
            rows.add(Accessibility(id=self.new_id(), location=location, description=feature))
        return location

    def postcode(self, hood: _Hood) -> str:
        letters = "".join(self.rng.choice(POSTCODE_LETTERS) for _ in range(2))
        return f"ZZ99 {hood.index % 10}{letters}"

    def postcode_at(self, hood: _Hood, lat: float, lon: float) -> str:
        code = self.postcode(hood)
        self.postcodes.setdefault(code, (lat, lon))
        return code

    # -- services --

    def service(
        self,
        rows: _Rows,
        org: Organization,
        profile: str,
        activity: Activity,
        where: list[Location],
        terms: dict[str, TaxonomyTerm],
        first: str,
        cqc: tuple[str, tuple[str, date | None]],
    ) -> Service:
        rng = self.rng
        venue = where[0]
        hood_name = venue.neighbourhood.name if venue.neighbourhood else TOWN
        name = rng.choice(activity.names).format(
            hood=hood_name, venue=venue.name, first=first, org=org.name
        )
        days, opens, closes = self.times(activity)
        paid = activity.cost not in {"free", "donation"}
        amount = Decimal("0")
        if paid:
            amount = _money(rng.randint(activity.low, activity.high) + rng.choice((0, 0, 0.5)))
        budgets = paid and profile != "public" and rng.random() < 0.55
        direct = budgets or (paid and rng.random() < 0.15)
        credits = profile in {"community_group", "charity", "micro"} and rng.random() < 0.18
        service = Service(
            id=self.new_id(),
            organization=org,
            name=name[:250],
            email=org.email,
            url=org.website,
            status=Service.Status.ACTIVE,
            eligibility_description=activity.who,
            minimum_age=activity.min_age,
            maximum_age=activity.max_age,
            # Every fact the pages and filters rest on is given (known yes or known no): the
            # demo shows a complete listing; real feeds leave many of them not known.
            accepts_personal_budgets=budgets,
            accepts_direct_payments=direct,
            accepts_time_credits=credits,
            attending_type="Home visit" if activity.at_home else "Venue",
        )
        phone = self.phone()
        concession = paid and activity.cost in {"session", "day"} and rng.random() < 0.3
        service.fees_description = self.fees(activity, amount, concession)
        service.help_with_cost = self.help_with_cost(activity, paid, budgets, direct, credits)
        where_text = (
            f"We come to you at home in {hood_name} and nearby."
            if activity.at_home
            else f"It takes place at {venue.name}, {hood_name}."
        )
        service.description = " ".join(
            part
            for part in (
                activity.what,
                where_text,
                f"Open {_when(days, opens, closes)}.",
                _for_whom(activity.who),
                service.fees_description,
                service.help_with_cost if paid or credits else "",
                f"To get in touch, phone {phone} or email {org.email}.",
            )
        )
        if activity.term in CQC_TERMS:
            service.cqc_location_id = cqc[0]
            service.cqc_rating, service.cqc_rating_date = cqc[1]
        chosen = [terms[activity.term], terms[activity.term].parent]
        service.search_document = "\n".join(
            (
                service.name,
                org.name,
                " ".join(t.name for t in chosen if t),
                service.description,
                service.eligibility_description,
            )
        )
        rows.add(service)
        rows.services += 1
        for term in chosen:
            assert term is not None
            rows.add(Attribute(id=self.new_id(), service=service, taxonomy_term=term))
        for location in where:
            rows.add(ServiceAtLocation(id=self.new_id(), service=service, location=location))
        rows.add(
            Schedule(
                id=self.new_id(),
                service=service,
                freq="WEEKLY",
                byday=",".join(days),
                opens_at=opens,
                closes_at=closes,
                description=_when(days, opens, closes),
            )
        )
        self.costs(rows, service, activity, amount, concession)
        rows.add(Language(id=self.new_id(), service=service, name="English", code="en"))
        if rng.random() < 0.25:
            lang, code = rng.choice(OTHER_LANGUAGES)
            rows.add(
                Language(
                    id=self.new_id(),
                    service=service,
                    name=lang,
                    code=code,
                    note="Some staff or volunteers speak it",
                )
            )
        rows.add(Phone(id=self.new_id(), service=service, number=phone, type="voice"))
        if profile == "micro" and rng.random() < 0.6:
            rows.add(
                Contact(
                    id=self.new_id(), service=service, name=first, title="Owner", email=org.email
                )
            )
        area = AREA_NAME if profile == "public" else f"{hood_name} and nearby"
        rows.add(ServiceArea(id=self.new_id(), service=service, name=area))
        return service

    def times(self, activity: Activity) -> tuple[list[str], clock, clock]:
        rng = self.rng
        saturday = rng.random() < activity.saturday
        if activity.times == "always":
            return [*WEEKDAYS, "SA", "SU"], clock(0, 0), clock(23, 59)
        if activity.times == "homecare":
            return [*WEEKDAYS, "SA", "SU"], clock(7, 0), clock(22, 0)
        if activity.times == "weekdays":
            days = list(WEEKDAYS) + (["SA"] if saturday else [])
            return days, clock(9, rng.choice((0, 30))), clock(rng.choice((16, 17)), 0)
        if activity.times == "arranged":
            days = list(WEEKDAYS) + (["SA"] if saturday else [])
            return days, clock(8, 0), clock(18, 0)
        h1, m1, h2, m2 = rng.choice(SLOTS)
        if saturday:
            days = ["SA"] if rng.random() < 0.6 else [rng.choice(WEEKDAYS), "SA"]
        else:
            days = sorted(rng.sample(WEEKDAYS, rng.choice((1, 1, 1, 2))), key=WEEKDAYS.index)
        return days, clock(h1, m1), clock(h2, m2)

    def fees(self, activity: Activity, amount: Decimal, concession: bool) -> str:
        if activity.cost == "free":
            return "It is free."
        if activity.cost == "donation":
            return "It is free. You can give a donation if you want to."
        text = f"It costs {format_money(amount)} {UNIT[activity.cost]}."
        if activity.cost == "week":
            text = f"It costs from {format_money(amount)} a week, depending on the room."
        if concession:
            text += " Carers who come with someone are free."
        return text

    def help_with_cost(
        self, activity: Activity, paid: bool, budgets: bool, direct: bool, credits: bool
    ) -> str:
        if not paid:
            text = "You do not need to: it is free."
        elif activity.cost == "week":
            text = (
                f"{COUNCIL} may pay some or all of the cost after a care needs assessment "
                "and a financial assessment. Ask us about NHS-funded nursing care."
            )
        elif budgets:
            text = "You can pay with a personal budget or a direct payment."
        elif direct:
            text = "You can pay with a direct payment."
        else:
            text = (
                f"If you have eligible care needs, {COUNCIL} may help with the cost after "
                "an assessment."
            )
        if credits:
            text += " You can also use time credits from the local time bank."
        return text

    def costs(
        self, rows: _Rows, service: Service, activity: Activity, amount: Decimal, concession: bool
    ) -> None:
        if activity.cost in {"free", "donation"}:
            note = "Donations welcome" if activity.cost == "donation" else ""
            rows.add(
                CostOption(
                    id=self.new_id(),
                    service=service,
                    option="Free",
                    amount=Decimal("0.00"),
                    amount_description=note,
                )
            )
            return
        rows.add(
            CostOption(
                id=self.new_id(),
                service=service,
                option=f"Price {UNIT[activity.cost]}",
                amount=amount,
                amount_description=f"{format_money(amount)} {UNIT[activity.cost]}",
            )
        )
        if concession:
            rows.add(
                CostOption(
                    id=self.new_id(),
                    service=service,
                    option="Carers",
                    amount=Decimal("0.00"),
                    amount_description="Free for carers",
                )
            )

    # -- the deliberate record --

    def saturday_record(
        self, rows: _Rows, hood: _Hood, terms: dict[str, TaxonomyTerm]
    ) -> tuple[Organization, Service]:
        """The Saturday activity near the first neighbourhood that takes personal budgets."""
        email = "saturday.makers@example.org"
        org = Organization(
            id=self.new_id(),
            name=SATURDAY_ORGANISATION_NAME,
            email=email,
            website="https://example.org/saturday-makers",
            description=f"A small craft group run by Hazel Ashdown in {hood.row.name}, with two "
            "staff and a team of volunteers.",
            provider_kind=ProviderKind.MICRO,
            staff_count=2,
        )
        rows.add(org)
        rows.add(
            OrganizationIdentifier(
                id=self.new_id(),
                organization=org,
                identifier_scheme=DEMO_SCHEME,
                identifier_type="demo-area",
                identifier=f"seed-{self.seed}",
            )
        )
        for fact, value in (
            (TransparencyFact.Fact.LEGAL_STATUS, "Sole trader"),
            (TransparencyFact.Fact.OWNER, "Hazel Ashdown"),
            (TransparencyFact.Fact.REAL_LIVING_WAGE, "Yes"),
            (TransparencyFact.Fact.ZERO_HOURS, "No"),
        ):
            rows.add(
                TransparencyFact(
                    organization=org,
                    fact=fact,
                    value=value,
                    confirmed_on=self.today - timedelta(days=30),
                    source="Declared by the provider",
                )
            )
        for check in (
            OnboardingCheck.Check.INSURANCE,
            OnboardingCheck.Check.SAFEGUARDING,
            OnboardingCheck.Check.DBS,
        ):
            rows.add(
                OnboardingCheck(
                    organization=org,
                    check_name=check,
                    confirmed_on=self.today - timedelta(days=40),
                    expires_on=self.today + timedelta(days=325),
                    note="Seen by a coordinator (demo data)",
                )
            )
        venue = f"{hood.row.name} Community Centre"
        self.postcodes[SATURDAY_POSTCODE] = (float(hood.row.latitude), float(hood.row.longitude))
        location = Location(
            id=self.new_id(),
            organization=org,
            name=venue,
            latitude=hood.row.latitude,
            longitude=hood.row.longitude,
            neighbourhood=hood.row,
            description="At the centre of the neighbourhood.",
        )
        rows.add(location)
        rows.add(
            Address(
                id=self.new_id(),
                location=location,
                address_1="1 Tansy Street",
                city=TOWN,
                postal_code=SATURDAY_POSTCODE,
            )
        )
        for feature in ("step-free", "accessible-toilet", "hearing-loop", "quiet-space"):
            rows.add(Accessibility(id=self.new_id(), location=location, description=feature))
        phone = "01632 960001"
        who = "Adults of any age and ability, and the people who support them."
        price = Decimal("6.00")
        fees = f"It costs {format_money(price)} a session. Carers who come with someone are free."
        help_text = (
            "You can pay with a personal budget or a direct payment. You can also use "
            "time credits from the local time bank."
        )
        opens, closes = clock(10, 0), clock(12, 30)
        service = Service(
            id=self.new_id(),
            organization=org,
            name=SATURDAY_SERVICE_NAME,
            email=email,
            url=org.website,
            eligibility_description=who,
            minimum_age=18,
            fees_description=fees,
            help_with_cost=help_text,
            accepts_personal_budgets=True,
            accepts_direct_payments=True,
            accepts_time_credits=True,
            attending_type="Venue",
            description=" ".join(
                (
                    "A relaxed Saturday morning craft group: card making, knitting and painting, "
                    "with tea and biscuits.",
                    f"It takes place at {venue}, {hood.row.name}.",
                    f"Open {_when(['SA'], opens, closes)}.",
                    _for_whom(who),
                    fees,
                    help_text,
                    f"To get in touch, phone {phone} or email {email}.",
                )
            ),
        )
        chosen = [terms["arts-crafts"], terms["learning"], terms["friendship-groups"]]
        service.search_document = "\n".join(
            (
                service.name,
                org.name,
                " ".join(t.name for t in chosen),
                service.description,
                who,
            )
        )
        rows.add(service)
        rows.services += 1
        for term in chosen:
            rows.add(Attribute(id=self.new_id(), service=service, taxonomy_term=term))
        rows.add(ServiceAtLocation(id=self.new_id(), service=service, location=location))
        rows.add(
            Schedule(
                id=self.new_id(),
                service=service,
                freq="WEEKLY",
                byday="SA",
                opens_at=opens,
                closes_at=closes,
                description=_when(["SA"], opens, closes),
            )
        )
        rows.add(
            CostOption(
                id=self.new_id(),
                service=service,
                option="Price a session",
                amount=price,
                amount_description=f"{format_money(price)} a session",
            )
        )
        rows.add(
            CostOption(
                id=self.new_id(),
                service=service,
                option="Carers",
                amount=Decimal("0.00"),
                amount_description="Free for carers",
            )
        )
        rows.add(Language(id=self.new_id(), service=service, name="English", code="en"))
        rows.add(Phone(id=self.new_id(), service=service, number=phone, type="voice"))
        rows.add(
            Contact(id=self.new_id(), service=service, name="Hazel", title="Owner", email=email)
        )
        rows.add(ServiceArea(id=self.new_id(), service=service, name=f"{hood.row.name} and nearby"))
        return org, service


def _for_whom(who: str) -> str:
    """'Adults who ...' as 'It is for adults who ...' (Who can get it?)."""
    return f"It is for {who[0].lower()}{who[1:]}"


def _money_6(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


__all__ = [
    "AREA_NAME",
    "SATURDAY_ORGANISATION_NAME",
    "SATURDAY_SERVICE_NAME",
    "AreaSummary",
    "DemoAreaExists",
    "DemoAreaMissing",
    "area_exists",
    "clear_area",
    "generate_area",
    "saturday_organisation",
]
