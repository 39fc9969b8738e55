"""Nothing is lost when a session ends (WCAG 2.2.1, issue 13): the timeout warning is on every
signed-in page, "Stay signed in" renews the session, and a form sent after the session ended is
kept and sent after signing in again (never its password fields, never for anyone else)."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import kept_posts
from accounts.models import User
from accounts.tests.error_pattern import error_pattern_problems
from directory.tests import factories as f
from participation.models import Project
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
KEEP = "accounts.kept_posts.KeepPostAcrossSignInMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def with_keeping() -> list[str]:
    middleware = [m for m in settings.MIDDLEWARE if m != KEEP]
    return [
        *middleware[: middleware.index(AUTH) + 1],
        KEEP,
        *middleware[middleware.index(AUTH) + 1 :],
    ]


def signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def end_session(client: Client) -> None:
    Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


IDEA = {
    "title": "A bench by the pond",
    "what": "A long answer that took twenty minutes to write.\nWith a second paragraph.",
    "who_benefits": "Older people who walk there every day.",
}


@override_settings(MIDDLEWARE=with_keeping())
def test_an_answer_sent_after_the_session_ended_is_sent_after_signing_in_again() -> None:
    round_ = pf.round_()
    person = f.user()
    client = signed_in(person)
    url = reverse("participation:idea-new", args=[round_.slug])
    end_session(client)

    response = client.post(url, {**IDEA, "password": "not-kept"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    resume = re.search(r"resume=([\w-]+)", response["Location"])
    assert resume, response["Location"]
    token = resume.group(1)
    assert not Project.objects.exists()

    sign_in_page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity" in sign_in_page.content.decode()
    signed = client.post(response["Location"], {"username": person.username, "password": PASSWORD})
    assert signed["Location"] == reverse("session:continue", args=[token])

    page = client.get(signed["Location"]).content.decode()
    assert "twenty minutes to write" in page
    assert f'action="{url}"' in page
    assert "not-kept" not in page  # password fields are never kept
    assert 'name="what"' in page

    # The token is used once.
    again = client.get(reverse("session:continue", args=[token]))
    assert again.status_code == 302

    # Sending the kept fields (as the page's form does) saves the idea.
    sent = client.post(url, IDEA)
    assert sent.status_code == 302
    assert Project.objects.get().what == IDEA["what"]


@override_settings(MIDDLEWARE=with_keeping())
def test_kept_answers_are_never_shown_to_someone_else_signing_in_on_that_browser() -> None:
    round_ = pf.round_()
    first, second = f.user(), f.user()
    client = signed_in(first)
    end_session(client)
    response = client.post(reverse("participation:idea-new", args=[round_.slug]), IDEA)
    resume = re.search(r"resume=([\w-]+)", response["Location"])
    assert resume, response["Location"]
    token = resume.group(1)
    signed = client.post(response["Location"], {"username": second.username, "password": PASSWORD})
    assert signed["Location"] == reverse("accounts:home") or "continue" not in signed["Location"]
    page = client.get(reverse("session:continue", args=[token]), follow=True).content.decode()
    assert "twenty minutes" not in page


@override_settings(MIDDLEWARE=with_keeping())
def test_nothing_is_kept_for_a_browser_that_was_never_signed_in() -> None:
    round_ = pf.round_()
    response = Client().post(reverse("participation:idea-new", args=[round_.slug]), IDEA)
    assert response.status_code == 302
    assert "resume=" not in response["Location"]


@override_settings(MIDDLEWARE=with_keeping())
def test_kept_answers_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    round_ = pf.round_()
    person = f.user()
    client = signed_in(person)
    end_session(client)
    response = client.post(reverse("participation:idea-new", args=[round_.slug]), IDEA)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + kept_posts.KEPT_POST_SECONDS + 1)
    signed = client.post(response["Location"], {"username": person.username, "password": PASSWORD})
    assert "continue" not in signed["Location"]


def test_the_timeout_warning_is_on_signed_in_pages_only_and_uses_no_inline_script() -> None:
    person = f.user()
    with override_settings(SESSION_COOKIE_AGE=600, SESSION_TIMEOUT_WARNING_SECONDS=90):
        page = signed_in(person).get(reverse("participation:home")).content.decode()
    assert '<dialog class="hub-timeout-dialog" id="hub-timeout"' in page
    assert 'data-timeout-seconds="600"' in page and 'data-warning-seconds="90"' in page
    assert "Stay signed in" in page
    assert 'src="/static/js/session.js"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # strict CSP: no inline script
    anonymous = Client().get(reverse("participation:home")).content.decode()
    assert "hub-timeout" not in anonymous


def test_the_warning_opens_at_most_halfway_through_a_short_session() -> None:
    person = f.user()
    with override_settings(SESSION_COOKIE_AGE=10):
        page = signed_in(person).get(reverse("participation:home")).content.decode()
    assert 'data-timeout-seconds="10"' in page and 'data-warning-seconds="5"' in page


def test_stay_signed_in_renews_the_session_and_says_when_it_has_ended() -> None:
    person = f.user()
    client = signed_in(person)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(seconds=5)
    )
    response = client.post(reverse("session:extend"))
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "seconds": settings.SESSION_COOKIE_AGE}
    renewed = Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert renewed.expire_date > timezone.now() + timedelta(
        seconds=settings.SESSION_COOKIE_AGE - 60
    )
    end_session(client)
    assert client.post(reverse("session:extend")).status_code == 401
    assert Client().get(reverse("session:extend")).status_code == 405


def test_a_locked_sign_in_links_its_error_to_the_username_field() -> None:
    person = f.user()
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 1):
        response = client.post(
            reverse("accounts:sign-in"), {"username": person.username, "password": "wrong"}
        )
    html = response.content.decode()
    assert "too many failed attempts" in html
    assert error_pattern_problems(html) == []


@pytest.mark.parametrize(
    "data",
    [{}, {"username": "nobody", "password": "wrong"}],
)
def test_sign_in_errors_follow_the_error_pattern(data: dict[str, str]) -> None:
    response = Client().post(reverse("accounts:sign-in"), data)
    assert error_pattern_problems(response.content.decode()) == []


def test_register_errors_follow_the_error_pattern() -> None:
    response = Client().post(reverse("accounts:register"), {"password": "short"})
    assert error_pattern_problems(response.content.decode()) == []


def test_an_error_about_the_whole_form_links_to_its_first_field() -> None:
    """The summary's backstop for any app's form that still raises a form-wide error."""
    from django import forms
    from django.template import engines

    class Form(forms.Form):
        name = forms.CharField()

        def clean(self) -> None:
            raise forms.ValidationError("These answers do not go together")

    form = Form({"name": "x"})
    form.is_valid()
    html = (
        engines["django"]
        .from_string('{% include "includes/error_summary.html" %}')
        .render({"form": form})
    )
    assert '<a href="#id_name">These answers do not go together</a>' in html
