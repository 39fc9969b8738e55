"""The directory's pages, as people use them: search, a service's five answers, provider facts,
enquiries, reviews and the moderation of listing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from directory.models import Enquiry, ListingChange, Review, Service, TransparencyFact
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_search_page_shows_count_results_and_a_shareable_link(client: Client) -> None:
    f.service(name="Saturday gardening", days="SA", accepts_personal_budgets=True)
    f.service(name="Monday chess", days="MO")
    page = client.get(reverse("directory:search"), {"day": "SA", "personal_budgets": "1"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 service found" in html
    assert "Saturday gardening" in html and "Monday chess" not in html
    assert "?day=SA&amp;personal_budgets=1" in html


def test_search_page_bad_parameter_gives_error_summary_and_400(client: Client) -> None:
    page = client.get(reverse("directory:search"), {"within": "far"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html
    assert "Distance must be a number" in html


def test_service_page_answers_the_five_questions(client: Client) -> None:
    hood = f.neighbourhood()
    svc = f.service(
        name="Lunch club",
        at=hood,
        days="SA",
        cost="3.50",
        eligibility_description="Anyone over 60 living in the area.",
        help_with_cost="Your personal budget can pay for it.",
        accepts_personal_budgets=True,
        email="lunch@example.org",
        languages=[("pl", "Polish")],
    )
    html = client.get(reverse("directory:service", args=[svc.pk])).content.decode()
    for heading in [
        "What is the service?",
        "Who can get the service?",
        "How much does it cost?",
        "Can I get help with the cost?",
        "How to get in touch",
        "Opening times",
        "Where",
        "Accessibility",
        "Languages",
    ]:
        assert heading in html
    assert "Anyone over 60" in html and "£3.50" in html and "Saturday" in html
    assert "Personal budgets: accepted" in html and "Polish" in html


def test_organisation_page_shows_declared_facts_with_dates_and_unknown_as_unknown(
    client: Client,
) -> None:
    org = f.organization(name="Green Hands CIC")
    TransparencyFact.objects.create(
        organization=org, fact="real_living_wage", value="Yes", confirmed_on="2026-04-01"
    )
    html = client.get(reverse("directory:organization", args=[org.pk])).content.decode()
    assert "Pays the Real Living Wage" in html and "Confirmed 1 April 2026" in html
    # Five facts not declared: each shown as not known, none guessed.
    assert html.count("Not known") >= 5


def test_enquiry_thread_between_person_and_provider_with_email_and_audit(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    org = f.organization()
    svc = f.service(organization_=org)
    provider = f.provider_user(org)
    person = f.user()
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:enquire", args=[svc.pk]),
            {"subject": "Saturday places", "body": "Is there room on Saturday?"},
        )
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302
    assert mail.outbox and provider.email in mail.outbox[0].to
    client.force_login(provider)
    inbox = client.get(reverse("directory:inbox")).content.decode()
    assert "Saturday places" in inbox
    client.post(reverse("directory:enquiry", args=[enquiry.pk]), {"body": "Yes, two places left."})
    client.force_login(person)
    thread = client.get(reverse("directory:enquiry", args=[enquiry.pk])).content.decode()
    assert "Is there room on Saturday?" in thread and "Yes, two places left." in thread
    actions = set(AuditEvent.objects.filter(subject=person).values_list("action", flat=True))
    assert {"create", "update", "view"} <= actions


def test_enquiry_form_errors_name_the_field(client: Client) -> None:
    svc = f.service()
    client.force_login(f.user())
    html = client.post(
        reverse("directory:enquire", args=[svc.pk]), {"subject": ""}
    ).content.decode()
    assert "Enter what your enquiry is about" in html and "Enter your message" in html
    assert 'href="#id_subject"' in html


def test_strangers_cannot_read_an_enquiry(client: Client) -> None:
    svc = f.service()
    owner = f.user()
    client.force_login(owner)
    client.post(reverse("directory:enquire", args=[svc.pk]), {"subject": "Hi", "body": "Private"})
    client.force_login(f.user())
    assert (
        client.get(reverse("directory:enquiry", args=[Enquiry.objects.get().pk])).status_code == 404
    )


def test_review_waits_for_moderation_then_shows_with_count(client: Client) -> None:
    svc = f.service()
    client.force_login(f.user())
    client.post(
        reverse("directory:review", args=[svc.pk]),
        {
            "rating": "4",
            "body": "Friendly people and a warm hall.",
            "used_service_on": "May 2026",
            "used_it": "on",
        },
    )
    review = Review.objects.get()
    assert review.state == Review.State.PENDING
    assert (
        "Rated 4.0" not in client.get(reverse("directory:service", args=[svc.pk])).content.decode()
    )
    client.force_login(f.user(Role.COORDINATOR))
    client.post(reverse("directory:moderate-review", args=[review.pk]), {"decision": "publish"})
    html = client.get(reverse("directory:service", args=[svc.pk])).content.decode()
    assert "Rated 4.0 out of 5" in html and "from 1 review" in html


def test_review_needs_confirmation_of_use(client: Client) -> None:
    svc = f.service()
    client.force_login(f.user())
    html = client.post(
        reverse("directory:review", args=[svc.pk]),
        {"rating": "5", "body": "Great service, would go again."},
    ).content.decode()
    assert "Only people who have used a service can review it" in html
    assert not Review.objects.exists()


def test_listing_change_waits_for_coordinator_and_a_refusal_reason_reaches_the_provider(
    client: Client,
) -> None:
    org = f.organization()
    svc = f.service(organization_=org, name="Old name")
    provider = f.provider_user(org)
    client.force_login(provider)
    data = {"name": "New name", "description": "A long enough description of the service."}
    client.post(reverse("directory:listing-edit", args=[svc.pk]), data)
    change = ListingChange.objects.get()
    svc.refresh_from_db()
    assert svc.name == "Old name"  # nothing public until published
    coordinator = f.user(Role.COORDINATOR)
    client.force_login(coordinator)
    html = client.post(
        reverse("directory:moderate-change", args=[change.pk]), {"decision": "refuse"}
    ).content.decode()
    assert "Enter the reason it is not published" in html
    client.post(
        reverse("directory:moderate-change", args=[change.pk]),
        {"decision": "refuse", "reason": "Please describe who can use it."},
    )
    client.force_login(provider)
    assert (
        "Please describe who can use it."
        in client.get(reverse("directory:provider-home")).content.decode()
    )
    client.post(reverse("directory:listing-edit", args=[svc.pk]), data)
    client.force_login(coordinator)
    second = ListingChange.objects.filter(state="pending").get()
    client.post(reverse("directory:moderate-change", args=[second.pk]), {"decision": "publish"})
    svc.refresh_from_db()
    assert svc.name == "New name"
    assert "New name" in svc.search_document


def test_only_the_providers_own_staff_can_propose_changes_and_only_coordinators_moderate(
    client: Client,
) -> None:
    svc = f.service()
    client.force_login(f.user(Role.PROVIDER))
    assert client.get(reverse("directory:listing-edit", args=[svc.pk])).status_code == 403
    assert client.get(reverse("directory:moderation")).status_code == 403


def test_provider_declares_facts_and_a_coordinator_publishes_them_dated(client: Client) -> None:
    from django.utils import timezone

    org = f.organization(name="Hazel's Makers")
    provider = f.provider_user(org)
    client.force_login(provider)
    bad = client.post(reverse("directory:facts-edit", args=[org.pk]), {"senior_pay_ratio": "lots"})
    assert "Enter the pay ratio like 3:1" in bad.content.decode()
    client.post(
        reverse("directory:facts-edit", args=[org.pk]),
        {"legal_status": "Sole trader", "real_living_wage": "Yes", "senior_pay_ratio": "1:1"},
    )
    assert not TransparencyFact.objects.exists()  # waits for a coordinator
    client.force_login(f.user(Role.COORDINATOR))
    change = ListingChange.objects.get()
    page = client.get(reverse("directory:moderate-change", args=[change.pk])).content.decode()
    assert "Pays the Real Living Wage" in page and "Not known" in page
    client.post(reverse("directory:moderate-change", args=[change.pk]), {"decision": "publish"})
    facts = {t.fact: (t.value, t.confirmed_on) for t in TransparencyFact.objects.all()}
    today = timezone.localdate()
    assert facts == {
        "legal_status": ("Sole trader", today),
        "real_living_wage": ("Yes", today),
        "senior_pay_ratio": ("1:1", today),
    }


def test_coordinator_records_a_dated_check_shown_as_a_badge(client: Client) -> None:
    from directory.models import ProviderKind

    org = f.organization(provider_kind=ProviderKind.MICRO)
    client.force_login(f.user(Role.COORDINATOR))
    bad = client.post(
        reverse("directory:check-record", args=[org.pk]),
        {"check_name": "dbs", "confirmed_on": "2026-05-01", "expires_on": "2026-04-01"},
    )
    assert "The renewal date must be after the date confirmed" in bad.content.decode()
    client.post(
        reverse("directory:check-record", args=[org.pk]),
        {"check_name": "dbs", "confirmed_on": "2026-05-01", "expires_on": "2029-05-01"},
    )
    html = client.get(reverse("directory:organization", args=[org.pk])).content.decode()
    assert "DBS checks" in html and "confirmed 1 May 2026" in html and "renew by 1 May 2029" in html
    client.force_login(f.user(Role.PROVIDER))
    assert client.get(reverse("directory:check-record", args=[org.pk])).status_code == 403


def test_provider_adds_a_service_that_is_listed_only_once_published(client: Client) -> None:
    from directory.models import Service

    org = f.organization()
    client.force_login(f.provider_user(org))
    client.post(
        reverse("directory:listing-new", args=[org.pk]),
        {
            "name": "Tuesday tea dance",
            "description": "Dancing and tea for all ages, every Tuesday.",
        },
    )
    service = Service.objects.get(name="Tuesday tea dance")
    assert client.get(reverse("directory:service", args=[service.pk])).status_code == 404
    client.force_login(f.user(Role.COORDINATOR))
    client.post(
        reverse("directory:moderate-change", args=[ListingChange.objects.get().pk]),
        {"decision": "publish"},
    )
    assert client.get(reverse("directory:service", args=[service.pk])).status_code == 200
    assert (
        "Tuesday tea dance"
        in client.get(reverse("directory:search"), {"q": "dance"}).content.decode()
    )


# --- issue 11 ------------------------------------------------------------------------------------


def test_an_enquiry_to_a_service_with_line_breaks_in_its_name_is_sent(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """Finding 4: a line break in a service's name made every enquiry to it fail (a 500 after the
    enquiry was saved) because the name goes into the email's subject."""
    org = f.organization()
    svc = f.service(organization_=org)
    Service.objects.filter(pk=svc.pk).update(name="Lunch\nclub\r\nBcc: someone@example.org\r")
    provider = f.provider_user(org)
    client.force_login(f.user())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:enquire", args=[svc.pk]),
            {"subject": "Saturday\r\nplaces", "body": "Is there room on Saturday?"},
        )
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.subject == "Saturday places"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert provider.email in message.to and not message.bcc
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject == "New enquiry about Lunch club Bcc: someone@example.org"
    assert message.message()["Bcc"] is None


def test_a_provider_cannot_give_a_service_a_name_on_two_lines(client: Client) -> None:
    org = f.organization()
    svc = f.service(organization_=org, name="Old name")
    client.force_login(f.provider_user(org))
    data = {
        "name": "New\r\nname\x1b[31m",
        "description": "A long enough description\r\nof the service.\x07",
    }
    assert client.post(reverse("directory:listing-edit", args=[svc.pk]), data).status_code == 302
    proposed = ListingChange.objects.get().proposed
    assert proposed["name"] == "New name [31m"
    assert proposed["description"] == "A long enough description\nof the service."


def test_a_provider_description_has_a_sane_maximum_length(client: Client) -> None:
    org = f.organization()
    svc = f.service(organization_=org)
    client.force_login(f.provider_user(org))
    data = {"name": "Lunch club", "description": "Lunch for all. " * 2000}
    html = client.post(reverse("directory:listing-edit", args=[svc.pk]), data).content.decode()
    assert "Write 10,000 characters or fewer" in html
    assert not ListingChange.objects.exists()


def test_publishing_a_change_that_breaks_a_limit_is_refused_with_the_field(client: Client) -> None:
    """A change proposed before the limits (or by hand) is refused to the coordinator with the
    field to fix, not a 500."""
    org = f.organization()
    svc = f.service(organization_=org)
    change = ListingChange.objects.create(
        organization=org, service=svc, proposed={"description": "x" * 10_001}
    )
    client.force_login(f.user(Role.COORDINATOR))
    response = client.post(
        reverse("directory:moderate-change", args=[change.pk]), {"decision": "publish"}
    )
    assert response.status_code == 200
    assert "cannot be published as it is" in response.content.decode()
    change.refresh_from_db()
    assert change.state == ListingChange.State.PENDING


def test_services_and_organisations_with_slashes_in_their_ids_have_pages(client: Client) -> None:
    """Imported feeds keep their publishers' ids, slashes included: one such service made every
    search page that listed it a 500 (its link could not be made)."""
    org = f.organization(id="council/org/7")
    svc = f.service(id="council/svc/7", name="Slashed lunch club", organization_=org)
    search = client.get(reverse("directory:search"), {"q": "slashed"})
    assert search.status_code == 200
    url = reverse("directory:service", args=[svc.pk])
    assert url in search.content.decode()
    assert "Slashed lunch club" in client.get(url).content.decode()
    assert client.get(reverse("directory:organization", args=[org.pk])).status_code == 200
    client.force_login(f.user())
    assert client.get(reverse("directory:enquire", args=[svc.pk])).status_code == 200


def test_a_check_dated_year_1_or_9999_is_a_field_error(client: Client) -> None:
    org = f.organization()
    client.force_login(f.user(Role.COORDINATOR))
    html = client.post(
        reverse("directory:check-record", args=[org.pk]),
        {"check_name": "dbs", "confirmed_on": "0001-01-01", "expires_on": "9999-12-31"},
    ).content.decode()
    assert "Enter the date confirmed as a date from 1900 to 2099" in html
    assert "Enter the renewal date as a date from 1900 to 2099" in html
    assert not org.onboarding_checks.exists()
