"""Outcomes emails name their kind (issue 13): a person may turn off reminders to report; the
alert to a follow-up team that someone needs contacting cannot be turned off."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import NotificationPreference, User
from accounts.roles import Role
from budgets.models import CaseTeam
from directory.tests import factories as f
from outcomes.models import Reminder
from outcomes.services.follow_ups import report
from outcomes.tests.test_views import days_ago, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> User:
    return f.user(username="pat", display_name="Pat")


@pytest.fixture
def team() -> CaseTeam:
    team = CaseTeam.objects.create(name="Gut health team")
    team.members.add(f.user(Role.BROKER, username="nur", email="nurse@example.org"))
    return team


def test_a_person_who_turned_reminders_off_gets_none(
    person: User, team: CaseTeam, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    follow_up = start(person, team)
    follow_up.started_on = days_ago(15)
    follow_up.save()
    NotificationPreference.objects.create(user=person, kind="outcomes_reminders", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("outcomes_reminders")
    assert Reminder.objects.count() == 1  # the reminder was due: the team still sees it
    assert mail.outbox == []


def test_a_reminder_has_a_link_to_stop_reminders(
    person: User, team: CaseTeam, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    follow_up = start(person, team)
    follow_up.started_on = days_ago(15)
    follow_up.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("outcomes_reminders")
    (message,) = mail.outbox
    assert "emails about reminders to tell us how you are doing" in message.body
    assert "List-Unsubscribe" in message.extra_headers


def test_the_follow_up_alert_is_always_sent(
    person: User, team: CaseTeam, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    follow_up = start(person, team)
    nurse = team.members.get()
    NotificationPreference.objects.create(user=nurse, kind="follow_up", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        report(follow_up=follow_up, actor=person, answers=None, contact_me=True)
    (message,) = mail.outbox
    assert message.to == ["nurse@example.org"]
    assert "We always send emails about people on your team's follow-up" in message.body
