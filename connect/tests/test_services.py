"""Social prescribing referrals: who may refer, consent per purpose, onward referral and the 14-day
automatic decline (with a fixed "today"), and the message back holding only what was agreed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import AuditEvent
from accounts.roles import Role
from connect import selectors
from connect.models import OnwardReferral, Referral, ReferringOrganisation
from connect.services._common import ConnectError
from connect.services.consent import record_consent
from connect.services.onward import answer_onward, decline_overdue, refer_onward, withdraw_onward
from connect.services.referrals import make_referral, set_status
from directory.tests import factories as f

pytestmark = pytest.mark.django_db
SENT = dt.date(2026, 3, 2)


@pytest.fixture
def setup() -> dict[str, Any]:
    gp = f.user(Role.PERSON, email="gp@example.org")
    practice = ReferringOrganisation.objects.create(name="Hill Street Surgery", kind="gp_practice")
    practice.staff.add(gp)
    person = f.user(Role.PERSON, display_name="Ada Lovelace")
    worker = f.user(Role.LINK_WORKER, email="worker@example.org")
    org = f.organization()
    service = f.service(organization_=org, name="Lunch club")
    provider = f.provider_user(org)
    referral = make_referral(
        actor=gp,
        person=person,
        source=Referral.Source.GP_PRACTICE,
        organisation=practice,
        reason="SECRET-REASON lonely",
        what_matters="SECRET-MATTERS gardening",
        today=SENT,
    )
    return {
        "gp": gp,
        "practice": practice,
        "person": person,
        "worker": worker,
        "service": service,
        "provider": provider,
        "referral": referral,
    }


def test_only_practice_staff_can_refer_for_the_practice(setup: dict[str, Any]) -> None:
    with pytest.raises(ConnectError) as err:
        make_referral(
            actor=setup["person"],
            person=setup["person"],
            source="gp_practice",
            organisation=setup["practice"],
            reason="x",
        )
    assert err.value.field == "organisation"
    with pytest.raises(ConnectError) as err:
        make_referral(
            actor=setup["gp"],
            person=setup["gp"],
            source="gp_practice",
            organisation=setup["practice"],
            reason="  ",
        )
    assert err.value.field == "reason"


def test_onward_referral_needs_consent(setup: dict[str, Any]) -> None:
    with pytest.raises(ConnectError, match="consent"):
        refer_onward(
            actor=setup["worker"],
            referral=setup["referral"],
            service_id=setup["service"].pk,
            today=SENT,
        )


def _onward(setup: dict[str, Any]) -> OnwardReferral:
    record_consent(
        actor=setup["worker"],
        referral=setup["referral"],
        share_back=False,
        onward=True,
        outcomes=False,
        on=SENT,
    )
    set_status(
        actor=setup["worker"], referral=setup["referral"], status="first_conversation", on=SENT
    )
    return refer_onward(
        actor=setup["worker"],
        referral=setup["referral"],
        service_id=setup["service"].pk,
        today=SENT,
    )


def test_unanswered_for_fourteen_days_is_declined_automatically_and_the_worker_told(
    setup: dict[str, Any],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    onward = _onward(setup)
    assert onward.answer_due == dt.date(2026, 3, 16)
    assert decline_overdue(dt.date(2026, 3, 16)) == 0  # day 14: still time
    with django_capture_on_commit_callbacks(execute=True):
        call_command("decline_overdue_referrals", "--today", "2026-03-17")
    onward.refresh_from_db()
    assert onward.status == OnwardReferral.Status.AUTO_DECLINED
    assert any("worker@example.org" in m.to for m in mailoutbox)
    assert decline_overdue(dt.date(2026, 3, 18)) == 0  # once only


def test_provider_answers_and_person_withdraws(setup: dict[str, Any]) -> None:
    onward = _onward(setup)
    with pytest.raises(ConnectError):
        answer_onward(actor=setup["gp"], onward=onward, accept=True)
    answer_onward(actor=setup["provider"], onward=onward, accept=True, today=SENT)
    assert decline_overdue(dt.date(2026, 4, 30)) == 0
    with pytest.raises(ConnectError):
        withdraw_onward(person=setup["gp"], onward=onward)
    withdraw_onward(person=setup["person"], onward=onward)
    assert onward.status == OnwardReferral.Status.WITHDRAWN


def test_message_back_holds_only_what_the_person_agreed(setup: dict[str, Any]) -> None:
    _onward(setup)
    referral = Referral.objects.get(pk=setup["referral"].pk)
    text = json.dumps(selectors.message_back(referral))
    for secret in ("SECRET", "Ada Lovelace", "Lunch club"):
        assert secret not in text
    record_consent(
        actor=setup["worker"], referral=referral, share_back=True, onward=True, outcomes=False
    )
    text = json.dumps(selectors.message_back(referral))
    assert "SECRET-MATTERS" in text and "Lunch club" in text


def test_every_change_is_audited(setup: dict[str, Any]) -> None:
    _onward(setup)
    events = set(AuditEvent.objects.values_list("action", "summary"))
    assert ("create", "Social prescribing referral made") in events
    assert any(a == "update" and s.startswith("Consent: share back") for a, s in events)
    assert any(a == "create" and s.startswith("Referred on to") for a, s in events)


def test_export_and_erase_cover_the_persons_referrals(setup: dict[str, Any]) -> None:
    from connect import personal_data

    _onward(setup)
    data = personal_data.export(setup["person"])
    assert data["referrals"][0]["what_matters"] == "SECRET-MATTERS gardening"
    assert data["referrals"][0]["onward_referrals"]
    assert personal_data.export(setup["gp"])["referring_organisations"] == ["Hill Street Surgery"]
    personal_data.erase(setup["person"])
    assert not Referral.objects.filter(person=setup["person"]).exists()
    assert not OnwardReferral.objects.exists()
