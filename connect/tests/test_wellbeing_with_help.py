"""Most people answer ONS4 in conversation with their link worker: the link worker holding the
person's open referral records the person's own answers at the first conversation and at closing,
kept by the outcomes app as given "with help" and shown as such. A link worker who does not hold
the referral, or whose referral is closed or declined, is refused; the person's own path still
works."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from connect.models import Referral, WellbeingCheck
from connect.services._common import ConnectError
from connect.services.referrals import make_referral, set_status
from connect.services.wellbeing import record_wellbeing
from directory.tests import factories as f
from outcomes.models import AnswerSet

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
    person = f.user(Role.PERSON, display_name="Ada Lovelace", email="ada@example.org")
    worker = f.user(Role.LINK_WORKER, display_name="Lin Worker", email="lin@example.org")
    other = f.user(Role.LINK_WORKER, display_name="Oli Other", email="oli@example.org")
    referral = make_referral(
        actor=person, person=person, source="self", reason="Lonely since moving"
    )
    # The worker picks the referral up (and so holds it) by recording the first contact.
    set_status(actor=worker, referral=referral, status="contacted")
    return {"person": person, "worker": worker, "other": other, "referral": referral}


def _answer(
    user: User, referral: Referral, stage: str, answers: dict[str, str]
) -> _MonkeyPatchedWSGIResponse:
    return _client(user).post(
        reverse("connect:wellbeing", args=[referral.pk, stage]),
        {**answers, "answered_on": timezone.localdate().isoformat()},
    )


def test_the_link_worker_records_both_stages_with_help(world: dict[str, Any]) -> None:
    worker, referral, person = world["worker"], world["referral"], world["person"]
    page = _client(worker).get(reverse("connect:referral", args=[referral.pk]))
    first_url = reverse("connect:wellbeing", args=[referral.pk, "first_conversation"])
    assert first_url in page.content.decode()  # the worker is offered the form
    form = _client(worker).get(first_url)
    assert form.status_code == 200 and "How Ada Lovelace is feeling" in form.content.decode()

    r = _answer(worker, referral, "first_conversation", ONS4_LOW)
    assert r.status_code == 302 and r["Location"] == reverse("connect:referral", args=[referral.pk])
    r = _answer(worker, referral, "closing", ONS4_HIGH)
    assert r.status_code == 302

    sets = list(AnswerSet.objects.filter(person=person, measure_id="ons4"))
    assert len(sets) == 2
    assert {(a.answered_by, a.recorded_by_id) for a in sets} == {("with_help", worker.pk)}
    assert WellbeingCheck.objects.filter(referral=referral).count() == 2
    audits = AuditEvent.objects.filter(
        action="create", subject=person, summary__startswith="Wellbeing (ONS4) recorded"
    )
    assert audits.count() == 2
    assert all("with help from Lin Worker" in a.summary for a in audits)

    html = _client(worker).get(reverse("connect:referral", args=[referral.pk])).content.decode()
    assert html.count("(answered with help from Lin Worker)") == 2
    assert first_url not in html  # both stages done: nothing left to record
    mine = _client(person).get(reverse("connect:mine")).content.decode()
    assert "answered with help from Lin Worker" in mine


def test_another_link_worker_is_refused_and_cannot_open_the_record(world: dict[str, Any]) -> None:
    other, referral, person = world["other"], world["referral"], world["person"]
    assert _answer(other, referral, "first_conversation", ONS4_LOW).status_code == 403
    assert (
        _client(other)
        .get(reverse("connect:wellbeing", args=[referral.pk, "first_conversation"]))
        .status_code
        == 403
    )
    with pytest.raises(ConnectError) as err:
        record_wellbeing(
            actor=other,
            referral=referral,
            stage="first_conversation",
            answers={k: int(v) for k, v in ONS4_LOW.items()},
            answered_on=timezone.localdate(),
        )
    assert err.value.field == "stage"
    assert "link worker holding their open referral" in err.value.message
    assert _client(other).get(reverse("outcomes:record", args=[person.pk])).status_code == 403
    assert not AnswerSet.objects.filter(person=person).exists()


@pytest.mark.parametrize("status", ["closed", "declined"])
def test_the_link_worker_is_refused_once_the_referral_ends(
    world: dict[str, Any], status: str
) -> None:
    worker, referral, person = world["worker"], world["referral"], world["person"]
    # While it is open the worker reaches the record ...
    assert _client(worker).get(reverse("outcomes:record", args=[person.pk])).status_code == 200
    set_status(actor=worker, referral=referral, status=status)
    # ... and not afterwards.
    assert _answer(worker, referral, "first_conversation", ONS4_LOW).status_code == 403
    assert _client(worker).get(reverse("outcomes:record", args=[person.pk])).status_code == 403
    page = _client(worker).get(reverse("connect:referral", args=[referral.pk])).content.decode()
    assert reverse("connect:wellbeing", args=[referral.pk, "first_conversation"]) not in page
    assert not AnswerSet.objects.filter(person=person).exists()


def test_the_person_still_answers_on_their_own_account(world: dict[str, Any]) -> None:
    person, referral = world["person"], world["referral"]
    r = _answer(person, referral, "first_conversation", ONS4_LOW)
    assert r.status_code == 302 and r["Location"] == reverse("connect:mine")
    answer_set = AnswerSet.objects.get(person=person)
    assert (answer_set.answered_by, answer_set.recorded_by_id) == ("person", person.pk)
    page = _client(world["worker"]).get(reverse("connect:referral", args=[referral.pk]))
    assert "At the first conversation" in page.content.decode()
    assert "with help" not in page.content.decode()
    # The worker may record the closing answers the person gives later in conversation.
    assert _answer(world["worker"], referral, "closing", ONS4_HIGH).status_code == 302
    assert Referral.objects.get(pk=referral.pk).wellbeing.count() == 2
