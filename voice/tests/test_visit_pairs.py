"""Experts by experience visit in pairs: the lead pairs two of a check's experts for a visit on a
date to a place or part of the service. Refused: one person with themselves, anyone not on the
check, an expert whose training is dated after the visit (the boundary: the training day itself
is allowed). Pairs show on the manage page, are audited, and are covered by export and erasure."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.services import erase_person, export_personal_data
from directory.tests import factories
from timebank.tests import factories as tb
from voice import selectors
from voice.models import CheckExpert, VisitPair
from voice.services._common import VoiceRefused
from voice.services.experts import add_expert
from voice.services.visits import record_visit_pair
from voice.tests.test_quality_checks import plan, train

pytestmark = pytest.mark.django_db

TRAINED = dt.date(2026, 1, 15)  # every expert in the fixture finished training on this day


@pytest.fixture
def s() -> dict[str, Any]:
    org = factories.organization(name="Riverside Care")
    svc = factories.service(organization_=org, name="Riverside Day Centre")
    moderator = factories.user(Role.MODERATOR, username="mod")
    coordinator = tb.coordinator()
    experts = [tb.member(by=coordinator, name=f"Expert {n}").user for n in range(4)]
    for person in experts:
        train(moderator, person, on=TRAINED)
    data = {
        "org": org,
        "svc": svc,
        "moderator": moderator,
        "voice_org": tb.member(kind="group", name="Borough Voice", by=coordinator),
        "experts": experts,
    }
    check = plan(data)
    for person in experts[:3]:
        add_expert(lead=moderator, check=check, who=person.username, reward="none")
    data["check"] = check
    data["places"] = list(check.experts.order_by("label"))  # Expert A, B, C
    return data


def pair(
    s: dict[str, Any],
    first: CheckExpert,
    second: CheckExpert,
    visit_on: dt.date = dt.date(2026, 11, 10),
    place: str = "Day room and lunch",
) -> VisitPair:
    return record_visit_pair(
        lead=s["moderator"],
        check=s["check"],
        first=first.pk,
        second=second.pk,
        visit_on=visit_on,
        place=place,
    )


def name(place: CheckExpert) -> str:
    assert place.expert is not None
    return place.expert.get_full_name() or place.expert.username


def refusal(s: dict[str, Any], *args: Any, **kw: Any) -> VoiceRefused:
    with pytest.raises(VoiceRefused) as raised:
        pair(s, *args, **kw)
    return raised.value


def test_pair_recorded_and_audited_for_both_experts(s: dict[str, Any]) -> None:
    a, b, _ = s["places"]
    recorded = pair(s, b, a)
    assert (recorded.first, recorded.second) == (a, b)  # kept in one order
    assert recorded.visit_on == dt.date(2026, 11, 10) and recorded.place == "Day room and lunch"
    events = AuditEvent.objects.filter(object_type="voice.visitpair", object_id=str(recorded.pk))
    assert sorted(str(e.subject_id) for e in events) == sorted([str(a.expert_id), str(b.expert_id)])
    assert all(e.actor == s["moderator"] for e in events)


def test_same_person_twice_refused(s: dict[str, Any]) -> None:
    a = s["places"][0]
    refused = refusal(s, a, a)
    assert refused.field == "second"
    assert "two different experts" in refused.message and "Expert A" in refused.message
    assert not VisitPair.objects.exists()


def test_expert_not_on_the_check_refused(s: dict[str, Any]) -> None:
    a = s["places"][0]
    other = plan(s, visit_date=dt.date(2026, 12, 1))
    outsider = add_expert(
        lead=s["moderator"], check=other, who=s["experts"][3].username, reward="none"
    )
    refused = refusal(s, a, outsider)
    assert (refused.field, refused.message) == (
        "second",
        "Select the second expert from the experts on this check",
    )
    # The same place on its own check is fine: it is the check that decides.
    assert refusal(s, outsider, a).field == "first"
    assert not VisitPair.objects.exists()


@pytest.mark.parametrize(
    ("visit_on", "allowed"),
    [
        (TRAINED - dt.timedelta(days=1), False),  # the day before the training ended
        (TRAINED, True),  # the day it ended
        (TRAINED + dt.timedelta(days=1), True),
    ],
)
def test_visit_on_or_after_both_experts_training(
    s: dict[str, Any], visit_on: dt.date, allowed: bool
) -> None:
    a, b, _ = s["places"]
    if allowed:
        assert pair(s, a, b, visit_on=visit_on).visit_on == visit_on
    else:
        refused = refusal(s, a, b, visit_on=visit_on)
        assert refused.field == "visit_on"
        assert "finished their training on 15/01/2026, after this visit" in refused.message


def test_second_expert_untrained_on_the_visit_date_refused(s: dict[str, Any]) -> None:
    a, _, c = s["places"]
    # C's training is recorded again, ending later (on 1 March): C was trained for the check's
    # visit, but not for a visit on 28 February, while A was.
    train(s["moderator"], c.expert, on=dt.date(2026, 3, 1))
    refused = refusal(s, a, c, visit_on=dt.date(2026, 2, 28))
    assert refused.field == "visit_on" and "(Expert C) finished their training on 01/03/2026" in (
        refused.message
    )
    assert pair(s, a, c, visit_on=dt.date(2026, 3, 1))


def test_same_pair_same_slot_refused_but_a_group_is_several_pairs(s: dict[str, Any]) -> None:
    a, b, c = s["places"]
    pair(s, a, b)
    refused = refusal(s, b, a)
    assert "already paired to visit ‘Day room and lunch’ on 10/11/2026" in refused.message
    pair(s, a, c)  # a group of three at the same slot
    pair(s, b, c)
    pair(s, a, b, place="Garden and activities")
    assert VisitPair.objects.count() == 4


def test_place_required_and_published_check_refuses_pairs(s: dict[str, Any]) -> None:
    a, b, _ = s["places"]
    assert refusal(s, a, b, place="  ").field == "place"
    check = s["check"]
    check.state = "published"
    check.save()
    assert "published" in refusal(s, a, b).message


def test_only_moderators_pair(s: dict[str, Any]) -> None:
    a, b, _ = s["places"]
    with pytest.raises(VoiceRefused):
        record_visit_pair(
            lead=a.expert,
            check=s["check"],
            first=a.pk,
            second=b.pk,
            visit_on=dt.date(2026, 11, 10),
            place="Day room",
        )


def test_manage_page_pairs_with_specific_errors(s: dict[str, Any]) -> None:
    a, b, _ = s["places"]
    c = Client()
    c.force_login(s["moderator"])
    url = reverse("voice:check-manage", args=[s["check"].reference])
    page = c.get(url).content.decode()
    assert "No visits paired yet" in page and "Pair experts for a visit" in page
    r = c.post(url, {"action": "pair"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "govuk-error-summary" in body
    for message in (
        "Select the first expert from the experts on this check",
        "Select the second expert from the experts on this check",
        "Enter the date of their visit, for example 2026-03-27",
        "Enter the place or part of the service they visit",
    ):
        assert message in body
    posted = {"action": "pair", "first": a.pk, "second": a.pk, "place": "Day room"}
    r = c.post(url, {**posted, "visit_on": "2026-11-10"})
    assert r.status_code == 400 and "cannot be paired with themselves" in r.content.decode()
    r = c.post(url, {**posted, "second": b.pk, "visit_on": "2026-01-14"})
    assert r.status_code == 400
    assert "finished their training on 15/01/2026, after this visit" in r.content.decode()
    r = c.post(url, {**posted, "second": b.pk, "visit_on": "2026-11-10"})
    assert r.status_code == 302
    page = c.get(url).content.decode()
    assert "10 November 2026" in page and "Day room" in page
    assert f"Expert A ({name(a)}) and Expert B ({name(b)})" in page


def test_export_and_erasure_cover_pairs(s: dict[str, Any]) -> None:
    a, b, _ = s["places"]
    b_name = name(b)
    pair(s, a, b)
    data = export_personal_data(person=a.expert, requested_by=a.expert, request=None)["voice"]
    (mine,) = data["quality_checks_as_expert"]
    assert mine["visits"] == [
        {"visit_on": "2026-11-10", "place": "Day room and lunch", "paired_with": "Expert B"}
    ]
    lead = export_personal_data(person=s["moderator"], requested_by=s["moderator"], request=None)
    assert lead["voice"]["visit_pairs_recorded"] == 1
    staff = factories.user(Role.COORDINATOR, username="staff")
    erase_person(person=a.expert, erased_by=staff, request=None)
    (kept,) = selectors.visit_pairs(s["check"])
    assert kept.first == CheckExpert.objects.get(label="Expert A") and kept.first.expert is None
    c = Client()
    c.force_login(s["moderator"])
    page = c.get(reverse("voice:check-manage", args=[s["check"].reference])).content.decode()
    assert f"Expert A (account erased) and Expert B ({b_name})" in page
