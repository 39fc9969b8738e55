"""Email notifications with per-kind choices (issue 13): a kind someone turned off is not sent, a
kind that cannot be turned off always is, the link in an email's footer stops that kind without
signing in, and a changed link is refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import AuditEvent, NotificationPreference, User
from accounts.roles import Role
from accounts.services import erase_person, export_personal_data
from directory.tests import factories as f
from wellbeing_hub.notifications import (
    KINDS,
    UNSUBSCRIBE_SALT,
    kinds_for,
    notify,
    read_unsubscribe_token,
    send_email,
    unsubscribe_token,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"To stop emails like this one: (\S+)")


# pytest-django's django_capture_on_commit_callbacks fixture: a context manager factory.
CaptureCallbacks = Callable[..., Any]


def _send(capture: CaptureCallbacks, *args: Any, **kwargs: Any) -> list[mail.EmailMessage]:
    mail.outbox.clear()
    with capture(execute=True):
        notify(*args, **kwargs)
    return list(mail.outbox)


def _off(user: User, kind: str) -> None:
    NotificationPreference.objects.create(user=user, kind=kind, email=False)


def _token_path(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found, message.body
    url = found.group(1)
    assert url.startswith(settings.SITE_URL + "/account/")  # absolute: an email has no page
    return urlsplit(url).path


# --- who gets what -------------------------------------------------------------------------------


def test_a_kind_turned_off_is_not_sent_and_others_still_are(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    pat, sam = f.user(email="pat@example.org"), f.user(email="sam@example.org")
    _off(pat, "support_plan")
    sent = _send(
        django_capture_on_commit_callbacks,
        "Your plan was agreed",
        "Good news.",
        ["pat@example.org", "sam@example.org"],
        kind="support_plan",
    )
    assert [m.to for m in sent] == [["sam@example.org"]]
    # Pat turned off only that kind: another kind still reaches them.
    sent = _send(
        django_capture_on_commit_callbacks,
        "Your review is due",
        "Book a time.",
        ["pat@example.org"],
        kind="plan_review_due",
    )
    assert [m.to for m in sent] == [["pat@example.org"]]
    assert sam.email  # sam never turned anything off


def test_the_address_is_matched_to_the_account_whatever_its_case(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    pat = f.user(email="Pat.Jones@Example.org")
    _off(pat, "timebank_requests")
    sent = _send(
        django_capture_on_commit_callbacks,
        "Asked for your offer",
        "Someone asked.",
        ["pat.jones@example.org"],
        kind="timebank_requests",
    )
    assert sent == []


def test_a_kind_that_cannot_be_turned_off_is_always_sent(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    worker = f.user(Role.COORDINATOR, email="cara@example.org")
    _off(worker, "safeguarding")  # a row the page would never write: still ignored
    sent = _send(
        django_capture_on_commit_callbacks,
        "A safeguarding check is expiring",
        "The DBS check expires soon.",
        [worker.email],
        kind="safeguarding",
    )
    assert [m.to for m in sent] == [["cara@example.org"]]
    assert "We always send emails about safeguarding" in sent[0].body
    assert "To stop emails" not in sent[0].body
    assert "List-Unsubscribe" not in sent[0].extra_headers


def test_a_caller_without_a_kind_sends_as_before(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    pat = f.user(email="pat@example.org")
    for k in KINDS:
        if k.optional:
            _off(pat, k.code)
    sent = _send(
        django_capture_on_commit_callbacks, "Hello", "Body.", ["pat@example.org", "x@example.org"]
    )
    assert [(m.to, m.body) for m in sent] == [(["pat@example.org", "x@example.org"], "Body.")]


def test_each_recipient_gets_their_own_copy_with_their_own_link(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    f.user(email="pat@example.org")
    sent = _send(
        django_capture_on_commit_callbacks,
        "Asked for your offer",
        "Someone asked.",
        ["pat@example.org", "nobody@example.org", "PAT@example.org"],
        kind="timebank_requests",
    )
    assert [m.to for m in sent] == [["pat@example.org"], ["nobody@example.org"]]
    with_account, without = sent
    link = LINK.search(str(with_account.body))
    assert link is not None
    assert with_account.extra_headers["List-Unsubscribe"] == f"<{link.group(1)}>"
    assert with_account.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # An address with no account has no choices to change: no link, no footer.
    assert without.body == "Someone asked."
    assert "List-Unsubscribe" not in without.extra_headers


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify("Hi", "Body", ["a@example.org"], kind="not_a_kind")


@override_settings(
    TASKS_IN_DATABASE=True, TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
)
def test_with_the_database_queue_the_page_only_queues_the_message() -> None:
    from django_tasks_db.models import DBTaskResult

    f.user(email="pat@example.org")
    notify("Asked", "Someone asked.", ["pat@example.org"], kind="timebank_requests")
    assert mail.outbox == []  # nothing sent by the web process
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("send_email")
    subject, body, to, headers = queued.args_kwargs["args"]
    assert to == ["pat@example.org"] and "List-Unsubscribe" in headers
    send_email.call(subject, body, to, headers)  # what db_worker does with the row
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# --- the unsubscribe link ------------------------------------------------------------------------


def test_the_link_in_the_footer_stops_that_kind_without_signing_in(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    pat = f.user(email="pat@example.org")
    (message,) = _send(
        django_capture_on_commit_callbacks,
        "Asked for your offer",
        "Someone asked.",
        [pat.email],
        kind="timebank_requests",
    )
    path = _token_path(message)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Stop emails about time bank requests" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # opening the link only asks
    done = anonymous.post(path, {"List-Unsubscribe": "One-Click"})  # RFC 8058: no CSRF token
    assert done.status_code == 200
    assert "You will not get emails about time bank requests" in done.content.decode()
    assert NotificationPreference.objects.get(user=pat, kind="timebank_requests").email is False
    assert AuditEvent.objects.filter(subject=pat, summary__contains="timebank_requests").exists()
    again = _send(
        django_capture_on_commit_callbacks, "Asked", "Again.", [pat.email], kind="timebank_requests"
    )
    assert again == []


def test_a_changed_link_is_refused(client: Client) -> None:
    pat, sam = f.user(email="pat@example.org"), f.user(email="sam@example.org")
    token = unsubscribe_token([pat.pk], "timebank_requests")
    _payload, _, signature = token.rpartition(":")
    forged_payload = signing.dumps({"u": [sam.pk], "k": "timebank_requests"}, salt=UNSUBSCRIBE_SALT)
    tampered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        forged_payload.rpartition(":")[0] + ":" + signature,  # someone else's id, old signature
        token[:20],  # cut short
        signing.dumps({"u": [sam.pk], "k": "timebank_requests"}, salt="another purpose"),
        # signed here, but for a kind that cannot be turned off
        signing.dumps({"u": [sam.pk], "k": "safeguarding"}, salt=UNSUBSCRIBE_SALT),
    ]
    for bad in tampered:
        url = reverse("accounts:unsubscribe", args=[bad])
        assert client.get(url).status_code == 404, bad
        response = client.post(url)
        assert response.status_code == 404, bad
        assert "This link does not work" in response.content.decode()
    assert not NotificationPreference.objects.exists()
    assert read_unsubscribe_token(token) is not None  # the real one still works


def test_the_link_for_an_erased_account_changes_nothing(client: Client) -> None:
    pat, staff = f.user(email="pat@example.org"), f.user(Role.ADMINISTRATOR)
    token = unsubscribe_token([pat.pk], "timebank_requests")
    erase_person(person=pat, erased_by=staff, request=None)
    assert client.post(reverse("accounts:unsubscribe", args=[token])).status_code == 200
    assert not NotificationPreference.objects.exists()


# --- "Your email notifications" ------------------------------------------------------------------


def test_the_page_needs_signing_in(client: Client) -> None:
    response = client.get(reverse("accounts:notifications"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_a_person_turns_kinds_off_and_on(client: Client) -> None:
    pat = f.user(email="pat@example.org")
    client.force_login(pat)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert 'value="support_plan" aria-describedby="id_kinds-' in page
    # Everything is on until the person turns it off; "None of these" is not ticked.
    offered = [k for k in kinds_for(pat.roles()) if k.optional]
    assert page.count(" checked>") == len(offered) > 5
    assert 'value="none" data-behaviour="exclusive">' in page
    assert "Emails we always send" in page and "Signing in and keeping your account safe" in page
    assert "time bank work" not in page  # a coordinators' kind is not offered to a resident
    response = client.post(
        reverse("accounts:notifications"), {"kinds": ["support_plan", "pb_receipt"]}
    )
    assert response.status_code == 302
    off = set(
        NotificationPreference.objects.filter(user=pat, email=False).values_list("kind", flat=True)
    )
    assert "support_plan" not in off and "pb_receipt" not in off
    assert "timebank_requests" in off and "plan_review_due" in off
    assert "account_security" not in off  # cannot be turned off, so never written
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert 'value="support_plan" aria-describedby="id_kinds-0-hint" checked' in page
    assert 'value="timebank_requests" aria-describedby' in page
    assert re.search(r'value="timebank_requests" aria-describedby="[^"]+" checked', page) is None
    client.post(reverse("accounts:notifications"), {"kinds": ["none"]})
    assert not NotificationPreference.objects.filter(user=pat, email=True).exists()
    assert (
        AuditEvent.objects.filter(subject=pat, summary__startswith="Email notifications").count()
        == 2
    )


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        ({}, "Select the emails you want, or select ‘None of these’ if you only want"),
        (
            {"kinds": ["none", "pb_receipt"]},
            "Select the emails you want, or select ‘None of these’, not both",
        ),
        ({"kinds": ["safeguarding"]}, "Select only the emails listed on this page"),
    ],
)
def test_errors_say_how_to_fix_them(client: Client, sent: dict[str, Any], error: str) -> None:
    pat = f.user(email="pat@example.org")
    client.force_login(pat)
    response = client.post(reverse("accounts:notifications"), sent)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Your email notifications" in html
    assert f'<a href="#id_kinds-0">{error}' in html  # the summary links to the first checkbox
    assert (
        'id="id_kinds-error"' in html and 'aria-describedby="id_kinds-hint id_kinds-error"' in html
    )
    assert not NotificationPreference.objects.exists()


def test_choices_are_in_the_persons_data_and_erased_with_them() -> None:
    pat, staff = f.user(email="pat@example.org"), f.user(Role.ADMINISTRATOR)
    _off(pat, "pb_receipt")
    data = export_personal_data(person=pat, requested_by=pat, request=None)
    (choice,) = data["account"]["email_notifications"]
    assert choice["kind"] == "pb_receipt" and choice["by_email"] is False
    erase_person(person=pat, erased_by=staff, request=None)
    assert not NotificationPreference.objects.exists()
