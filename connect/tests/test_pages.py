"""The pages issue 17 asks for, end to end through the views: a practice refers (an existing
account, or an invited one who sets a password), a person refers themselves, a service says
whether it takes referrals and its wait (shown where the link worker chooses), the person gives
ONS4 answers at both ends (in the summary only with consent), attendance, funding attached exactly
once, and reports that hide small numbers."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import User
from accounts.roles import Role
from connect import selectors
from connect.models import (
    CommunityPot,
    FundingAward,
    Invitation,
    OnwardReferral,
    Referral,
    ReferringOrganisation,
    WellbeingCheck,
)
from connect.services._common import ConnectError
from connect.services.consent import record_consent
from connect.services.funding import award_funding, pot_remaining_pence
from connect.services.invitations import find_or_invite_person
from connect.services.onward import answer_onward, refer_onward
from connect.services.referrals import make_referral
from directory.tests import factories as f

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db
ONS4_LOW = {"life_satisfaction": "3", "worthwhile": "4", "happiness": "2", "anxiety": "8"}
ONS4_HIGH = {"life_satisfaction": "7", "worthwhile": "7", "happiness": "6", "anxiety": "3"}


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world() -> dict[str, Any]:
    gp = f.user(Role.PERSON, email="reception@hill.example")
    practice = ReferringOrganisation.objects.create(name="Hill Street Surgery", kind="gp_practice")
    practice.staff.add(gp)
    person = f.user(Role.PERSON, display_name="Ada Lovelace", email="ada@example.org")
    worker = f.user(Role.LINK_WORKER, email="worker@example.org")
    org = f.organization()
    service = f.service(organization_=org, name="Lunch club")
    provider = f.provider_user(org)
    return {
        "gp": gp,
        "practice": practice,
        "person": person,
        "worker": worker,
        "service": service,
        "provider": provider,
    }


def _refer_form(world: dict[str, Any], **extra: str) -> dict[str, str]:
    data = {
        "referrer": str(world["practice"].pk),
        "name": "",
        "email": "ada@example.org",
        "reason": "Lonely since her husband died",
        "what_matters": "Gardening, SECRET-MATTERS",
        "share_back": "on",
        "onward": "on",
        "consent_on": timezone.localdate().isoformat(),
    }
    data.update(extra)
    return data


def test_practice_refers_an_existing_account_and_errors_say_how_to_fix(
    world: dict[str, Any],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    gp = _client(world["gp"])
    url = reverse("connect:refer")
    assert gp.get(url).status_code == 200
    assert _client(world["person"]).get(url).status_code == 403  # not staff of a practice
    r = gp.post(url, _refer_form(world, email="", reason=""))
    page = r.content.decode()
    assert r.status_code == 400
    assert "Enter the person&#x27;s email address, like name@example.com" in page
    assert "Enter the reason for the referral" in page
    r = gp.post(url, _refer_form(world, consent_on=""))
    assert "Enter the date the person gave consent" in r.content.decode()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = gp.post(url, _refer_form(world, consent_on=tomorrow))
    assert "must be today or earlier" in r.content.decode()
    assert not Referral.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert gp.post(url, _refer_form(world)).status_code == 302
    referral = Referral.objects.get()
    assert referral.person == world["person"] and referral.source == "gp_practice"
    assert referral.referring_organisation == world["practice"]
    assert (referral.consent_share_back, referral.consent_onward, referral.consent_outcomes) == (
        True,
        True,
        False,
    )
    assert referral.consent_recorded_on == timezone.localdate()
    assert [m.to for m in mailoutbox] == [["ada@example.org"]]
    assert not Invitation.objects.exists()
    assert "Hill Street Surgery" in gp.get(reverse("connect:sent")).content.decode()


def test_an_unknown_person_gets_an_invited_account_and_sets_a_password_once(
    world: dict[str, Any],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    gp = _client(world["gp"])
    form = _refer_form(world, email="new.person@example.org")
    r = gp.post(reverse("connect:refer"), form)
    assert "Enter the person&#x27;s name" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = gp.post(reverse("connect:refer"), {**form, "name": "Grace Hopper"})
    assert r.status_code == 302
    referral = Referral.objects.get()
    assert referral.person.get_full_name() == "Grace Hopper"
    assert not referral.person.has_usable_password()
    link = re.search(r"/connect/welcome/([^/\s]+)/", str(mailoutbox[0].body))
    assert link is not None
    url = reverse("connect:welcome", args=[link.group(1)])
    anonymous = Client()
    assert "Grace Hopper" in anonymous.get(url).content.decode()
    assert anonymous.post(url, {"password": "short"}).status_code == 400
    assert anonymous.post(url, {"password": "a long enough pass phrase"}).status_code == 302
    referral.person.refresh_from_db()
    assert referral.person.check_password("a long enough pass phrase")
    assert anonymous.get(reverse("connect:mine")).status_code == 200  # signed in
    assert Client().get(url).status_code == 404  # used: once only


def test_expired_invitation_is_refused(world: dict[str, Any]) -> None:
    person, token = find_or_invite_person(
        actor=world["gp"], name="Alan Turing", email="alan@example.org"
    )
    assert token is not None
    Invitation.objects.filter(person=person).update(expires_at=timezone.now())
    assert Client().get(reverse("connect:welcome", args=[token])).status_code == 404


def test_a_person_refers_themselves(world: dict[str, Any]) -> None:
    person = _client(world["person"])
    url = reverse("connect:refer_self")
    r = person.post(url, {"reason": ""})
    assert r.status_code == 400 and "Enter what you would like help with" in r.content.decode()
    assert person.post(url, {"reason": "I feel stuck at home", "onward": "on"}).status_code == 302
    referral = Referral.objects.get()
    assert referral.source == "self" and referral.person == world["person"]
    assert referral.consent_onward and not referral.consent_share_back
    assert referral.consent_recorded_on == timezone.localdate()


def test_the_service_sets_its_terms_and_the_link_worker_sees_them_when_choosing(
    world: dict[str, Any],
) -> None:
    service_id = world["service"].pk
    url = reverse("connect:terms_edit", args=[service_id])
    assert _client(world["worker"]).get(url).status_code == 403
    provider = _client(world["provider"])
    assert "Lunch club" in provider.get(reverse("connect:terms")).content.decode()
    r = provider.post(url, {"takes_referrals": "yes", "typical_wait_days": "366"})
    assert r.status_code == 400 and "365 days or fewer" in r.content.decode()
    assert (
        provider.post(url, {"takes_referrals": "yes", "typical_wait_days": "365"}).status_code
        == 302
    )
    assert (
        provider.post(url, {"takes_referrals": "yes", "typical_wait_days": "10"}).status_code == 302
    )
    terms = selectors.service_terms(service_id)
    assert terms is not None and terms.typical_wait_days == 10 and terms.takes_referrals

    referral = make_referral(
        actor=world["gp"],
        person=world["person"],
        source="gp_practice",
        organisation=world["practice"],
        reason="Lonely",
    )
    worker = _client(world["worker"])
    chooser = reverse("connect:onward_new", args=[referral.pk])
    page = worker.get(chooser).content.decode()
    assert "Lunch club" in page and "Taking referrals; typical wait 10 days" in page
    r = worker.post(chooser, {"service": service_id})
    assert r.status_code == 400 and "consent to onward referral" in r.content.decode()
    record_consent(
        actor=world["worker"], referral=referral, share_back=True, onward=True, outcomes=True
    )
    provider.post(url, {"takes_referrals": "no", "typical_wait_days": ""})
    page = worker.get(chooser + "?q=lunch").content.decode()
    assert "Not taking referrals at the moment" in page
    r = worker.post(chooser, {"service": service_id})
    assert r.status_code == 400 and "Choose a service from the list" in r.content.decode()
    provider.post(url, {"takes_referrals": "yes", "typical_wait_days": ""})
    assert "typical wait not known" in worker.get(chooser).content.decode()
    assert worker.post(chooser, {"service": service_id}).status_code == 302
    assert OnwardReferral.objects.get().service_id == service_id


def _onward_accepted(world: dict[str, Any]) -> tuple[Referral, OnwardReferral]:
    referral = make_referral(
        actor=world["gp"],
        person=world["person"],
        source="gp_practice",
        organisation=world["practice"],
        reason="SECRET-REASON lonely",
        what_matters="SECRET-MATTERS gardening",
    )
    record_consent(
        actor=world["worker"], referral=referral, share_back=True, onward=True, outcomes=False
    )
    onward = refer_onward(actor=world["worker"], referral=referral, service_id=world["service"].pk)
    answer_onward(actor=world["provider"], onward=onward, accept=True)
    return referral, onward


def test_attendance_is_recorded_by_the_service_or_link_worker_only(world: dict[str, Any]) -> None:
    _referral, onward = _onward_accepted(world)
    url = reverse("connect:attended", args=[onward.pk])
    today = timezone.localdate().isoformat()
    assert _client(world["gp"]).post(url, {"on": today}).status_code == 403
    assert _client(world["provider"]).post(url, {"on": today}).status_code == 302
    onward.refresh_from_db()
    assert onward.status == "attended" and onward.attended_on == timezone.localdate()


def _answer(
    client: Client, referral: Referral, stage: str, answers: dict[str, str]
) -> _MonkeyPatchedWSGIResponse:
    return client.post(
        reverse("connect:wellbeing", args=[referral.pk, stage]),
        {**answers, "answered_on": timezone.localdate().isoformat()},
    )


def test_wellbeing_at_both_ends_goes_back_only_with_consent(world: dict[str, Any]) -> None:
    referral, _onward = _onward_accepted(world)
    person = _client(world["person"])
    # A link worker who does not hold the referral cannot record answers (the one who does may,
    # with help: test_wellbeing_with_help.py).
    stranger = f.user(Role.LINK_WORKER, email="stranger@example.org")
    assert _answer(_client(stranger), referral, "first_conversation", ONS4_LOW).status_code == 403
    r = _answer(person, referral, "closing", ONS4_HIGH)
    assert "Answer the first conversation questions first" in r.content.decode()
    r = _answer(person, referral, "first_conversation", {**ONS4_LOW, "anxiety": ""})
    assert r.status_code == 400 and "Anxiety yesterday" in r.content.decode()
    assert _answer(person, referral, "first_conversation", ONS4_LOW).status_code == 302
    assert (
        "already recorded"
        in _answer(person, referral, "first_conversation", ONS4_LOW).content.decode()
    )
    assert _answer(person, referral, "closing", ONS4_HIGH).status_code == 302
    assert WellbeingCheck.objects.filter(referral=referral).count() == 2

    referral.refresh_from_db()
    back = selectors.message_back(referral)
    assert "outcome_measures" not in back  # shared back, but not the scores: not agreed
    assert "SECRET-MATTERS" in json.dumps(back)
    record_consent(
        actor=world["worker"], referral=referral, share_back=True, onward=True, outcomes=True
    )
    referral.refresh_from_db()
    measures = selectors.message_back(referral)["outcome_measures"]
    assert measures[0]["when"].startswith("At the first conversation")
    assert "Life satisfaction: 3 out of 10" in measures[0]["result"]
    assert "Life satisfaction: 7 out of 10" in measures[1]["result"]
    page = _client(world["worker"]).get(reverse("connect:referral", args=[referral.pk]))
    assert "At closing" in page.content.decode()


def _pot(**fields: Any) -> CommunityPot:
    fields.setdefault("name", "Northgate community pot")
    fields.setdefault("kind", CommunityPot.Kind.MONEY)
    return CommunityPot.objects.create(**fields)


def test_a_micro_grant_is_posted_once_even_if_the_form_is_sent_twice(world: dict[str, Any]) -> None:
    referral, _onward = _onward_accepted(world)
    pot = _pot(total_pence=5000, max_award_pence=4000)
    worker = _client(world["worker"])
    url = reverse("connect:funding", args=[referral.pk])
    key = re.search(r'name="key" value="([0-9a-f]+)"', worker.get(url).content.decode())
    assert key is not None
    form = {"key": key.group(1), "pot": pot.pk, "amount": "40.00", "purpose": "Art materials"}
    assert worker.post(url, form).status_code == 302
    assert worker.post(url, form).status_code == 302  # the double submit
    assert FundingAward.objects.count() == 1
    assert pot_remaining_pence(pot) == 1000
    r = worker.post(url, {**form, "key": "a" * 32, "amount": "10.01"})
    assert r.status_code == 400 and "has £10.00 left" in r.content.decode()
    assert worker.post(url, {**form, "key": "b" * 32, "amount": "10.00"}).status_code == 302
    assert pot_remaining_pence(pot) == 0
    r = worker.post(url, {**form, "key": "c" * 32, "amount": ""})
    assert "Enter the amount in pounds and pence" in r.content.decode()
    # Someone who is not a link worker cannot attach funding.
    assert _client(world["gp"]).post(url, form).status_code == 403


def test_time_credits_are_issued_once_through_the_time_bank(world: dict[str, Any]) -> None:
    from timebank import selectors as tb_selectors
    from timebank import services as tb
    from timebank.tests import factories as tbf

    referral, _onward = _onward_accepted(world)
    coordinator = f.user(Role.COORDINATOR)
    issuer = tbf.member(kind="group", name="Northgate Time Bank", by=coordinator)
    pot = _pot(
        kind=CommunityPot.Kind.TIME_CREDITS, timebank_issuer_id=issuer.pk, max_award_minutes=600
    )
    with pytest.raises(ConnectError, match="not an approved time bank member"):
        award_funding(
            actor=coordinator,
            referral=referral,
            pot=pot,
            purpose="Gardening group",
            key="k1",
            hours=5,
        )
    member = tb.apply_to_join(user=world["person"], kind="person", name="Ada")
    tb.approve_member(coordinator=coordinator, member=member)
    start = tb_selectors.balance_of(member)  # any welcome credits the time bank gives
    # A link worker who cannot issue this organisation's credits is told so; nothing is posted.
    with pytest.raises(ConnectError, match="Only the organisation, or a coordinator"):
        award_funding(
            actor=world["worker"],
            referral=referral,
            pot=pot,
            purpose="Gardening group",
            key="k2",
            hours=5,
        )
    with pytest.raises(ConnectError, match="at most 10 hours"):
        award_funding(
            actor=coordinator,
            referral=referral,
            pot=pot,
            purpose="Gardening group",
            key="k3",
            hours=11,
        )
    first, created = award_funding(
        actor=coordinator, referral=referral, pot=pot, purpose="Gardening group", key="k4", hours=10
    )
    again, created_again = award_funding(
        actor=coordinator, referral=referral, pot=pot, purpose="Gardening group", key="k4", hours=10
    )
    assert created and not created_again and first.pk == again.pk
    member.refresh_from_db()
    assert tb_selectors.balance_of(member) - start == 600
    assert FundingAward.objects.get().minutes == 600


def test_reports_hide_small_numbers(world: dict[str, Any]) -> None:
    for _ in range(4):
        make_referral(
            actor=world["gp"],
            person=f.user(Role.PERSON),
            source="gp_practice",
            organisation=world["practice"],
            reason="x",
        )
    worker = _client(world["worker"])
    url = reverse("connect:reports")
    assert _client(world["gp"]).get(url).status_code == 403
    page = worker.get(url).content.decode()
    assert "Hill Street Surgery" in page and "Hidden" in page and ">4<" not in page
    make_referral(
        actor=world["gp"],
        person=f.user(Role.PERSON),
        source="gp_practice",
        organisation=world["practice"],
        reason="x",
    )
    page = worker.get(url).content.decode()
    assert ">5<" in page
    assert worker.get(url + "?by=service").status_code == 200
    assert worker.get(url + "?by=link_worker").status_code == 200


def test_erasure_keeps_the_pot_adding_up(world: dict[str, Any]) -> None:
    from connect import personal_data

    referral, _onward = _onward_accepted(world)
    pot = _pot(total_pence=5000)
    award_funding(
        actor=world["worker"], referral=referral, pot=pot, purpose="Art", key="k1", amount="20"
    )
    _answer(_client(world["person"]), referral, "first_conversation", ONS4_LOW)
    exported = personal_data.export(world["person"])["referrals"][0]
    assert exported["funding"][0]["amount"] == "£20.00"
    assert exported["wellbeing_answered"][0]["stage"] == "At the first conversation"
    personal_data.erase(world["person"])
    assert not Referral.objects.exists() and not WellbeingCheck.objects.exists()
    assert FundingAward.objects.get().referral is None
    assert pot_remaining_pence(pot) == 3000
