"""Pages for choosing which emails you get, and the unsubscribe link in each email's footer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import notification_preferences
from accounts.forms import NO_OPTIONAL_EMAILS, NotificationChoicesForm
from accounts.models import User
from wellbeing_hub.notifications import read_unsubscribe_token


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    choices = notification_preferences.choices_for(user)
    optional = [(k, on) for k, on in choices if k.optional]
    always = [k for k, _ in choices if not k.optional]
    codes = [k.code for k, _ in optional]
    if request.method == "POST":
        form = NotificationChoicesForm(request.POST, codes=codes)
        if form.is_valid():
            notification_preferences.save_choices(
                user=user, wanted=form.cleaned_data["kinds"], request=request
            )
            messages.success(request, "Your email choices have been saved.")
            return redirect("accounts:notifications")
        selected = set(request.POST.getlist("kinds"))
    else:
        form = NotificationChoicesForm(codes=codes)
        selected = {k.code for k, on in optional if on}
        if optional and not selected:
            selected = {NO_OPTIONAL_EMAILS}
    context = {
        "form": form,
        "optional": optional,
        "always": always,
        "selected": selected,
        "none_value": NO_OPTIONAL_EMAILS,
    }
    return render(
        request,
        "accounts/notifications.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


# The token in the address is the proof (signed, made only by this site), and mail programs that
# unsubscribe in one click (RFC 8058) send a POST with no cookie, so there is no CSRF token to check.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop one kind of email without signing in. Opening the link only asks (mail scanners open
    links); the button, or a mail program's one-click POST, turns the kind off."""
    read = read_unsubscribe_token(token)
    if read is None:
        return render(request, "accounts/unsubscribe_invalid.html", status=404)
    user_ids, found = read
    if request.method == "POST":
        notification_preferences.unsubscribe(
            user_ids=user_ids, kind_code=found.code, request=request
        )
        return render(request, "accounts/unsubscribed.html", {"kind": found})
    return render(request, "accounts/unsubscribe.html", {"kind": found})
