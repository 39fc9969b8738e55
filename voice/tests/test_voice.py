import datetime as dt
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories
from rules.voice import DEFAULT_CLOCKS
from voice import selectors
from voice.models import Change, Feedback, Team
from voice.services import moderation as moderation_services
from voice.services import responses as responses_services
from voice.services._common import VoiceRefused
from voice.services.changes import verify_change
from voice.services.clocks import clock_for, escalate_overdue
from voice.services.feedback import submit_feedback

pytestmark = pytest.mark.django_db

SECRET_NAME = "Carla Carer-Secret"


def _at(y: int, m: int, d: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, 10, 0))


@pytest.fixture
def setup() -> dict[str, Any]:
    org = factories.organization(name="Riverside Care")
    svc = factories.service(organization_=org, name="Riverside Day Centre")
    provider = factories.provider_user(org)
    moderator = factories.user(Role.MODERATOR, username="mod", email="mod@example.com")
    carer = factories.user(
        Role.CARER,
        username="carer",
        first_name="Carla",
        last_name="Carer-Secret",
        email="c@example.com",
    )
    return {"org": org, "svc": svc, "provider": provider, "moderator": moderator, "carer": carer}


def _submit(
    s: dict[str, Any],
    identity: str = Feedback.Identity.HIDDEN,
    author: User | None = None,
    now: dt.datetime | None = None,
    kind: str = "complaint",
) -> Feedback:
    return submit_feedback(
        about="service",
        service_id=str(s["svc"].pk),
        kind=kind,
        given_as="carer",
        text=f"My mum was left waiting. {SECRET_NAME} lives at 1 Secret Road.",
        identity=identity,
        name=SECRET_NAME if identity != Feedback.Identity.ANONYMOUS else "",
        author=author,
        now=now,
    )


def _publish(s: dict[str, Any], feedback: Feedback) -> Feedback:
    return moderation_services.moderate(
        feedback=feedback,
        moderator=s["moderator"],
        decision="published",
        reason="Removed name and address",
        published_text="My relative was left waiting.",
        themes="Waiting, dignity",
    )


def test_wizard_one_question_per_page_without_account(setup: dict[str, Any]) -> None:
    c = Client()
    r = c.get(reverse("voice:start") + f"?service={setup['svc'].pk}")
    assert r.status_code == 302 and r["Location"].endswith("/give/kind/")
    r = c.post(r["Location"], {})
    assert r.status_code == 400
    assert (
        b"Select what kind of feedback this is" in r.content and b"govuk-error-summary" in r.content
    )
    assert c.post(reverse("voice:give", args=["kind"]), {"kind": "complaint"})["Location"].endswith(
        "/given-as/"
    )
    assert c.post(reverse("voice:give", args=["given-as"]), {"given_as": "carer"})[
        "Location"
    ].endswith("/text/")
    assert c.post(reverse("voice:give", args=["text"]), {"text": "Left waiting"})[
        "Location"
    ].endswith("/identity/")
    r = c.post(reverse("voice:give", args=["identity"]), {"identity": "hidden"})
    assert r["Location"].endswith("/contact/")
    r = c.post(r["Location"], {"name": "", "email": "bad"})
    assert (
        r.status_code == 400 and b"Enter your name" in r.content and b"correct format" in r.content
    )
    r = c.post(
        reverse("voice:give", args=["contact"]), {"name": SECRET_NAME, "email": "c@example.com"}
    )
    assert r["Location"].endswith("/check/")
    assert b"Riverside Day Centre" in c.get(r["Location"]).content
    r = c.post(reverse("voice:give", args=["check"]))
    assert r.status_code == 302
    feedback = Feedback.objects.get()
    assert (
        feedback.identity == "hidden" and feedback.name == SECRET_NAME and feedback.author is None
    )
    assert feedback.organization_id == str(setup["org"].pk)


def test_wizard_skipping_ahead_goes_back_to_first_unanswered(setup: dict[str, Any]) -> None:
    c = Client()
    c.get(reverse("voice:start"))
    r = c.get(reverse("voice:give", args=["text"]))
    assert r.status_code == 302 and r["Location"].endswith("/give/about/")


def test_wizard_team_and_other_topics(setup: dict[str, Any]) -> None:
    Team.objects.create(name="Adult social care front door", slug="front-door")
    c = Client()
    c.get(reverse("voice:start"))
    assert c.post(reverse("voice:give", args=["about"]), {"about": "team"})["Location"].endswith(
        "/team/"
    )
    r = c.post(reverse("voice:give", args=["team"]), {"team": "999"})
    assert r.status_code == 400 and b"Select a council team" in r.content
    c.post(reverse("voice:give", args=["about"]), {"about": "other"})
    r = c.get(reverse("voice:give", args=["topic"]))
    assert r.status_code == 200


def test_unknown_service_name_is_explained(setup: dict[str, Any]) -> None:
    c = Client()
    c.get(reverse("voice:start"))
    c.post(reverse("voice:give", args=["about"]), {"about": "service"})
    r = c.post(reverse("voice:give", args=["service"]), {"service_name": "Nowhere"})
    assert (
        r.status_code == 400 and "could not find a service called ‘Nowhere’".encode() in r.content
    )
    r = c.post(reverse("voice:give", args=["service"]), {"service_name": "riverside day centre"})
    assert r["Location"].endswith("/kind/")


def test_staff_enter_phone_feedback_with_source(setup: dict[str, Any]) -> None:
    coordinator = factories.user(Role.COORDINATOR, username="coord")
    c = Client()
    c.force_login(coordinator)
    r = c.get(reverse("voice:start") + "?staff=1")
    assert r["Location"].endswith("/give/source/")
    c.post(r["Location"], {"source": "phone"})
    c.post(reverse("voice:give", args=["about"]), {"about": "other"})
    c.post(
        reverse("voice:give", args=["topic"]),
        {"topic": "assessment", "topic_text": "March assessment"},
    )
    c.post(reverse("voice:give", args=["kind"]), {"kind": "concern"})
    c.post(reverse("voice:give", args=["given-as"]), {"given_as": "advocate"})
    c.post(reverse("voice:give", args=["text"]), {"text": "Took too long"})
    c.post(reverse("voice:give", args=["identity"]), {"identity": "anonymous"})
    c.post(reverse("voice:give", args=["check"]))
    f = Feedback.objects.get()
    assert f.source == "phone" and f.entered_by == coordinator and f.author is None
    assert f.given_as == "advocate" and f.subject_name == "An assessment: March assessment"


def test_a_person_cannot_claim_phone_source() -> None:
    with pytest.raises(VoiceRefused):
        submit_feedback(
            about="other",
            topic="other",
            kind="idea",
            given_as="self",
            text="x",
            identity="anonymous",
            source="phone",
        )


def test_moderation_only_by_moderators_and_audited(setup: dict[str, Any]) -> None:
    f = _submit(setup)
    for role in [r for r in Role if r != Role.MODERATOR]:
        user = factories.user(role, username=f"u-{role}")
        c = Client()
        c.force_login(user)
        assert c.get(reverse("voice:moderation")).status_code == 403
        assert (
            c.post(
                reverse("voice:moderate", args=[f.reference]),
                {"decision": "declined", "reason": "x"},
            ).status_code
            == 403
        )
    c = Client()
    c.force_login(setup["moderator"])
    r = c.post(reverse("voice:moderate", args=[f.reference]), {"decision": "published"})
    assert r.status_code == 400 and b"Enter the reason for your decision" in r.content
    r = c.post(
        reverse("voice:moderate", args=[f.reference]),
        {
            "decision": "published",
            "reason": "Removed name",
            "published_text": "Left waiting.",
            "themes": "Waiting",
        },
    )
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.moderation == "published" and f.published_text == "Left waiting."
    assert SECRET_NAME in f.text  # the original is kept for moderators
    assert AuditEvent.objects.filter(
        action="update", object_id=str(f.pk), summary__startswith="Voice moderation: Published"
    ).exists()
    page = Client().get(reverse("voice:service-stories", args=[setup["svc"].pk]))
    assert b"Left waiting." in page.content and SECRET_NAME.encode() not in page.content


def test_published_story_cannot_be_changed_by_any_role(setup: dict[str, Any]) -> None:
    f = _publish(setup, _submit(setup))
    for role in Role:
        user = factories.user(role, username=f"v-{role}")
        c = Client()
        c.force_login(user)
        c.post(
            reverse("voice:moderate", args=[f.reference]),
            {"decision": "declined", "reason": "hide", "published_text": "edited"},
        )
        c.post(
            reverse("voice:respond", args=[f.reference]),
            {"action": "respond", "text": "ok", "published_text": "edited"},
        )
        f.refresh_from_db()
        assert (
            f.moderation == "published" and f.published_text == "My relative was left waiting."
        ), role
    with pytest.raises(VoiceRefused):
        moderation_services.moderate(
            feedback=f, moderator=setup["moderator"], decision="declined", reason="x"
        )
    assert Client().get(reverse("voice:story", args=[f.reference])).status_code == 200


@pytest.mark.parametrize("identity", ["hidden", "anonymous"])
def test_withheld_identity_seen_by_nobody_outside_moderation(
    setup: dict[str, Any], identity: str
) -> None:
    f = _publish(setup, _submit(setup, identity=identity, author=setup["carer"]))
    pages = [
        reverse("voice:story", args=[f.reference]),
        reverse("voice:service-stories", args=[setup["svc"].pk]),
        reverse("voice:respond", args=[f.reference]),
        reverse("voice:responder"),
        reverse("voice:board"),
        reverse("voice:statistics"),
        reverse("voice:overdue"),
        reverse("voice:moderate", args=[f.reference]),
    ]
    viewers = [
        factories.user(role, username=f"w-{role}") for role in Role if role != Role.MODERATOR
    ]
    viewers.append(setup["provider"])
    for viewer in viewers:
        c = Client()
        c.force_login(viewer)
        assert selectors.identity_for(f, viewer) == "Withheld"
        for page in pages:
            content = c.get(page).content.decode()
            assert "Carer-Secret" not in content, (viewer, page)
    assert "Carer-Secret" not in Client().get(pages[0]).content.decode()
    c = Client()
    c.force_login(setup["moderator"])
    assert "Carer-Secret" in c.get(reverse("voice:moderate", args=[f.reference])).content.decode()


def test_named_feedback_shows_name_to_the_provider(setup: dict[str, Any]) -> None:
    f = _publish(setup, _submit(setup, identity="named"))
    assert selectors.identity_for(f, setup["provider"]) == SECRET_NAME


def test_provider_acknowledges_and_responds_with_a_promise_and_carer_confirms(
    setup: dict[str, Any],
) -> None:
    f = _publish(setup, _submit(setup, author=setup["carer"]))
    c = Client()
    c.force_login(setup["provider"])
    assert f.reference.encode() in c.get(reverse("voice:responder")).content
    r = c.post(reverse("voice:respond", args=[f.reference]), {"action": "acknowledge", "text": ""})
    assert r.status_code == 400 and b"Enter your acknowledgement" in r.content
    c.post(
        reverse("voice:respond", args=[f.reference]),
        {"action": "acknowledge", "text": "Thank you, we are looking into it"},
    )
    c.post(
        reverse("voice:respond", args=[f.reference]),
        {
            "action": "respond",
            "text": "We are sorry.",
            "change": "A second receptionist at lunchtime",
        },
    )
    f.refresh_from_db()
    assert f.acknowledged_at and f.responded_at
    change = Change.objects.get()
    assert change.state == "promised"
    # Nobody else can confirm
    other = Client()
    other.force_login(setup["provider"])
    assert other.post(reverse("voice:confirm-change", args=[change.pk])).status_code == 403
    carer = Client()
    carer.force_login(setup["carer"])
    assert b"A second receptionist" in carer.get(reverse("voice:yours")).content
    carer.post(reverse("voice:confirm-change", args=[change.pk]))
    change.refresh_from_db()
    assert change.state == "made" and change.confirmed_by_author
    board = Client().get(reverse("voice:board")).content.decode()
    assert "A second receptionist" in board and "Change made" in board


def test_anonymous_change_verified_by_moderator_with_evidence(setup: dict[str, Any]) -> None:
    f = _publish(setup, _submit(setup, identity="anonymous"))
    responses_services.respond(feedback=f, user=setup["provider"], text="Sorry", change="New rota")
    change = Change.objects.get()
    with pytest.raises(VoiceRefused):
        verify_change(change=change, moderator=setup["provider"], evidence="trust me")
    c = Client()
    c.force_login(setup["moderator"])
    r = c.post(reverse("voice:verify-change", args=[change.pk]), {"evidence": ""})
    assert r.status_code == 400
    c.post(
        reverse("voice:verify-change", args=[change.pk]), {"evidence": "Saw the new rota on 1 Dec"}
    )
    change.refresh_from_db()
    assert change.state == "made" and change.verified_by == setup["moderator"]


def test_provider_of_another_organisation_cannot_respond(setup: dict[str, Any]) -> None:
    f = _publish(setup, _submit(setup))
    other = factories.provider_user(factories.organization(name="Other"))
    c = Client()
    c.force_login(other)
    assert c.get(reverse("voice:respond", args=[f.reference])).status_code == 403


def test_deadlines_across_christmas(setup: dict[str, Any]) -> None:
    # Wed 23 Dec 2026: 3 working days skip 25 (Fri) and 28 (Boxing Day substitute)
    f = _submit(setup, now=_at(2026, 12, 23))
    assert f.acknowledge_by == dt.date(2026, 12, 30)
    assert f.respond_by == dt.date(2027, 1, 14)


def test_overdue_with_a_frozen_today_escalates_and_shows_publicly(
    setup: dict[str, Any],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    commissioner = factories.user(Role.COMMISSIONER, username="comm", email="comm@example.com")
    f = _publish(setup, _submit(setup, now=_at(2026, 11, 2)))  # Monday; ack by Thu 5 Nov
    assert selectors.overdue(dt.date(2026, 11, 5)) == []
    assert selectors.overdue(dt.date(2026, 11, 6)) == [f]
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(dt.date(2026, 11, 6)) == [f]
    assert escalate_overdue(dt.date(2026, 11, 6)) == []  # once
    f.refresh_from_db()
    assert f.escalated_at is not None
    assert any("comm@example.com" in m.to for m in mailoutbox)
    assert selectors.status_of(f, dt.date(2026, 11, 6)) == "Overdue"
    ack, resp = selectors.response_figures(
        organization_id=str(setup["org"].pk), today=dt.date(2026, 11, 6)
    )
    assert (ack.due, ack.on_time, ack.overdue) == (1, 0, 1)
    assert resp.due == 0  # the response clock is counted separately
    c = Client()
    c.force_login(commissioner)
    assert f.reference.encode() in c.get(reverse("voice:overdue")).content
    assert b"Overdue" in Client().get(reverse("voice:story", args=[f.reference])).content


def test_figures_count_acknowledgement_and_response_separately(setup: dict[str, Any]) -> None:
    f = _publish(setup, _submit(setup, now=_at(2026, 11, 30)))
    responses_services.acknowledge(
        feedback=f, user=setup["provider"], text="Thanks", now=_at(2026, 12, 1)
    )
    responses_services.respond(feedback=f, user=setup["provider"], text="Done", now=_at(2027, 1, 5))
    ack, resp = selectors.response_figures(
        organization_id=str(setup["org"].pk), today=dt.date(2027, 1, 6)
    )
    assert (ack.due, ack.on_time, ack.median_days, ack.share_on_time) == (1, 1, 1, 100)
    assert (resp.due, resp.on_time, resp.share_on_time) == (1, 0, 0)


def test_public_pages_work_without_account(setup: dict[str, Any]) -> None:
    _publish(setup, _submit(setup))
    c = Client()
    for name in ["voice:home", "voice:board", "voice:statistics"]:
        assert c.get(reverse(name)).status_code == 200
    assert c.get(reverse("voice:moderation")).status_code == 302


def test_area_clocks_replace_the_defaults_for_the_kinds_they_set(
    setup: dict[str, Any], settings: Settings
) -> None:
    monday = _at(2026, 11, 30)
    settings.VOICE_CLOCK_AREA = ""
    idea = _submit(setup, kind="idea", now=monday)
    assert idea.acknowledge_by == dt.date(2026, 12, 7)  # default 5 working days
    settings.VOICE_CLOCK_AREA = "demo"  # the demo borough: ideas 2 + 10
    idea = _submit(setup, kind="idea", now=monday)
    assert idea.acknowledge_by == dt.date(2026, 12, 2)
    assert idea.respond_by == dt.date(2026, 12, 16)
    complaint = _submit(setup, kind="complaint", now=monday)
    assert complaint.acknowledge_by == dt.date(2026, 12, 3)  # statutory default kept
    page = Client().get(reverse("voice:statistics")).content.decode()
    assert "Demo borough (fictional) sets its own deadlines" in page
    assert "Acknowledge within 2, respond within 10 more" in page
    settings.VOICE_CLOCK_AREA = "nowhere"  # not listed: the defaults
    assert clock_for("idea") == DEFAULT_CLOCKS["idea"]
