"""Accounts: registration, throttled sign-in, roles, the audit trail, export and erasure."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import erase_person
from directory.models import Enquiry
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_register_creates_a_person_with_roles_and_signs_them_in(client: Client) -> None:
    response = client.post(
        reverse("accounts:register"),
        {
            "display_name": "Ada",
            "username": "ada",
            "email": "ada@example.org",
            "password": "correct horse battery",
            "carer": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="ada")
    assert user.roles() == {Role.PERSON, Role.CARER}
    assert client.get(reverse("accounts:home")).status_code == 200


def test_register_errors_say_how_to_fix_them(client: Client) -> None:
    f.user(username="taken")
    html = client.post(
        reverse("accounts:register"),
        {"display_name": "", "username": "taken", "email": "not-an-email", "password": "123"},
    ).content.decode()
    assert "Enter your name" in html
    assert "That username is taken. Choose a different username" in html
    assert "Enter an email address in the correct format, like name@example.com" in html
    assert "Your password is not strong enough" in html


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_sign_in_is_throttled_after_repeated_failures(client: Client) -> None:
    from django.core.cache import cache

    cache.clear()
    f.user(username="sam")
    for _ in range(3):
        page = client.post(reverse("accounts:sign-in"), {"username": "sam", "password": "wrong"})
        assert "Enter a username and password that match an account" in page.content.decode()
    locked = client.post(
        reverse("accounts:sign-in"), {"username": "sam", "password": "a-long-test-password"}
    )
    assert locked.status_code == 429
    assert "too many failed attempts" in locked.content.decode()
    assert AuditEvent.objects.filter(action="sign-in-failed").count() == 3
    cache.clear()


def test_successful_sign_in_is_audited_and_redirects_only_to_this_site(client: Client) -> None:
    user = f.user(username="kim")
    response = client.post(
        reverse("accounts:sign-in") + "?next=https://evil.example/",
        {"username": "kim", "password": "a-long-test-password"},
    )
    assert response["Location"] == reverse("accounts:home")
    assert AuditEvent.objects.filter(actor=user, action="sign-in").exists()


def test_person_downloads_all_their_data_and_the_download_is_audited(client: Client) -> None:
    person = f.user()
    svc = f.service()
    client.force_login(person)
    client.post(reverse("directory:enquire", args=[svc.pk]), {"subject": "Hello", "body": "Hi!"})
    response = client.post(reverse("accounts:download-data"))
    data = json.loads(response.content)
    assert data["account"]["username"] == person.username
    assert data["directory"]["enquiries"][0]["messages"][0]["text"] == "Hi!"
    assert AuditEvent.objects.filter(subject=person, action="export").exists()


def test_erasure_removes_personal_content_but_keeps_the_audit_trail(client: Client) -> None:
    person = f.user(email="erase@example.org")
    admin = f.user(Role.ADMINISTRATOR)
    svc = f.service()
    client.force_login(person)
    client.post(reverse("directory:enquire", args=[svc.pk]), {"subject": "Mine", "body": "Secret"})
    erase_person(person=person, erased_by=admin, request=None)
    person.refresh_from_db()
    assert person.email == "" and not person.is_active and person.username.startswith("erased-")
    assert Enquiry.objects.get().subject == "[erased on request]"
    assert AuditEvent.objects.filter(subject=person, action="erase").exists()


def test_audit_trail_cannot_be_changed_in_the_admin(client: Client) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", "a-long-test-password")
    client.force_login(admin)
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403


def test_security_headers_and_csrf(client: Client) -> None:
    from django.test import Client

    page = client.get(reverse("directory:search"))
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(reverse("accounts:sign-in"), {"username": "a", "password": "b"}).status_code
        == 403
    )
