from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts import services
from accounts.models import AuditEvent, ErasureRequest, User


def _selected(request: HttpRequest) -> list[str]:
    return request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)


@admin.register(User)
class HubUserAdmin(UserAdmin[User]):
    fieldsets = (*UserAdmin.fieldsets, ("Wellbeing Hub", {"fields": ("display_name",)}))  # type: ignore[misc]
    list_display = ("username", "display_name", "email", "is_staff", "is_active")
    actions = ["request_erasure"]

    @admin.action(
        description="Request erasure of the selected people (a second staff member confirms)",
        permissions=["request_erasure"],
    )
    def request_erasure(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        error = ""
        if request.POST.get("apply"):
            reason = request.POST.get("reason", "")
            if not reason.strip():
                error = (
                    "Enter the reason: how and when the person asked to be erased, for example "
                    "'Letter received 1 December'."
                )
            else:
                for person in queryset.order_by("pk"):
                    try:
                        erasure = services.request_erasure(
                            person=person,
                            requested_by=request.user,  # type: ignore[arg-type]
                            reason=reason,
                            request=request,
                        )
                    except services.ErasureRefused as refused:
                        self.message_user(request, refused.message, messages.ERROR)
                    else:
                        self.message_user(
                            request,
                            f"Erasure request {erasure.pk} for {person.username} recorded. A "
                            "different staff member must confirm it under Erasure requests.",
                            messages.SUCCESS,
                        )
                return None
        return TemplateResponse(
            request,
            "admin/accounts/user/request_erasure.html",
            {
                **self.admin_site.each_context(request),
                "title": "Request erasure",
                "opts": self.model._meta,
                "people": queryset.order_by("username"),
                "selected": _selected(request),
                "action": "request_erasure",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "reason": request.POST.get("reason", ""),
                "error": error,
            },
        )

    def has_request_erasure_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.add_erasurerequest")


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin[ErasureRequest]):
    """Read-only: requests are recorded from the user list and confirmed or withdrawn with the
    actions here (never by the member who recorded them)."""

    list_display = (
        "pk",
        "person",
        "reason",
        "requested_by",
        "requested_at",
        "status",
        "confirmed_by",
        "confirmed_at",
    )
    list_select_related = ("person", "requested_by", "confirmed_by")
    actions = ["confirm_erasure", "withdraw_erasure"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_confirm_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.confirm_erasurerequest")

    @admin.action(
        description="Confirm the selected erasure requests (erases the people)",
        permissions=["confirm"],
    )
    def confirm_erasure(
        self, request: HttpRequest, queryset: QuerySet[ErasureRequest]
    ) -> HttpResponse | None:
        if request.POST.get("apply"):
            for erasure in queryset.order_by("pk"):
                try:
                    services.confirm_erasure(
                        erasure_request=erasure.pk,
                        confirmed_by=request.user,  # type: ignore[arg-type]
                        request=request,
                    )
                except services.ErasureRefused as refused:
                    self.message_user(request, refused.message, messages.ERROR)
                else:
                    self.message_user(
                        request,
                        f"Erasure request {erasure.pk} confirmed: the person has been erased.",
                        messages.SUCCESS,
                    )
            return None
        return TemplateResponse(
            request,
            "admin/accounts/erasurerequest/confirm_erasure.html",
            {
                **self.admin_site.each_context(request),
                "title": "Confirm erasure",
                "opts": self.model._meta,
                "requests": queryset.select_related("person", "requested_by").order_by("pk"),
                "selected": _selected(request),
                "action": "confirm_erasure",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Withdraw the selected erasure requests", permissions=["confirm"])
    def withdraw_erasure(self, request: HttpRequest, queryset: QuerySet[ErasureRequest]) -> None:
        for erasure in queryset.order_by("pk"):
            try:
                services.withdraw_erasure(
                    erasure_request=erasure.pk,
                    withdrawn_by=request.user,  # type: ignore[arg-type]
                    request=request,
                )
            except services.ErasureRefused as refused:
                self.message_user(request, refused.message, messages.ERROR)
            else:
                self.message_user(request, f"Erasure request {erasure.pk} withdrawn.")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit trail is append-only, even for staff."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "subject", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id", "actor__username", "subject__username")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
