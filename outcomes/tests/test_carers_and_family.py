"""Carers answer with the person's permission and say who is answering (ONS4 takes no proxy
answers; a proxy's view never counts in reports); family-led plans where a family member holds the
pen on their own account, end to end through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from budgets.models import CaseTeam
from directory.tests import factories as f
from outcomes import selectors
from outcomes.models import AnswerSet, Goal, Profile
from outcomes.services._common import OutcomesRefused
from outcomes.services.answers import record_answers
from outcomes.services.follow_ups import start_follow_up
from outcomes.services.record import pen_holder_writing
from outcomes.services.sharing import grant_helper, revoke_helper
from rules.outcomes import default_registry

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
ONS4 = {"life_satisfaction": "6", "worthwhile": "7", "happiness": "5", "anxiety": "3"}
# The measure file's own items (rules/outcomes/data), in its order.
SWEMWBS = default_registry().get("swemwbs").item_ids


@pytest.fixture
def pat() -> User:
    return f.user(username="pat", display_name="Pat")


@pytest.fixture
def cam(pat: User) -> User:
    carer = f.user(Role.CARER, username="cam", display_name="Cam")
    grant_helper(person=pat, actor=pat, identifier="cam")
    return carer


def answer_url(person: User, measure: str) -> str:
    return reverse("outcomes:answer", args=[person.pk, measure])


def test_carer_must_say_who_is_answering(client: Client, pat: User, cam: User) -> None:
    client.force_login(cam)
    page = client.get(answer_url(pat, "ons4")).content.decode()
    assert "Who is answering?" in page and "Pat is answering: I am recording their answers" in page
    html = client.post(answer_url(pat, "ons4"), {**ONS4, "answered_on": TODAY}).content.decode()
    assert 'id="id_answered_by-error"' in html
    assert "Say whether Pat is answering or you are answering for them" in html
    assert not AnswerSet.objects.exists()


def test_ons4_cannot_be_answered_by_a_proxy(client: Client, pat: User, cam: User) -> None:
    client.force_login(cam)
    page = client.get(answer_url(pat, "ons4")).content.decode()
    assert "I am answering for Pat" not in page
    html = client.post(
        answer_url(pat, "ons4"), {**ONS4, "answered_on": TODAY, "answered_by": "proxy"}
    ).content.decode()
    assert "must be answered by Pat themselves" in html
    with pytest.raises(OutcomesRefused) as refused:
        record_answers(
            person=pat,
            actor=cam,
            measure_id="ons4",
            answers={k: int(v) for k, v in ONS4.items()},
            answered_on=TODAY,
            answered_by="proxy",
        )
    assert refused.value.field == "answered_by"
    assert not AnswerSet.objects.exists()


def test_proxy_answers_are_shown_as_such_and_never_count_in_reports(
    client: Client, pat: User, cam: User
) -> None:
    Profile.objects.create(person=pat, counts_in_aggregates=True, service="Befriending")
    record_answers(
        person=pat,
        actor=pat,
        measure_id="swemwbs",
        answers=dict.fromkeys(SWEMWBS, 2),
        answered_on=TODAY - dt.timedelta(days=30),
    )
    client.force_login(cam)
    response = client.post(
        answer_url(pat, "swemwbs"),
        {**dict.fromkeys(SWEMWBS, "4"), "answered_on": TODAY, "answered_by": "proxy"},
    )
    assert response.status_code == 302
    proxy = AnswerSet.objects.get(answered_by="proxy")
    assert proxy.recorded_by == cam
    html = client.get(reverse("outcomes:measure", args=[pat.pk, "swemwbs"])).content.decode()
    assert "Cam, for them (not counted in reports)" in html
    # Pat has one answer of her own, so she is not measured (a pair needs two of hers).
    table = selectors.outcome_table("swemwbs", "service")
    assert table.total.stats is None or table.total.stats.measured == 0
    # Her own answers, recorded by Cam, do count.
    record_answers(
        person=pat,
        actor=cam,
        measure_id="swemwbs",
        answers=dict.fromkeys(SWEMWBS, 3),
        answered_on=TODAY,
        answered_by="with_help",
    )
    records = selectors.outcome_table("swemwbs", "service")
    assert records.excluded_without_consent == 0
    html = client.get(reverse("outcomes:measure", args=[pat.pk, "swemwbs"])).content.decode()
    assert "Pat, recorded by Cam" in html


def test_the_person_answering_is_always_the_person(pat: User) -> None:
    saved, _ = record_answers(
        person=pat,
        actor=pat,
        measure_id="ons4",
        answers={k: int(v) for k, v in ONS4.items()},
        answered_on=TODAY,
        answered_by="proxy",
    )
    assert saved.answered_by == "person"


def test_carer_reports_on_follow_up_saying_who_answered(
    client: Client, pat: User, cam: User
) -> None:
    team = CaseTeam.objects.create(name="Wellbeing team")
    coordinator = f.user(Role.COORDINATOR)
    follow_up = start_follow_up(
        person=pat,
        actor=coordinator,
        team=team,
        measure_id="ons4",
        value_id="life_satisfaction",
        threshold=__import__("decimal").Decimal("4"),
        reminder_days=14,
        response_days=2,
    )
    client.force_login(cam)
    url = reverse("outcomes:report", args=[pat.pk])
    html = client.post(url, {**ONS4, "answered_by": "proxy"}).content.decode()
    assert "must be answered by Pat themselves" in html
    assert not follow_up.reports.exists()
    assert client.post(url, {**ONS4, "answered_by": "with_help"}).status_code == 302
    assert AnswerSet.objects.get().answered_by == "with_help"


def test_family_member_holds_the_pen_on_their_own_account(client: Client, pat: User) -> None:
    sam = f.user(Role.CARER, username="sam", display_name="Sam")
    other = f.user(username="olly", display_name="Olly")
    client.force_login(pat)
    # Pat lets her daughter help, then makes the plan family-led with Sam holding the pen.
    client.post(reverse("outcomes:helpers", args=[pat.pk]), {"identifier": "sam"})
    family = reverse("outcomes:family", args=[pat.pk])
    assert "Yes: Sam" in client.get(family).content.decode()
    # Someone Pat has not let help cannot hold the pen on their account.
    html = client.post(
        family, {"family_led": "on", "pen_holder": "", "pen_holder_account": str(other.pk)}
    ).content.decode()
    assert "Choose one of the people listed" in html
    assert (
        client.post(
            family, {"family_led": "on", "pen_holder": "", "pen_holder_account": str(sam.pk)}
        ).status_code
        == 302
    )
    profile = Profile.objects.get(person=pat)
    assert profile.family_led and profile.pen_holder == "Sam"
    assert profile.pen_holder_account == sam
    assert (
        "Sam holds the pen"
        in client.get(reverse("outcomes:record", args=[pat.pk])).content.decode()
    )

    # Sam signs in, finds Pat, and writes a goal with her.
    client.force_login(sam)
    assert "Pat" in client.get(reverse("outcomes:home")).content.decode()
    new_goal = reverse("outcomes:goal-new", args=[pat.pk])
    assert "recorded as written by Sam" in client.get(new_goal).content.decode()
    response = client.post(
        new_goal,
        {
            "text": "Cook Sunday lunch together",
            "started_on": TODAY.isoformat(),
            "starting_score": "3",
            "step_1": "Choose a recipe",
            "step_1_supporter": "Sam",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert goal.written_by == "Sam" and goal.recorded_by == sam
    assert "written by Sam" in client.get(response["Location"]).content.decode()

    # A broker writing in the family-led plan is named as writing for the family.
    bea = f.user(Role.BROKER, display_name="Bea")
    assert pen_holder_writing(profile, bea) == "Bea, for Sam"

    # When Pat withdraws Sam's permission, Sam no longer holds the pen on her account.
    grant = selectors.helpers_of(pat).get(helper=sam)
    revoke_helper(grant=grant, actor=pat)
    assert Profile.objects.get(person=pat).pen_holder_account is None
    assert client.get(new_goal).status_code == 403


def test_family_led_plan_needs_a_pen_holder(client: Client, pat: User) -> None:
    client.force_login(pat)
    html = client.post(
        reverse("outcomes:family", args=[pat.pk]), {"family_led": "on", "pen_holder": " "}
    ).content.decode()
    assert "Say which family member holds the pen" in html
    assert not Profile.objects.filter(person=pat, family_led=True).exists()


def test_answers_again_can_be_for_the_plan_review(client: Client, pat: User) -> None:
    client.force_login(pat)
    url = answer_url(pat, "swemwbs")
    assert "Why now?" not in client.get(url).content.decode()  # the first time is the start
    client.post(url, {**dict.fromkeys(SWEMWBS, "3"), "answered_on": TODAY - dt.timedelta(days=9)})
    assert "For the support plan review" in client.get(url).content.decode()
    bad = client.post(
        url, {**dict.fromkeys(SWEMWBS, "4"), "answered_on": TODAY, "occasion": "whenever"}
    )
    assert "Choose one of the reasons listed" in bad.content.decode()
    client.post(url, {**dict.fromkeys(SWEMWBS, "4"), "answered_on": TODAY, "occasion": "review"})
    assert [a.occasion for a in AnswerSet.objects.order_by("answered_on")] == ["start", "review"]
    html = client.get(reverse("outcomes:measure", args=[pat.pk, "swemwbs"])).content.decode()
    assert "(plan review)" in html and "(start of support)" in html
