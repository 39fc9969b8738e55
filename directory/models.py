"""The directory, following Open Referral UK 3.0 (the UK profile of HSDS 3.0).

Tables and field names mirror the standard so import, export and the API map one to one; the
platform's extensions (provider kind, personal budgets, time credits, CQC, transparency facts,
onboarding checks, moderation, enquiries and reviews) sit beside them under their own names.
Identifiers are strings, as in HSDS, so an imported feed keeps its publisher's ids.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models

from directory.text import has_control_characters

# The longest free text kept in any one field of a listing (a description, who can get it, fees,
# opening-time notes…), about 1,500 words, whether a provider typed it or a feed brought it. Names
# and other short fields are CharFields with their own max_length.
MAX_TEXT_CHARS = 10_000


def new_id() -> str:
    return str(uuid.uuid4())


def long_text(**options: Any) -> Any:
    """A free-text field of at most MAX_TEXT_CHARS characters (checked by full_clean and forms)."""
    return models.TextField(
        max_length=MAX_TEXT_CHARS, validators=[MaxLengthValidator(MAX_TEXT_CHARS)], **options
    )


def validate_one_line(value: str) -> None:
    """A name is one line: it goes into email subjects and headings."""
    if has_control_characters(value):
        raise ValidationError("A name must be one line, without line breaks or control characters.")


class HsdsModel(models.Model):
    id = models.CharField(primary_key=True, max_length=250, default=new_id, editable=False)

    class Meta:
        abstract = True


class Neighbourhood(models.Model):
    """A neighbourhood of the area, with its centroid, for 'near me' searches and reports."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120, unique=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Taxonomy(HsdsModel):
    name = models.CharField(max_length=250)
    description = long_text()
    uri = models.URLField(blank=True, default="")
    version = models.CharField(max_length=50, blank=True, default="")

    class Meta:
        verbose_name_plural = "taxonomies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HsdsModel):
    taxonomy = models.ForeignKey(
        Taxonomy, null=True, blank=True, on_delete=models.PROTECT, related_name="terms"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    code = models.CharField(max_length=100, blank=True, default="")
    name = models.CharField(max_length=250)
    description = long_text(blank=True, default="")
    term_uri = models.URLField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderKind(models.TextChoices):
    MICRO = "micro", "Micro-provider (5 or fewer staff)"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise or CIC"
    CHARITY = "charity", "Charity"
    COMMUNITY_GROUP = "community_group", "Community group"
    PRIVATE = "private", "Private company"
    PUBLIC = "public", "Council or NHS service"


class Organization(HsdsModel):
    name = models.CharField(max_length=250, validators=[validate_one_line])
    alternate_name = models.CharField(max_length=250, blank=True, default="")
    description = long_text()
    email = models.EmailField(blank=True, default="")
    website = models.URLField(blank=True, default="")
    # Extensions for a personal-budget marketplace.
    provider_kind = models.CharField(
        max_length=30, choices=ProviderKind.choices, blank=True, default=""
    )
    staff_count = models.PositiveIntegerField(null=True, blank=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationIdentifier(HsdsModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="organization_identifiers"
    )
    identifier_scheme = models.CharField(max_length=100, blank=True, default="")
    identifier_type = models.CharField(max_length=100)
    identifier = models.CharField(max_length=100)


class TransparencyFact(models.Model):
    """One declared fact about a provider, with the date it was last confirmed. A fact with no row
    is unknown, and is shown as unknown."""

    class Fact(models.TextChoices):
        LEGAL_STATUS = "legal_status", "Legal status"
        REGISTERED_NUMBER = "registered_number", "Registered number"
        OWNER = "owner", "Who owns it"
        REAL_LIVING_WAGE = "real_living_wage", "Pays the Real Living Wage"
        ZERO_HOURS = "zero_hours_contracts", "Uses zero-hours contracts"
        PAY_RATIO = "senior_pay_ratio", "Pay of the highest paid to the lowest paid"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="transparency_facts"
    )
    fact = models.CharField(max_length=40, choices=Fact.choices)
    value = models.CharField(max_length=250)
    confirmed_on = models.DateField()
    source = models.CharField(max_length=250, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "fact"], name="one_value_per_fact")
        ]


class OnboardingCheck(models.Model):
    """Checks a coordinator confirms for a micro-provider, shown as dated badges."""

    class Check(models.TextChoices):
        INSURANCE = "insurance", "Public liability insurance"
        SAFEGUARDING = "safeguarding", "Safeguarding policy"
        DBS = "dbs", "DBS checks"
        REGISTRATION = "registration", "Registration (CQC or other) where needed"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="onboarding_checks"
    )
    check_name = models.CharField(max_length=20, choices=Check.choices)
    confirmed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=250, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "check_name"], name="one_check_each")
        ]


class OrganizationMember(models.Model):
    """A provider's staff member who may manage its listings and answer its enquiries."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership")
        ]


class Service(HsdsModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Defunct"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    class CqcRating(models.TextChoices):
        OUTSTANDING = "Outstanding", "Outstanding"
        GOOD = "Good", "Good"
        REQUIRES_IMPROVEMENT = "Requires improvement", "Requires improvement"
        INADEQUATE = "Inadequate", "Inadequate"
        NOT_RATED = "Not yet rated", "Not yet rated"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=250, validators=[validate_one_line])
    alternate_name = models.CharField(max_length=250, blank=True, default="")
    description = long_text(blank=True, default="")
    url = models.URLField(blank=True, default="")
    email = models.EmailField(blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    fees_description = long_text(blank=True, default="")
    eligibility_description = long_text(blank=True, default="")
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    accreditations = long_text(blank=True, default="")
    assured_date = models.DateField(null=True, blank=True)
    alert = long_text(blank=True, default="")
    last_modified = models.DateTimeField(auto_now=True)
    # How people get the service, as ORUK 1.0 feeds say it (ORUK 3.0 has no field for these, so
    # the API and export give them as x_ extensions): attending type (venue, phone, online, home
    # visit), attending access (drop-in, appointment, self referral…) and delivery type.
    attending_type = models.CharField(max_length=100, blank=True, default="")
    attending_access = models.CharField(max_length=100, blank=True, default="")
    deliverable_type = models.CharField(max_length=100, blank=True, default="")
    # How to book or apply (HSDS 3.0 ``application_process``), e.g. a feed's booking notes.
    application_process = long_text(blank=True, default="")
    # The publisher's own dates for the record, when a feed gives them.
    publisher_created = models.DateField(null=True, blank=True)
    publisher_modified = models.DateField(null=True, blank=True)
    # Extensions. Each is a tri-state fact: True (the provider said yes), False (said no), None
    # (nobody said: shown as "Not known", never matched by a filter).
    accepts_personal_budgets = models.BooleanField(null=True, blank=True, default=None)
    accepts_direct_payments = models.BooleanField(null=True, blank=True, default=None)
    accepts_time_credits = models.BooleanField(null=True, blank=True, default=None)
    help_with_cost = long_text(
        blank=True, default="", help_text="Can I get help with the cost? In plain words."
    )
    cqc_location_id = models.CharField(max_length=30, blank=True, default="")
    cqc_rating = models.CharField(max_length=30, choices=CqcRating.choices, blank=True, default="")
    cqc_rating_date = models.DateField(null=True, blank=True)
    terms = models.ManyToManyField(TaxonomyTerm, through="Attribute", related_name="services")
    # Words to search, rebuilt by services.search_words.refresh_search_documents; on PostgreSQL a
    # generated tsvector column and trigram index over it are added by migration 0002.
    search_document = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "accepts_personal_budgets"]),
            models.Index(fields=["organization"]),
        ]

    def __str__(self) -> str:
        return self.name

    def cost_known(self) -> str | None:
        """ "free", "paid" or None (not known), from the cost options the provider gave (uses
        prefetched cost_options): see ``directory.facts.cost_status``."""
        from directory.facts import cost_status

        return cost_status(c.amount for c in self.cost_options.all())

    def is_free(self) -> bool:
        """Free only when the provider said so: every cost option is an amount of 0."""
        return self.cost_known() == "free"

    def has_fixed_place(self) -> bool | None:
        """True when it has places, False when the provider said it has none (it is online, by
        phone or at home), None when not known."""
        from directory.facts import place_status

        return place_status(bool(self.service_at_locations.all()), self.attending_type)


class Attribute(HsdsModel):
    """Links a service to a taxonomy term (its categories and needs)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "taxonomy_term"], name="one_attribute_each")
        ]


class Location(HsdsModel):
    class LocationType(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        POSTAL = "postal", "Postal"
        VIRTUAL = "virtual", "Virtual"

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="locations"
    )
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(max_length=250, blank=True, default="")
    description = long_text(blank=True, default="")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name or self.id


class Address(HsdsModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    address_1 = models.CharField(max_length=250)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True, default="")
    state_province = models.CharField(max_length=100, blank=True, default="")
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="GB")
    address_type = models.CharField(max_length=20, default="physical")

    def one_line(self) -> str:
        return ", ".join(p for p in [self.address_1, self.city, self.postal_code] if p)


class Accessibility(HsdsModel):
    """An accessibility feature of a location, from a fixed list so people can filter by it."""

    class Feature(models.TextChoices):
        STEP_FREE = "step-free", "Step-free access"
        ACCESSIBLE_TOILET = "accessible-toilet", "Accessible toilet"
        HEARING_LOOP = "hearing-loop", "Hearing loop"
        BSL = "bsl", "British Sign Language"
        LARGE_PRINT = "large-print", "Information in large print or easy read"
        QUIET_SPACE = "quiet-space", "Quiet space"
        PARKING = "parking", "Accessible parking"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.CharField(max_length=250)
    details = long_text(blank=True, default="")
    url = models.URLField(blank=True, default="")

    def label(self) -> str:
        """The feature's name for people (an imported free-text description is shown as is)."""
        return str(dict(self.Feature.choices).get(self.description, self.description))


class ServiceAtLocation(HsdsModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = long_text(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="one_link_per_location")
        ]


class Contact(HsdsModel):
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=250, blank=True, default="")
    title = models.CharField(max_length=250, blank=True, default="")
    email = models.EmailField(blank=True, default="")


class Phone(HsdsModel):
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(max_length=50)
    type = models.CharField(max_length=20, blank=True, default="voice")
    description = models.CharField(max_length=250, blank=True, default="")


class Schedule(HsdsModel):
    """Opening times, iCal-style as HSDS has them: weekly on the given days, opens_at-closes_at."""

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    freq = models.CharField(max_length=10, blank=True, default="WEEKLY")
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=30, blank=True, default="", help_text="e.g. MO,WE,SA")
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    description = long_text(blank=True, default="")
    attending_type = long_text(blank=True, default="")
    notes = long_text(blank=True, default="")

    def day_names(self) -> list[str]:
        from directory.search import DAY_NAMES

        return [DAY_NAMES[d] for d in self.byday.replace(" ", "").split(",") if d in DAY_NAMES]


class CostOption(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=250, blank=True, default="")
    amount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    amount_description = models.CharField(max_length=250, blank=True, default="")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)


class Language(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=10, blank=True, default="", help_text="ISO 639 code")
    note = models.CharField(max_length=250, blank=True, default="")


class ServiceArea(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=250)
    description = long_text(blank=True, default="")


class SearchEntry(models.Model):
    """The search read model: one narrow row per public (active) service, rebuilt by
    ``directory.search_index`` whenever the service or anything the search reads about it changes
    (signals for single writes, explicit refreshes for the bulk writers). Inactive services have
    no row, so counting rows counts public services.

    ``tags`` holds the filterable facts as space-separated words (``d:SA`` open on Saturday,
    ``pb`` personal budgets or direct payments, ``tc`` time credits, ``micro``, ``paid`` or
    ``free``, ``t:<term id>`` for each category and every broader category above it), padded
    with a space at each end. ``document`` is the service's ``GET /services`` record (ORUK JSON,
    ``directory.oruk.serialisers.service_flat``), so an API page needs no serialising. On
    PostgreSQL migration 0005 adds ``tag_array`` (generated from ``tags``, GIN index) and
    ``vector`` (a copy of the service's weighted tsvector, GIN index)."""

    service = models.OneToOneField(
        Service, primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    name = models.CharField(max_length=250)
    tags = models.TextField(default=" ")
    document = models.TextField()
    # The box (in degrees) around the service's places on the map, null when it has none: a
    # distance search first keeps the services whose box meets its own (GiST index on
    # PostgreSQL, migration 0005), then measures their places.
    min_latitude = models.FloatField(null=True)
    max_latitude = models.FloatField(null=True)
    min_longitude = models.FloatField(null=True)
    max_longitude = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["name", "service"], name="directory_searchentry_name")]


class SearchIndexVersion(models.Model):
    """One row whose number goes up in the same transaction as every change to the search rows,
    so each server process can tell, with one cheap query, whether its in-memory copy of the
    rows (``directory.search_memory``) is still current."""

    version = models.BigIntegerField(default=0)
    # A random number per change (with ``version``, which counts changes up by one): a copy that
    # read a change later rolled back can tell that its history is not the database's.
    token = models.BigIntegerField(default=0)


class SearchChange(models.Model):
    """What one change to the search rows touched (``directory.search_index.bump_version``): each
    service whose row it wrote or removed, or ``kind`` "hoods", "synonyms" or "all" (too many to
    list: every process rebuilds). ``seq`` is the ``SearchIndexVersion.version`` it made, so a
    server process patches its in-memory copy with the changes after the one it has."""

    seq = models.BigIntegerField(db_index=True)
    token = models.BigIntegerField()
    kind = models.CharField(max_length=10, default="service")
    service_id = models.CharField(max_length=250, blank=True, default="")


class SearchSynonymList(models.Model):
    """A version of the search synonyms a coordinator saved (Solr ``synonyms.txt`` format). The
    newest is in force; with none, the list shipped with the product
    (``directory/search_synonyms.txt``). Earlier versions are kept as the history of changes."""

    text = models.TextField(max_length=50_000, validators=[MaxLengthValidator(50_000)])
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=250, blank=True, default="")

    class Meta:
        ordering = ["-saved_at", "-pk"]


class Postcode(models.Model):
    """Where a postcode is, for "near a postcode" searches, loaded from an ONS postcode extract
    (NSPL or ONSPD: their ``pcds``, ``lat`` and ``long`` columns) by ``import_postcodes``. Each
    row says which file it came from."""

    postcode = models.CharField(primary_key=True, max_length=8, help_text="As written, DN15 6NL")
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    source = models.CharField(max_length=250)

    def __str__(self) -> str:
        return self.postcode


# --- platform features around the directory -------------------------------------------------


class ListingChange(models.Model):
    """A provider's proposed change to a listing. Nothing reaches the public directory until a
    coordinator publishes it; a refusal carries a reason the provider sees."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        PUBLISHED = "published", "Published"
        REFUSED = "refused", "Not published"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="changes")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    proposed = models.JSONField(help_text="Field name to proposed value.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-submitted_at"]


class Enquiry(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="enquiries")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enquiries"
    )
    subject = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "enquiries"


class EnquiryMessage(models.Model):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_provider = models.BooleanField(default=False)
    body = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]


class EnquiryDelivery(models.Model):
    """Where one message of an enquiry thread went and whether it arrived, shown on the thread.

    A message from the person goes to the organisation's members on the platform, else the
    service's or the organisation's published email, else the area's coordinators, who pass it on
    (``directory.enquiry_routing``). A reply from the provider goes to the person. The state
    follows the email: queued when it is handed to the mail queue, then sent or failed when the
    mail task finishes (``directory.enquiry_routing.record_mail_outcome``)."""

    class Route(models.TextChoices):
        MEMBERS = "members", "The organisation's staff on this site"
        SERVICE_EMAIL = "service_email", "The service's published email address"
        ORGANIZATION_EMAIL = "organization_email", "The organisation's published email address"
        COORDINATORS = "coordinators", "The council's directory team"
        PERSON = "person", "The person who asked"

    class State(models.TextChoices):
        QUEUED = "queued", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent: the email failed"
        WAITING = "waiting", "Waiting for a coordinator to pass it on"
        PASSED_ON = "passed_on", "Passed on by a coordinator"
        NOT_EMAILED = "not_emailed", "Not emailed: no email address"

    message = models.OneToOneField(
        EnquiryMessage, on_delete=models.CASCADE, related_name="delivery"
    )
    route = models.CharField(max_length=20, choices=Route.choices)
    recipients = models.JSONField(default=list, help_text="The addresses the email went to.")
    state = models.CharField(max_length=20, choices=State.choices)
    updated_at = models.DateTimeField(auto_now=True)
    # A coordinator records how they passed on an enquiry that came to them.
    passed_on_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    passed_on_note = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        verbose_name_plural = "enquiry deliveries"
        indexes = [models.Index(fields=["state", "route"])]


class Review(models.Model):
    """A rating and review by someone who has used the service (co-assessment)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Not published"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    body = models.TextField()
    used_service_on = models.CharField(max_length=30, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderation_reason = models.TextField(blank=True, default="")
    provider_reply = models.TextField(blank=True, default="")
    provider_replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "author"], name="one_review_per_person"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="rating_one_to_five"
            ),
        ]


class ImportRun(models.Model):
    """One import of an Open Referral UK feed: what it did and its report, for the coordinator's
    pages and for the next import of the same feed (which marks the services this one read and
    the next does not as withdrawn by the publisher)."""

    class Outcome(models.IntegerChoices):
        COMPLETE = 0, "Everything imported"
        PARTIAL = 1, "Imported, with records or fields set aside"
        UNUSABLE = 2, "The file could not be used"

    feed = models.CharField(max_length=250, help_text="Runs with the same feed name are compared.")
    sources = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    outcome = models.PositiveSmallIntegerField(choices=Outcome.choices, default=Outcome.COMPLETE)
    summary = models.TextField(blank=True, default="")
    # The machine-readable report: a list of {"file", "position", "record", "field", "problem",
    # "action", "severity"} (severity "error" when the record was not kept, else "warning").
    problems = models.JSONField(default=list)
    # Every service id the feed held (kept or not), to find what the next run's feed dropped.
    seen_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at", "-id"]
