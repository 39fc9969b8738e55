"""The rules every app's permissions rest on (issue 14): which roles a person holds, what a
superuser holds, how a person is named, that the audit trail only grows, what an erasure request
says of itself, and the audit digest against a message worked out by hand. Written to kill what
mutation testing of ``accounts/models.py`` and ``accounts/audit_digest.py`` let through
(``make mutation``, the apps part)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone as django_timezone

from accounts.audit_digest import audit_digest
from accounts.models import (
    AuditDigestField,
    AuditEvent,
    ErasureRequest,
    NotificationPreference,
    SignInCounter,
    User,
)
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def _person(username: str = "ada", *roles: str, superuser: bool = False) -> User:
    person = User.objects.create_user(username=username, password="not-used-here-1")
    person.is_superuser = superuser
    person.save()
    for role in roles:
        person.groups.add(Group.objects.get_or_create(name=role)[0])
    return User.objects.get(pk=person.pk)  # a fresh object: nothing cached


def test_roles_are_the_groups_held_and_nothing_else() -> None:
    person = _person("ada", Role.CARER, Role.PROVIDER)
    assert person.roles() == {"carer", "provider"}
    assert person.has_role(Role.CARER)
    assert person.has_role(Role.COORDINATOR, Role.PROVIDER)  # any one of them
    assert not person.has_role(Role.COORDINATOR)
    assert not person.has_role(Role.ADMINISTRATOR)
    assert not person.has_role()


def test_a_person_with_no_roles_holds_none() -> None:
    person = _person("bo")
    assert person.roles() == set()
    assert not person.has_role(*Role.values)


def test_a_superuser_holds_the_administrator_role_as_well_as_their_groups() -> None:
    admin = _person("root", Role.COMMISSIONER, superuser=True)
    assert admin.roles() == {"commissioner", "administrator"}
    assert admin.has_role(Role.ADMINISTRATOR)
    assert not admin.has_role(Role.COORDINATOR)


def test_roles_are_read_once_per_person_object() -> None:
    person = _person("cy", Role.BROKER)
    with CaptureQueriesContext(connection) as first:
        assert person.roles() == {"broker"}
    with CaptureQueriesContext(connection) as again:
        assert person.has_role(Role.BROKER)
        assert person.roles() == {"broker"}
    assert len(first.captured_queries) == 1
    assert len(again.captured_queries) == 0


def test_role_labels_are_sorted_and_leave_out_groups_that_are_not_roles() -> None:
    person = _person("di", Role.PROVIDER, Role.CARER, "book club")
    assert person.role_labels() == ["Carer or family supporter", "Provider"]
    assert _person("ed", superuser=True).role_labels() == ["Administrator"]


def test_a_person_is_named_by_their_chosen_name_then_full_name_then_username() -> None:
    person = _person("fay")
    assert person.get_full_name() == "fay"
    person.first_name, person.last_name = "Fay", "Gee"
    assert person.get_full_name() == "Fay Gee"
    person.display_name = "Fifi"
    assert person.get_full_name() == "Fifi"


def _event(summary: str = "Looked at the plan") -> AuditEvent:
    person = _person("gus")
    return AuditEvent.objects.create(
        actor=person,
        subject=person,
        action=AuditEvent.Action.VIEW,
        object_type="budget",
        object_id="7",
        summary=summary,
    )


def test_the_audit_trail_refuses_every_change_with_its_reason() -> None:
    event = _event()
    event.summary = "rewritten"
    with pytest.raises(ValueError) as changed:
        event.save()
    assert str(changed.value) == "The audit trail is append-only: events are never changed."
    with pytest.raises(ValueError) as deleted:
        event.delete()
    assert str(deleted.value) == "The audit trail is append-only: events are never deleted."
    rows = AuditEvent.objects.filter(pk=event.pk)
    with pytest.raises(ValueError) as updated:
        rows.update(summary="x")
    assert str(updated.value) == "The audit trail is append-only: events are never changed."
    with pytest.raises(ValueError) as removed:
        rows.delete()
    assert str(removed.value) == "The audit trail is append-only: events are never deleted."
    assert AuditEvent.objects.get(pk=event.pk).summary == "Looked at the plan"


def test_a_stored_event_cannot_be_saved_again_even_as_an_insert() -> None:
    event = _event()
    event.summary = "rewritten"
    with pytest.raises(ValueError, match="never changed"):
        event.save(force_insert=True)
    assert AuditEvent.objects.get(pk=event.pk).summary == "Looked at the plan"


def test_a_new_event_given_a_stored_events_id_does_not_overwrite_it() -> None:
    """Django tries an UPDATE first for a new object given an id with no default; the trail
    always inserts, so the repeated id is refused by the database and the old event stays."""
    event = _event()
    impostor = AuditEvent(
        pk=event.pk, action=AuditEvent.Action.DELETE, object_type="plan", summary="rewritten"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.summary) == (AuditEvent.Action.VIEW, "Looked at the plan")
    assert stored.digest == stored.compute_digest()
    assert AuditEvent.objects.count() == 1


def test_the_digest_field_refuses_to_give_a_value_for_an_update() -> None:
    event = _event()
    field = AuditEvent._meta.get_field("digest")
    assert isinstance(field, AuditDigestField)
    with pytest.raises(ValueError) as refused:
        field.pre_save(event, add=False)
    assert str(refused.value) == "The audit trail is append-only: events are never changed."
    fresh = AuditEvent(action=AuditEvent.Action.VIEW, object_type="plan", summary="new")
    fresh.at = django_timezone.now()
    assert field.pre_save(fresh, add=True) == fresh.compute_digest() == fresh.digest


def test_a_new_event_is_written_once_with_its_time_and_a_digest_that_matches() -> None:
    before = django_timezone.now()
    event = _event()
    assert event.at is not None and before <= event.at <= django_timezone.now()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.digest == stored.compute_digest()
    assert len(stored.digest) == 64


def test_an_event_cannot_be_backdated() -> None:
    """The time is when the event was written, whatever time it was given."""
    person = _person("hal")
    event = AuditEvent(
        at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        actor=person,
        action=AuditEvent.Action.EXPORT,
        object_type="person",
    )
    before = django_timezone.now()
    event.save(force_insert=True)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert before <= stored.at <= django_timezone.now()
    assert stored.digest == stored.compute_digest()


def test_the_event_reads_as_time_actor_action_and_object() -> None:
    event = _event()
    assert str(event) == f"{event.at:%Y-%m-%d %H:%M} gus view budget 7"


def _digest(at: datetime | None, ip_address: str | None) -> str:
    return audit_digest(
        key="k",
        at=at,
        actor_id=1,
        subject_id=2,
        action="view",
        object_type="budget",
        object_id="7",
        summary="s\u00e9",
        ip_address=ip_address,
    )


def _hmac(message: str) -> str:
    return hmac.new(b"k", message.encode(), hashlib.sha256).hexdigest()


def test_the_digest_is_an_hmac_of_the_fields_as_a_json_list() -> None:
    """Worked by hand: version, time in UTC without zone to the microsecond, ids, texts, and a
    missing address as null, in a JSON list without spaces."""
    expected = _hmac('["v1","2026-01-02T03:04:05.000006",1,2,"view","budget","7","s\\u00e9",null]')
    at = datetime(2026, 1, 2, 4, 4, 5, 6, tzinfo=timezone(timedelta(hours=1)))
    assert _digest(at, None) == expected
    assert _digest(at, "") == expected
    assert _digest(datetime(2026, 1, 2, 3, 4, 5, 6), None) == expected  # naive: taken as UTC
    assert _digest(None, "::1") == _hmac('["v1",null,1,2,"view","budget","7","s\\u00e9","::1"]')


def test_an_erasure_request_says_where_it_stands() -> None:
    person, asked, confirmed = _person("ivy"), _person("jo"), _person("kit")
    request = ErasureRequest.objects.create(person=person, reason="Letter", requested_by=asked)
    assert request.is_pending
    assert request.status == "waiting for a second staff member"
    assert str(request) == f"Erasure request {request.pk} (waiting for a second staff member)"
    request.withdrawn_at = django_timezone.now()
    assert not request.is_pending
    assert request.status == "withdrawn"
    request.withdrawn_at = None
    request.confirmed_by, request.confirmed_at = confirmed, django_timezone.now()
    assert not request.is_pending
    assert request.status == "confirmed: erased"


def test_a_notification_choice_and_a_sign_in_count_read_as_what_they_hold() -> None:
    person = _person("lu")
    wanted = NotificationPreference.objects.create(user=person, kind="plan_review", email=True)
    unwanted = NotificationPreference.objects.create(user=person, kind="reviews", email=False)
    assert str(wanted) == f"{person.pk} plan_review: email"
    assert str(unwanted) == f"{person.pk} reviews: none"
    counter = SignInCounter(
        bucket="user:lu", attempts=3, window_start=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    assert str(counter) == "user:lu: 3 since 2026-01-02 03:04:05"
