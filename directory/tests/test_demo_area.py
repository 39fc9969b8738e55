"""The fictional demo area: same seed, same area; every kind of provider; the deliberate Saturday
record; nothing that could be mistaken for a real place, phone or address."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from directory import demo_area
from directory.demo_area import (
    AREA_NAME,
    SATURDAY_ORGANISATION_NAME,
    SATURDAY_SERVICE_NAME,
    DemoAreaExists,
    area_exists,
    clear_area,
    generate_area,
)
from directory.models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    Location,
    Neighbourhood,
    OnboardingCheck,
    Organization,
    Phone,
    ProviderKind,
    Schedule,
    Service,
    TaxonomyTerm,
    TransparencyFact,
)
from directory.search import ServiceSearch
from directory.selectors import search_services
from directory.services.search_words import search_document_for
from rules.money import format_money

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def snapshot() -> dict[str, list[tuple[str, ...]]]:
    return {
        "neighbourhoods": [
            (n.slug, n.name, str(n.latitude), str(n.longitude)) for n in Neighbourhood.objects.all()
        ],
        "organisations": list(
            Organization.objects.order_by("pk").values_list("pk", "name", "provider_kind")
        ),
        "services": list(
            Service.objects.order_by("pk").values_list(
                "pk", "name", "organization_id", "description"
            )
        ),
        "terms": list(TaxonomyTerm.objects.order_by("pk").values_list("pk", "name")),
        "phones": list(Phone.objects.order_by("pk").values_list("pk", "number")),
    }


def test_same_seed_gives_the_same_area_and_another_seed_another() -> None:
    generate_area(seed=7, services=80, today=TODAY)
    first = snapshot()
    clear_area()
    assert not Service.objects.exists()
    generate_area(seed=7, services=80, today=TODAY)
    assert snapshot() == first
    generate_area(seed=8, services=80, today=TODAY, replace=True)
    other = snapshot()
    assert other["services"] != first["services"]
    assert {pk for pk, *_ in other["services"]}.isdisjoint({pk for pk, *_ in first["services"]})


def test_default_size_has_every_kind_of_provider() -> None:
    summary = generate_area(today=TODAY)
    assert summary.services == Service.objects.count() == 300
    assert summary.organisations == Organization.objects.count() == 150
    assert summary.neighbourhoods == Neighbourhood.objects.count() == 12
    kinds = Counter(Organization.objects.values_list("provider_kind", flat=True))
    assert set(kinds) == set(ProviderKind.values)
    assert kinds == Counter(summary.organisations_by_kind)
    # Care homes and home-care agencies are the private providers.
    private = Organization.objects.filter(provider_kind=ProviderKind.PRIVATE)
    assert private.filter(name__endswith="Care Home").exists()
    assert private.filter(name__endswith="Ltd").exists()
    assert AREA_NAME in str(summary) and "(fictional)" in AREA_NAME


def test_sizes_are_honoured_and_checked() -> None:
    summary = generate_area(seed=3, services=57, organisations=20, today=TODAY)
    assert (summary.services, summary.organisations) == (57, 20)
    assert Service.objects.count() == 57
    assert set(Organization.objects.values_list("provider_kind", flat=True)) == set(
        ProviderKind.values
    )
    with pytest.raises(ValueError):
        generate_area(services=5, organisations=6, replace=True)
    with pytest.raises(ValueError):
        generate_area(services=0, replace=True)


def test_every_service_answers_the_five_questions() -> None:
    generate_area(seed=11, services=150, today=TODAY)
    services = Service.objects.prefetch_related(
        "phones", "cost_options", "schedules", "languages", "service_at_locations", "attributes"
    )
    for service in services:
        assert service.description and service.eligibility_description  # what / who
        assert service.fees_description and service.help_with_cost  # cost / help with cost
        assert service.phones.all() and service.email  # how to get in touch
        assert "To get in touch" in service.description
        assert service.cost_options.all() and service.schedules.all() and service.languages.all()
        assert service.service_at_locations.all()
        assert len(service.attributes.all()) >= 2  # a need and its category
    assert Schedule.objects.filter(byday__contains="SA").count() > 10
    assert CostOption.objects.filter(amount=0).exists()
    assert CostOption.objects.filter(amount__gt=0).exists()


def test_realistic_shares_of_facts_checks_and_payment_options() -> None:
    generate_area(seed=2026, services=600, today=TODAY)
    organisations = Organization.objects.count()
    with_facts = Organization.objects.filter(transparency_facts__isnull=False).distinct().count()
    assert 0.35 < with_facts / organisations < 0.65  # the rest stay unknown on purpose
    # Onboarding checks are for micro-providers, with dates, some of them expired.
    assert not OnboardingCheck.objects.exclude(organization__provider_kind=ProviderKind.MICRO)
    checks = OnboardingCheck.objects.all()
    assert checks and all(c.expires_on and c.expires_on > c.confirmed_on for c in checks)
    assert checks.filter(expires_on__lt=TODAY).exists()
    assert checks.filter(expires_on__gte=TODAY).exists()
    # Facts are confirmed on a date; registered numbers are marked as fictional.
    numbers = TransparencyFact.objects.filter(fact=TransparencyFact.Fact.REGISTERED_NUMBER)
    assert numbers and all(f.value.startswith("ZZ") and "fictional" in f.value for f in numbers)
    services = Service.objects.count()
    budgets = Service.objects.filter(accepts_personal_budgets=True).count()
    credits = Service.objects.filter(accepts_time_credits=True).count()
    assert 0.15 < budgets / services < 0.6
    assert 0.02 < credits / services < 0.3
    # Free services do not claim to take personal budgets.
    free = Service.objects.exclude(cost_options__amount__gt=0)
    assert not free.filter(accepts_personal_budgets=True).exclude(name=SATURDAY_SERVICE_NAME)


def test_cqc_details_only_for_care_homes_and_home_care() -> None:
    generate_area(seed=5, services=400, today=TODAY)
    cqc_terms = {"Residential care", "Nursing care", "Personal care at home"}
    with_cqc = Service.objects.exclude(cqc_location_id="")
    assert with_cqc.exists()
    for service in with_cqc.prefetch_related("attributes__taxonomy_term"):
        names = {a.taxonomy_term.name for a in service.attributes.all()}
        assert names & cqc_terms
        assert service.organization.provider_kind == ProviderKind.PRIVATE
        assert service.cqc_location_id.startswith("1-000")
        assert service.cqc_rating in Service.CqcRating.values
        rated = service.cqc_rating != Service.CqcRating.NOT_RATED
        assert (service.cqc_rating_date is not None) == rated
    others = Service.objects.filter(cqc_location_id="")
    assert not others.exclude(cqc_rating="").exists()
    assert not Attribute.objects.filter(
        taxonomy_term__name__in=cqc_terms, service__cqc_location_id=""
    ).exists()


def test_the_saturday_record_is_deliberate() -> None:
    summary = generate_area(seed=99, services=40, today=TODAY)
    first = Neighbourhood.objects.order_by("name").first()
    assert first is not None and summary.first_neighbourhood_slug == first.slug
    service = Service.objects.get(pk=summary.saturday_service_id)
    assert service.name == SATURDAY_SERVICE_NAME
    assert service.organization.name == SATURDAY_ORGANISATION_NAME
    assert service.organization.provider_kind == ProviderKind.MICRO
    assert service.accepts_personal_budgets
    assert [s.byday for s in service.schedules.all()] == ["SA"]
    location = Location.objects.get(service_at_locations__service=service)
    assert location.neighbourhood == first
    assert (location.latitude, location.longitude) == (first.latitude, first.longitude)
    # The demo journey: Saturday, near the first neighbourhood, personal budgets, nearest first.
    search = ServiceSearch(
        neighbourhood=first.slug, day="SA", personal_budgets=True, sort="distance"
    )
    results = search_services(search)
    assert results.services[0].pk == service.pk
    # the search sets distance_km on each service it returns (not a model field)
    assert vars(results.services[0])["distance_km"] == pytest.approx(0, abs=0.01)
    assert demo_area.saturday_organisation().pk == summary.saturday_organisation_id


@pytest.mark.parametrize("seed", [1, 2026])
def test_nothing_could_be_mistaken_for_real_contact_details(seed: int) -> None:
    generate_area(seed=seed, services=200, today=TODAY)
    assert all(p.startswith("ZZ99 ") for p in Address.objects.values_list("postal_code", flat=True))
    numbers = list(Phone.objects.values_list("number", flat=True))
    assert numbers and all(n.startswith("01632 960") and len(n) == 12 for n in numbers)
    emails = [
        *Organization.objects.values_list("email", flat=True),
        *Service.objects.values_list("email", flat=True),
        *Contact.objects.values_list("email", flat=True),
    ]
    assert emails and all(e.endswith("@example.org") for e in emails)
    urls = [*Organization.objects.values_list("website", flat=True)]
    assert all(u.startswith("https://example.org/") for u in urls)
    # Every phone number or email a description mentions is one of the fictional ones.
    for description in Service.objects.values_list("description", flat=True):
        assert "01632 960" in description and "@example.org" in description
    # Centroids inside the plausible English box.
    for lat, lon in Neighbourhood.objects.values_list("latitude", "longitude"):
        assert 52.8 < lat < 53.1 and -1.4 < lon < -1.0


def test_refuses_a_second_area_and_replace_touches_only_its_own_rows() -> None:
    real = Organization.objects.create(name="A real-world import", description="Not demo data")
    generate_area(seed=1, services=30, today=TODAY)
    assert area_exists()
    with pytest.raises(DemoAreaExists):
        generate_area(seed=1, services=30)
    generate_area(seed=2, services=45, replace=True, today=TODAY)
    assert Service.objects.count() == 45
    assert Organization.objects.filter(pk=real.pk).exists()
    clear_area()
    assert not area_exists()
    assert list(Organization.objects.all()) == [real]
    assert not Neighbourhood.objects.exists() and not TaxonomyTerm.objects.exists()


def test_search_document_matches_the_directory_recipe() -> None:
    # generate_area writes search documents itself (so 100,000 services need no query each);
    # they must equal what directory.services would write.
    generate_area(seed=4, services=60, today=TODAY)
    for service in Service.objects.select_related("organization"):
        assert service.search_document == search_document_for(service)


def test_searching_the_demo_area_finds_things() -> None:
    generate_area(seed=2026, services=300, today=TODAY)
    assert search_services(ServiceSearch(q="lunch club")).total > 0
    category = TaxonomyTerm.objects.get(name="Physical activity", parent__isnull=True)
    assert search_services(ServiceSearch(category=category.pk)).total > 0
    assert search_services(ServiceSearch(day="SA", personal_budgets=True)).total > 1


def test_prices_are_written_by_the_one_money_formatter() -> None:
    """Issue 14: the demo's price texts come from rules.money.format_money (the demo had its own
    formatter, which wrote "£5" for £5.00), so the demo reads like every other money page."""
    generate_area(seed=11, services=150, today=TODAY)
    paid = CostOption.objects.filter(amount__gt=0).select_related("service")
    assert paid.exists()
    whole = [c for c in paid if c.amount is not None and c.amount == c.amount.to_integral_value()]
    assert whole, "the test needs a whole-pound price, where the old formatter differed"
    for cost in paid:
        assert cost.amount is not None
        assert cost.amount_description.startswith(format_money(cost.amount) + " ")
        if cost.option.startswith("Price"):
            assert format_money(cost.amount) in cost.service.fees_description
