"""The GOV.UK Service Standard's basic pages: accessibility statement, privacy notice, cookies,
contact and feedback (issue 13). Each page reads the settings it describes, so what it says stays
true when a deployment changes them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import Role
from accounts.selectors import emails_for_role
from wellbeing_hub.notifications import notify

FEEDBACK_MAX_CHARS = 1200


def _contact() -> dict[str, str]:
    """How to reach the people who run the service. CONTACT_EMAIL and CONTACT_PHONE are optional
    settings; without them the pages point to the feedback form, which reaches coordinators."""
    return {
        "email": getattr(settings, "CONTACT_EMAIL", ""),
        "phone": getattr(settings, "CONTACT_PHONE", ""),
    }


def _minutes(seconds: int) -> int:
    return max(1, seconds // 60)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html", {"contact": _contact()})


def privacy(request: HttpRequest) -> HttpResponse:
    context = {
        "contact": _contact(),
        "session_minutes": _minutes(settings.SESSION_COOKIE_AGE),
        "lockout_minutes": _minutes(settings.LOGIN_LOCKOUT_SECONDS),
        "token_days": settings.TIMEBANK_API_TOKEN_DAYS,
    }
    return render(request, "pages/privacy.html", context)


def cookie_rows() -> list[dict[str, Any]]:
    """Every cookie the platform sets: all strictly necessary, none for analytics or advertising."""
    csrf_days = settings.CSRF_COOKIE_AGE // 86400 if settings.CSRF_COOKIE_AGE else None
    session_minutes = _minutes(settings.SESSION_COOKIE_AGE)
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "purpose": "Keeps you signed in as you move from page to page.",
            "expires": "When you close your browser, or after "
            f"{session_minutes} minutes without activity",
        },
        {
            "name": settings.CSRF_COOKIE_NAME,
            "purpose": "Stops other websites sending forms to this service pretending to be you.",
            "expires": f"After {csrf_days} days" if csrf_days else "When you close your browser",
        },
        {
            "name": "messages",
            "purpose": "Carries a message such as “Your idea has been sent” to the next page.",
            "expires": "As soon as the message is shown, or when you close your browser",
        },
    ]


def cookies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/cookies.html",
        {"cookies": cookie_rows(), "session_minutes": _minutes(settings.SESSION_COOKIE_AGE)},
    )


def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/contact.html", {"contact": _contact()})


class FeedbackForm(forms.Form):
    opinion = forms.ChoiceField(
        label="Overall, how did you feel about the service you used today?",
        choices=[
            ("very-satisfied", "Very satisfied"),
            ("satisfied", "Satisfied"),
            ("neither", "Neither satisfied nor dissatisfied"),
            ("dissatisfied", "Dissatisfied"),
            ("very-dissatisfied", "Very dissatisfied"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you felt about the service"},
    )
    improve = forms.CharField(
        label="How could we improve this service?",
        required=False,
        max_length=FEEDBACK_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Do not include personal or financial information, like your National Insurance "
        f"number or bank details. Up to {FEEDBACK_MAX_CHARS:,} characters.",
        error_messages={
            "max_length": f"How we could improve the service must be {FEEDBACK_MAX_CHARS:,} "
            "characters or fewer"
        },
    )


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        opinion = dict(form.fields["opinion"].choices)[form.cleaned_data["opinion"]]  # type: ignore[attr-defined]
        recipients = [*emails_for_role(Role.COORDINATOR), _contact()["email"]]
        recipients = [r for r in recipients if r]
        if not recipients:
            # Never pretend: the feedback is not stored, so say it could not be passed on.
            form.add_error(
                "opinion",
                "We cannot pass on feedback at the moment because nobody is set up to receive it. "
                "Try again later",
            )
            return render(
                request, "pages/feedback.html", {"form": form, "contact": _contact()}, status=503
            )
        notify(
            f"Feedback on {settings.AREA_NAME}: {opinion}",
            f"{opinion}\n\n{form.cleaned_data['improve'] or '(no comment)'}\n",
            recipients,
            kind="site_feedback",
        )
        messages.success(request, "Thank you for your feedback.")
        return redirect("home")
    return render(request, "pages/feedback.html", {"form": form, "contact": _contact()})
