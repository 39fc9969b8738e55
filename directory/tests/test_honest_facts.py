"""Issue 12, "Honest facts" and "HTML descriptions": every fact the five answers rest on is
known-yes, known-no or not known, in the pages, the filters, the API and the export; nothing the
publisher did not give is stated. Checked on small records and on the real North Lincolnshire
feed imported whole."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from directory import facts, html
from directory.forms import ListingForm
from directory.models import CostOption, SearchEntry, Service
from directory.oruk.exporter import export_to
from directory.oruk.importer import run_import
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

NOT_KNOWN = "Not known — ask the provider"
# What the pages used to say when nobody had said anything.
INVENTED = [
    '<p class="govuk-body">Free.</p>',
    "Anyone. The provider has not said",
    "Personal budgets: not accepted",
    "Direct payments: not accepted",
    "Time credits: not accepted",
    "does not have a fixed place (for example",
    "Contact the provider for times",
]


def test_cost_is_free_only_when_the_provider_said_so() -> None:
    assert facts.cost_status([]) is None
    assert facts.cost_status([None]) is None
    assert facts.cost_status([Decimal("0")]) == "free"
    assert facts.cost_status([Decimal("0"), Decimal("5")]) == "paid"
    assert facts.cost_status([Decimal("0"), None]) is None


def test_a_place_is_not_known_unless_given_or_said_to_be_online_phone_or_home() -> None:
    assert facts.place_status(True, "") is True
    assert facts.place_status(False, "") is None
    assert facts.place_status(False, "Venue") is None
    assert facts.place_status(False, "Online") is False
    assert facts.place_status(False, "Phone, Home visit") is False


def test_a_service_with_nothing_said_shows_not_known_with_the_contact(client: Client) -> None:
    svc = f.service(name="Quiet walk")
    svc.eligibility_description = ""
    svc.email = "walks@example.org"
    svc.save()
    svc.schedules.all().delete()
    svc.service_at_locations.all().delete()
    svc.languages.all().delete()
    svc.cost_options.all().delete()
    page = client.get(reverse("directory:service", args=[svc.pk])).content.decode()
    for fact in ("who", "cost", "times", "place", "languages"):
        assert f'data-fact="{fact}"' in page, fact
    assert (
        f'{NOT_KNOWN} (<a class="govuk-link govuk-!-text-break-word" href="mailto:walks@example.org"'
        in page
    )
    for words in INVENTED:
        assert words not in page, words
    assert "Personal budgets: not known — ask the provider" in page
    assert "English" not in page


def test_known_answers_are_shown_as_given(client: Client) -> None:
    svc = f.service(name="Art", cost="0", accepts_personal_budgets=True)
    svc.accepts_direct_payments, svc.accepts_time_credits = False, None
    svc.save()
    page = client.get(reverse("directory:service", args=[svc.pk])).content.decode()
    assert "Personal budgets: accepted" in page
    assert "Direct payments: not accepted" in page
    assert "Time credits: not known — ask the provider" in page
    assert 'data-fact="cost"' not in page


def test_an_unknown_never_matches_a_filter(client: Client) -> None:
    f.service(name="Unknown cost")
    f.service(name="Said free", cost="0")
    f.service(name="Said paid", cost="4.00")
    page = client.get(reverse("directory:search"), {"price": "free"}).content.decode()
    assert "Said free" in page and "Unknown cost" not in page
    paid = client.get(reverse("directory:search"), {"price": "paid"}).content.decode()
    assert "Said paid" in paid and "Unknown cost" not in paid
    api = client.get("/api/oruk/services", {"price": "free"}).json()
    assert [s["name"] for s in api["contents"]] == ["Said free"]
    listing = client.get(reverse("directory:search")).content.decode()
    badges = re.findall(r"Unknown cost.*?</div>", listing, re.S)
    assert badges and ">Free<" not in badges[0]


def test_the_listing_form_asks_yes_no_or_not_known() -> None:
    form = ListingForm(
        data={
            "name": "Art club",
            "description": "Painting for everyone, every week.",
            "accepts_personal_budgets": "True",
            "accepts_direct_payments": "False",
            "accepts_time_credits": "",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["accepts_personal_budgets"] is True
    assert form.cleaned_data["accepts_direct_payments"] is False
    assert form.cleaned_data["accepts_time_credits"] is None
    assert re.search(r'value="" id="[^"]+" checked', str(ListingForm()["accepts_time_credits"]))


def test_html_is_cleaned_to_the_allow_list_and_shown_formatted(client: Client) -> None:
    svc = f.service(name="Markup")
    svc.description = (
        '<p>Hello&nbsp;there</p><ul><li>One</li></ul><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(1)">x</a><script>alert(2)</script><h1>Big</h1>'
    )
    svc.save()
    page = client.get(reverse("directory:service", args=[svc.pk])).content.decode()
    assert '<ul class="govuk-list govuk-list--bullet"><li>One</li></ul>' in page
    assert "&lt;p&gt;" not in page and "onerror" not in page and "alert(2)" not in page
    assert "javascript:" not in page and "<h1>Big" not in page
    assert html.plain_text(svc.description) == "Hello there\nOne\nx\nBig"
    results = client.get(reverse("directory:search"), {"q": "Markup"}).content.decode()
    assert "&lt;p&gt;" not in results and "nbsp" not in results


def test_plain_text_is_left_as_plain_text() -> None:
    assert html.plain_text("Tea & cake\nat 2pm") == "Tea & cake\nat 2pm"
    assert html.sanitise("Tea & cake") == "Tea & cake"
    assert not html.is_html("5 < 6 and 7 > 3")


# --- on the real feed ---------------------------------------------------------------------------


@pytest.fixture
def north_lincolnshire(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "directory" / "north_lincolnshire_oruk1_services_2024-12.json"
    if not path.is_file():
        pytest.skip("the North Lincolnshire feed is not in shared/")
    return path


def test_the_real_feed_imports_whole_and_states_nothing_it_was_not_given(
    client: Client, north_lincolnshire: Path, tmp_path: Path
) -> None:
    report, run = run_import([north_lincolnshire], feed="North Lincolnshire")
    records = json.loads(north_lincolnshire.read_text(encoding="utf-8"))
    # All 738 services, with a report and no silent loss.
    assert (report.created, report.failed) == (738, 0), report.errors
    assert report.exit_status in (0, 1) and run.created == 738
    assert Service.objects.filter(status=Service.Status.ACTIVE).count() == 738
    assert report.repaired > 0  # the www. addresses and the email with a trailing dot

    # Filters: the feed gives no prices or payment facts, so nothing matches them.
    assert not SearchEntry.objects.filter(tags__contains=" free ").exists()
    assert not SearchEntry.objects.filter(tags__contains=" pb ").exists()
    for params in ({"price": "free"}, {"personal_budgets": "true"}, {"time_credits": "true"}):
        assert client.get("/api/oruk/services", params).json()["total_items"] == 0, params
    assert (
        "0 services found"
        in client.get(reverse("directory:search"), {"price": "free"}).content.decode()
    )

    # The API leaves unknown facts out, never false; HTML is cleaned; audience kept.
    page = client.get("/api/oruk/services", {"per_page": 50}).json()
    for record in page["contents"]:
        assert not {"x_accepts_personal_budgets", "x_accepts_time_credits"} & record.keys()
        assert "<script" not in record.get("description", "")
    by_id = {r["id"]: r for r in records}
    with_audience = [r["id"] for r in records if r.get("pc_targetAudience")]
    assert Service.objects.filter(pk__in=with_audience, eligibility_description="").count() == 0
    priced = list(
        Service.objects.filter(description__contains="£").prefetch_related("cost_options")
    )
    assert len(priced) > 10 and all(s.cost_known() is None for s in priced)

    # Pages: no invented fact on any page of a sample, not-known shown with the contact.
    for service in Service.objects.order_by("pk")[::37]:
        html_page = client.get(reverse("directory:service", args=[service.pk])).content.decode()
        for words in INVENTED:
            assert words not in html_page, (service.pk, words)
        assert NOT_KNOWN in html_page
        assert "&lt;p&gt;" not in html_page and "&amp;nbsp;" not in html_page
        source = by_id[service.pk]
        if source.get("email"):
            assert "mailto:" in html_page
    for query in ("tai chi", "bowls", "films"):
        results = client.get(reverse("directory:search"), {"q": query}).content.decode()
        assert "service" in results and 'govuk-tag--blue">Free<' not in results

    # Search words are plain text.
    assert not Service.objects.filter(search_document__contains="nbsp").exists()
    assert not Service.objects.filter(search_document__contains="<p>").exists()

    # The export leaves unknown fields empty.
    out = tmp_path / "export.json"
    export_to(out)
    exported = json.loads(out.read_text(encoding="utf-8"))
    services = exported if isinstance(exported, list) else exported.get("contents", exported)
    text = json.dumps(services)
    assert '"x_accepts_personal_budgets": false' not in text
    assert '"languages": [{"name": "English"' not in text
    assert not CostOption.objects.exists()
