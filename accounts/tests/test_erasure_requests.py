"""Erasure on request needs two staff members (issue 11): one records the request (who asked, for
whom, why, when), a different one confirms it, and only then is the person erased. Both steps are
audited. Through the services, the management command and the admin."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent, ErasureRequest, User
from accounts.roles import Role
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def _staff(username: str) -> User:
    return f.user(Role.ADMINISTRATOR, username=username, is_staff=True)


def _admin(username: str) -> User:
    return User.objects.create_superuser(username, f"{username}@example.org", "a-long-test-pw1")


def _erased(person: User) -> bool:
    person.refresh_from_db()
    return person.username == f"erased-{person.pk}" and not person.is_active


def test_request_then_confirm_by_someone_else_erases_and_audits_both_steps() -> None:
    person, asker, confirmer = f.user(username="pat"), _staff("asker"), _staff("confirmer")
    req = services.request_erasure(
        person=person, requested_by=asker, reason="Emailed us on 1 Dec asking to be forgotten"
    )
    assert not _erased(person)
    assert req.is_pending and req.requested_at is not None
    assert AuditEvent.objects.filter(
        actor=asker, subject=person, action=AuditEvent.Action.ERASE_REQUEST
    ).exists()
    services.confirm_erasure(erasure_request=req, confirmed_by=confirmer)
    assert _erased(person)
    req.refresh_from_db()
    assert req.confirmed_by == confirmer and req.confirmed_at is not None and not req.is_pending
    erase = AuditEvent.objects.get(subject=person, action=AuditEvent.Action.ERASE)
    assert erase.actor == confirmer
    assert f"request {req.pk}" in erase.summary


def test_the_same_person_cannot_confirm_their_own_request() -> None:
    person, asker = f.user(username="pat"), _staff("asker")
    req = services.request_erasure(person=person, requested_by=asker, reason="Asked by phone")
    with pytest.raises(services.ErasureRefused, match="different staff member"):
        services.confirm_erasure(erasure_request=req, confirmed_by=asker)
    assert not _erased(person)
    req.refresh_from_db()
    assert req.is_pending


def test_the_database_refuses_a_self_confirmed_request_too() -> None:
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    person, asker = f.user(), _staff("asker")
    req = services.request_erasure(person=person, requested_by=asker, reason="Asked by phone")
    with pytest.raises(IntegrityError), transaction.atomic():
        ErasureRequest.objects.filter(pk=req.pk).update(
            confirmed_by=asker, confirmed_at=timezone.now()
        )


def test_only_active_staff_may_request_or_confirm() -> None:
    person, asker, nobody = f.user(), _staff("asker"), f.user(username="notstaff")
    with pytest.raises(services.ErasureRefused, match="not an active staff member"):
        services.request_erasure(person=person, requested_by=nobody, reason="x")
    req = services.request_erasure(person=person, requested_by=asker, reason="Asked in writing")
    with pytest.raises(services.ErasureRefused, match="not an active staff member"):
        services.confirm_erasure(erasure_request=req, confirmed_by=nobody)
    assert not _erased(person)


def test_a_request_needs_a_reason_and_only_one_may_be_open() -> None:
    person, asker = f.user(), _staff("asker")
    with pytest.raises(services.ErasureRefused, match="reason"):
        services.request_erasure(person=person, requested_by=asker, reason="   ")
    services.request_erasure(person=person, requested_by=asker, reason="Asked in writing")
    with pytest.raises(services.ErasureRefused, match="already"):
        services.request_erasure(person=person, requested_by=_staff("other"), reason="Again")


def test_a_confirmed_request_cannot_be_confirmed_again_and_withdrawn_ones_not_at_all() -> None:
    person, asker, confirmer = f.user(), _staff("asker"), _staff("confirmer")
    req = services.request_erasure(person=person, requested_by=asker, reason="Asked")
    services.confirm_erasure(erasure_request=req, confirmed_by=confirmer)
    with pytest.raises(services.ErasureRefused, match="already"):
        services.confirm_erasure(erasure_request=req, confirmed_by=_staff("third"))
    with pytest.raises(services.ErasureRefused, match="already been erased"):
        services.request_erasure(person=person, requested_by=asker, reason="Again")
    second = f.user()
    req2 = services.request_erasure(person=second, requested_by=asker, reason="Mistake")
    services.withdraw_erasure(erasure_request=req2, withdrawn_by=asker)
    assert AuditEvent.objects.filter(
        subject=second, action=AuditEvent.Action.ERASE_WITHDRAW
    ).exists()
    with pytest.raises(services.ErasureRefused, match="withdrawn"):
        services.confirm_erasure(erasure_request=req2, confirmed_by=confirmer)
    assert not _erased(second)


# --- the management command ---------------------------------------------------------------------


def test_command_request_then_confirm(capsys: pytest.CaptureFixture[str]) -> None:
    person = f.user(username="pat")
    _staff("asker")
    _staff("confirmer")
    call_command("erase_person", "--request", "pat", "--by", "asker", "--reason", "By letter")
    req = ErasureRequest.objects.get()
    assert f"--confirm {req.pk}" in capsys.readouterr().out
    assert req.reason == "By letter" and req.requested_by.username == "asker"
    assert not _erased(person)
    call_command("erase_person", "--confirm", str(req.pk), "--by", "confirmer")
    assert _erased(person)
    assert "Erased" in capsys.readouterr().out


def test_command_refuses_self_confirmation_and_bad_input() -> None:
    person = f.user(username="pat")
    _staff("asker")
    call_command("erase_person", "--request", "pat", "--by", "asker", "--reason", "By letter")
    req = ErasureRequest.objects.get()
    with pytest.raises(CommandError, match="different staff member"):
        call_command("erase_person", "--confirm", str(req.pk), "--by", "asker")
    assert not _erased(person)
    with pytest.raises(CommandError, match="no user called 'ghost'"):
        call_command("erase_person", "--request", "ghost", "--by", "asker", "--reason", "x")
    with pytest.raises(CommandError, match="--reason"):
        call_command("erase_person", "--request", "pat", "--by", "asker")
    with pytest.raises(CommandError, match="no erasure request 999"):
        call_command("erase_person", "--confirm", "999", "--by", "asker")


# --- the admin ----------------------------------------------------------------------------------


def test_admin_request_action_then_a_different_admin_confirms() -> None:
    person = f.user(username="pat")
    first, second = _admin("first"), _admin("second")
    c1 = Client()
    c1.force_login(first)
    changelist = reverse("admin:accounts_user_changelist")
    page = c1.post(changelist, {"action": "request_erasure", "_selected_action": [person.pk]})
    assert page.status_code == 200 and "Reason" in page.content.decode()
    # No reason: the page asks for one, nothing recorded.
    page = c1.post(
        changelist,
        {"action": "request_erasure", "_selected_action": [person.pk], "apply": "1", "reason": ""},
    )
    assert "Enter the reason" in page.content.decode()
    assert not ErasureRequest.objects.exists()
    c1.post(
        changelist,
        {
            "action": "request_erasure",
            "_selected_action": [person.pk],
            "apply": "1",
            "reason": "Phoned the helpline",
        },
    )
    req = ErasureRequest.objects.get()
    assert req.requested_by == first
    # The same admin cannot confirm.
    requests_list = reverse("admin:accounts_erasurerequest_changelist")
    confirm = {"action": "confirm_erasure", "_selected_action": [req.pk], "apply": "1"}
    c1.post(requests_list, confirm)
    assert not _erased(person)
    # A second admin sees a confirmation page, then confirms.
    c2 = Client()
    c2.force_login(second)
    page = c2.post(requests_list, {"action": "confirm_erasure", "_selected_action": [req.pk]})
    assert "Phoned the helpline" in page.content.decode()
    assert not _erased(person)
    c2.post(requests_list, confirm)
    assert _erased(person)
    assert AuditEvent.objects.filter(actor=second, action=AuditEvent.Action.ERASE).exists()


def test_erasure_requests_cannot_be_added_changed_or_deleted_in_the_admin() -> None:
    admin = _admin("root")
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("admin:accounts_erasurerequest_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_erasurerequest_add")).status_code == 403
