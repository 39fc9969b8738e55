"""Issue 13, the time bank: applications that mean something, approval from the application's own
page, no dead ends (offers lead to the member and "ask for this"; a request with no match says
what happens next), time shown as hours and minutes by one formatter, and the GOV.UK error
pattern on every time-bank form."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from directory.tests import factories as f
from timebank.models import Member, Offer, Request
from timebank.services.offers import create_offer, create_request
from timebank.services.rotas import create_rota
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "timebank"


# --- the GOV.UK error pattern --------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.inline: set[str] = set()
        self._title = False
        self._summary = 0
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "title":
            self._title = True
        if "govuk-error-summary__list" in classes:
            self._summary = 1
        elif self._summary and tag == "ul":
            self._summary += 1
        if self._summary and tag == "li":
            self.links.append("")
        if self._summary and tag == "a" and self.links:
            self.links[-1] = a.get("href", "")
        if "govuk-error-message" in classes:
            self.inline.add(a.get("id", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._title = False
        if self._summary and tag == "ul":
            self._summary -= 1

    def handle_data(self, data: str) -> None:
        if self._title:
            self.title += data


def assert_error_pattern(html: str, *fields: str) -> None:
    """ "Error:" in the title; every error in the summary links to a field on the page, which has
    its inline message; ``fields`` are among them."""
    page = _Page()
    page.feed(html)
    assert page.title.strip().startswith("Error:"), page.title
    assert page.links, "no error summary"
    for href in page.links:
        assert href.startswith("#"), f"an error in the summary does not link to its field: {href!r}"
        target = href[1:]
        assert target in page.ids, f"the summary links to #{target}, not on the page"
        field = re.sub(r"-0$", "", target)
        assert f"{field}-error" in page.inline, f"no inline error message for #{field}"
    for name in fields:
        assert any(h[1:].startswith(name) for h in page.links), (name, page.links)


def test_decline_form_follows_the_error_pattern(client: Client) -> None:
    applicant = tb.member(approved=False, name="Cy")
    client.force_login(tb.coordinator())
    page = client.post(reverse("timebank:member-decline", args=[applicant.pk]), {"reason": ""})
    assert page.status_code == 400
    assert_error_pattern(page.content.decode(), "id_reason")
    assert "Enter the reason" in page.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == Member.Status.APPLIED
    page = client.post(reverse("timebank:member-decline", args=[applicant.pk]), {"reason": "Moved"})
    assert page.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == Member.Status.DECLINED


def test_correction_form_follows_the_error_pattern(client: Client) -> None:
    coordinator = tb.coordinator()
    a, b = tb.member(by=coordinator), tb.member(by=coordinator)
    x = tb.exchange(a, b, 60)
    client.force_login(coordinator)
    page = client.post(reverse("timebank:exchange-reverse", args=[x.pk]), {"reason": ""})
    assert page.status_code == 400
    assert_error_pattern(page.content.decode(), "id_reason")


def test_refusals_of_the_service_are_shown_on_their_field(client: Client) -> None:
    coordinator = tb.coordinator()
    member = tb.member(by=coordinator, name="Alf")
    client.force_login(coordinator)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = client.post(
        reverse("timebank:check-new", args=[member.pk]),
        {"kind": "reference", "checked_on": f"{tomorrow:%d/%m/%Y}"},
    )
    assert_error_pattern(page.content.decode(), "id_checked_on")
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    rota = create_rota(
        coordinator=coordinator,
        title="Lift",
        weekday=0,
        start_time=timezone.now().time().replace(hour=9, minute=0, second=0, microsecond=0),
        duration_minutes=60,
        first_date=monday,
        end_date=monday + timedelta(weeks=2),
    )
    tuesday = monday + timedelta(days=1)
    page = client.post(
        reverse("timebank:rota", args=[rota.pk]),
        {"member": str(member.pk), "starting": f"{tuesday:%d/%m/%Y}", "every_weeks": "1"},
    )
    assert_error_pattern(page.content.decode(), "id_starting")
    page = client.get(reverse("timebank:reports"), {"from": "2026-02-30"})
    assert page.status_code == 400
    assert_error_pattern(page.content.decode(), "from")
    page = client.get(reverse("timebank:reports"), {"from": "2026-03-01", "to": "2026-02-01"})
    assert_error_pattern(page.content.decode(), "to")


def test_a_members_exchange_refused_by_the_service_is_shown_on_a_field(client: Client) -> None:
    coordinator = tb.coordinator()
    alf, bea, cy = (tb.member(by=coordinator, name=n) for n in ("Alf", "Bea", "Cy"))
    start = tb.at(-1, 10)
    tb.exchange(alf, bea, 120, start=start)
    client.force_login(cy.user)
    page = client.post(
        reverse("timebank:exchange-new"),
        {
            "direction": "received",
            "other": str(alf.pk),
            "day": f"{start:%d/%m/%Y}",
            "start": "11:00",
            "hours": "1",
            "minutes": "0",
            "key": "k1",
        },
    )
    assert "already has a confirmed exchange" in page.content.decode()
    assert_error_pattern(page.content.decode(), "id_other")


def test_credits_refused_by_the_service_are_shown_on_a_field(client: Client) -> None:
    coordinator = tb.coordinator()
    sam = tb.member(by=coordinator, name="Sam")
    museum = tb.member(by=coordinator, name="Museum", kind=Member.Kind.VENUE)
    client.force_login(sam.user)
    page = client.post(
        reverse("timebank:credits", args=["spend"]),
        {"member": str(museum.pk), "hours": "16", "minutes": "0", "reason": "Art", "key": "k"},
    )
    assert "limit" in page.content.decode()
    assert_error_pattern(page.content.decode(), "id_member")


# --- applications --------------------------------------------------------------------------------


def test_an_empty_application_is_refused_with_an_error_on_each_required_answer(
    client: Client,
) -> None:
    f.neighbourhood("Eastfield")
    person = f.user()
    client.force_login(person)
    page = client.post(reverse("timebank:join"), {"kind": "person"})
    html = page.content.decode()
    assert page.status_code == 200 and not Member.objects.filter(user=person).exists()
    assert "Enter what you could help with" in html and "Choose your neighbourhood" in html
    assert_error_pattern(html, "id_about", "id_neighbourhood")
    page = client.post(reverse("timebank:join"), {})
    assert_error_pattern(page.content.decode(), "id_kind")
    assert not Member.objects.filter(user=person).exists()


def test_applications_are_approved_from_their_own_page_showing_the_answers(client: Client) -> None:
    hood = f.neighbourhood("Eastfield")
    applicant = tb.member(
        approved=False,
        name="Cy",
        about="Gardening and dog walking",
        neighbourhood=hood,
        access_needs="Uses a wheelchair",
        availability=["tue-am"],
    )
    client.force_login(tb.coordinator())
    listing = client.get(reverse("timebank:coordinator")).content.decode()
    approve = reverse("timebank:member-approve", args=[applicant.pk])
    assert approve not in listing  # no one-click approval from the list
    assert reverse("timebank:member", args=[applicant.pk]) in listing
    assert "Review the application" in listing
    page = client.get(reverse("timebank:member", args=[applicant.pk])).content.decode()
    for answer in ("Gardening and dog walking", "Eastfield", "Uses a wheelchair", "Tuesday"):
        assert answer in page
    assert approve in page and "5 hours" in page
    assert client.post(approve).status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == Member.Status.APPROVED


# --- no dead ends --------------------------------------------------------------------------------


def test_offers_link_to_the_member_and_ask_for_this(
    client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    term = f.term("Getting about")
    coordinator = tb.coordinator()
    alf = tb.member(by=coordinator, name="Alf", access_needs="Private health note")
    bea = tb.member(by=coordinator, name="Bea")
    offer = create_offer(member=alf, title="Lifts in my car", category=term)
    client.force_login(bea.user)
    listing = client.get(reverse("timebank:offers")).content.decode()
    profile = reverse("timebank:profile", args=[alf.pk])
    ask = f"{reverse('timebank:request-new')}?offer={offer.pk}"
    assert profile in listing and ask.replace("&", "&amp;") in listing
    page = client.get(profile).content.decode()
    assert "Lifts in my car" in page and "Private health note" not in page
    assert alf.user.email not in page
    form = client.get(ask).content.decode()
    assert 'value="Lifts in my car"' in form and "Asking Alf" in form
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("timebank:request-new"),
            {"offer": str(offer.pk), "title": "Lifts in my car", "category": term.pk},
        )
    assert done.status_code == 302
    req = Request.objects.get(member=bea)
    assert [m.to for m in mail.outbox] == [[alf.user.email]]
    assert "Bea asked for your offer" in mail.outbox[0].subject
    assert reverse("timebank:request", args=[req.pk]) in mail.outbox[0].body


def test_a_profile_is_only_of_an_approved_member_and_only_for_members(client: Client) -> None:
    applicant = tb.member(approved=False)
    member = tb.member()
    client.force_login(member.user)
    assert client.get(reverse("timebank:profile", args=[applicant.pk])).status_code == 404
    client.force_login(f.user())
    assert client.get(reverse("timebank:profile", args=[member.pk])).status_code == 403


def test_a_request_with_no_match_says_what_happens_next_and_coordinators_are_told(
    client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    term = f.term("Gardening")
    coordinator = tb.coordinator()
    bea = tb.member(by=coordinator, name="Bea")
    client.force_login(bea.user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("timebank:request-new"),
            {"title": "Mow my lawn", "category": term.pk},
            follow=True,
        )
    html = page.content.decode()
    assert "Nobody matches this request yet" in html and "What happens next" in html
    assert "coordinators have been told" in html
    assert any(coordinator.email in m.to and "Mow my lawn" in m.subject for m in mail.outbox)


def test_a_matched_request_does_not_alert_coordinators(
    client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    term = f.term("Gardening")
    coordinator = tb.coordinator()
    alf, bea = tb.member(by=coordinator, name="Alf"), tb.member(by=coordinator, name="Bea")
    create_offer(member=alf, title="Gardening", category=term)
    client.force_login(bea.user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("timebank:request-new"), {"title": "Mow my lawn", "category": term.pk})
    assert not any("nobody matches" in m.subject.lower() for m in mail.outbox)


# --- hours and minutes ---------------------------------------------------------------------------

RAW_MINUTES = re.compile(r"\{\{[^}]*minutes[^}|]*\}\}|\{\{[^}]*\.hours\s*\}\}")


def test_no_template_prints_a_minute_count_without_the_formatter() -> None:
    found = [
        f"{path.name}: {m.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for m in RAW_MINUTES.finditer(path.read_text())
    ]
    assert not found, found


def test_pages_show_time_as_hours_and_minutes(client: Client) -> None:
    coordinator = tb.coordinator()
    alf, bea = tb.member(by=coordinator, name="Alf"), tb.member(by=coordinator, name="Bea")
    tb.exchange(alf, bea, 90, confirm=False)
    client.force_login(bea.user)
    home = client.get(reverse("timebank:home")).content.decode()
    assert "Alf gave Bea 1 hour 30 minutes" in home and "90 minutes" not in home
    statement = client.get(reverse("timebank:statement")).content.decode()
    assert "1 hour 30 minutes" in statement and "90 minutes" not in statement
    req = create_request(member=bea, title="Lift", category=None, minutes_per_week=150)
    page = client.get(reverse("timebank:request", args=[req.pk])).content.decode()
    assert "2 hours 30 minutes" in page and "150 minutes" not in page
    assert str(Offer) and "1 hour 30 minutes" in str(tb.exchange(alf, bea, 90))
