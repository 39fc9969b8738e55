from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts import kept_posts, services
from accounts.forms import RegisterForm, SignInForm
from accounts.http import signed_in_user
from accounts.models import AuditEvent


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return None


def _lockout_minutes() -> int:
    return max(1, -(-settings.LOGIN_LOCKOUT_SECONDS // 60))


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        # Counted before the password is checked: parallel guesses cannot overtake the limit.
        attempt = services.begin_sign_in(username, request)
        if not attempt.allowed:
            # On the username, so the error summary links to a field (GOV.UK error pattern).
            form.add_error(
                "username",
                "There have been too many failed attempts to sign in. Wait "
                f"{_lockout_minutes()} minutes and try again, or ask a coordinator to reset your "
                "password.",
            )
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                services.sign_in_failed(attempt, request)
                form.add_error(
                    "username",
                    "Enter a username and password that match an account. Check for typing "
                    "mistakes: passwords are case-sensitive",
                )
            else:
                services.sign_in_succeeded(attempt)
                login(request, user)
                resume = request.GET.get("resume") or request.POST.get("resume")
                services.record_audit(
                    actor=user,
                    action=AuditEvent.Action.SIGN_IN,
                    target=user,
                    subject=user,
                    request=request,
                )
                if kept_posts.peek(request, resume):
                    return redirect("session:continue", resume)
                return redirect(_safe_next(request) or "accounts:home")
    context = {
        "form": form,
        "next": _safe_next(request),
        "resume": request.GET.get("resume") or request.POST.get("resume"),
        "idle_minutes": max(1, settings.SESSION_COOKIE_AGE // 60),
    }
    return render(request, "accounts/sign_in.html", context, status=status)


@login_required
def continue_after_sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """What the person sent when their session had ended, ready to send again (once)."""
    kept = kept_posts.take(request, token)
    if kept is not None and not (
        kept.path.startswith("/")
        and url_has_allowed_host_and_scheme(kept.path, {request.get_host()}, request.is_secure())
    ):
        kept = None  # only ever sent back to this site
    if kept is None:
        messages.info(
            request,
            "There was nothing waiting to be sent, or it was more than an hour old. "
            "Check your answers and send them again.",
        )
        return redirect("accounts:home")
    shown = [
        (name.replace("_", " ").replace("-", " ").strip().capitalize(), value)
        for name, value in kept.fields
        if value.strip()
    ]
    return render(
        request,
        "accounts/continue.html",
        {"kept": kept, "shown": shown, "idle_minutes": max(1, settings.SESSION_COOKIE_AGE // 60)},
    )


@require_http_methods(["POST"])
def extend_session(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in" in the timeout warning: any request renews the session; this one says for
    how long, or that the session has already ended."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    request.session.modified = True
    return JsonResponse({"signed_in": True, "seconds": settings.SESSION_COOKIE_AGE})


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        messages.success(request, "You have signed out.")
        return redirect("home")
    return render(request, "accounts/sign_out.html")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.register_person(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            display_name=form.cleaned_data["display_name"],
            carer=form.cleaned_data["carer"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your account has been created.")
        return redirect("accounts:home")
    return render(request, "accounts/register.html", {"form": form})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    events = signed_in_user(request).audit_about_me.select_related("actor")[:20]
    return render(request, "accounts/home.html", {"events": events})


@login_required
@require_http_methods(["GET", "POST"])
def download_my_data(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/download.html")
    user = signed_in_user(request)
    data = services.export_personal_data(
        person=user,
        requested_by=user,
        request=request,
    )
    response = HttpResponse(
        json.dumps(data, indent=2, default=str), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-wellbeing-hub-data.json"'
    return response
