"""Admin: an administrator enters the area's own (more generous) charging figures for a year."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from budgets import access, charging
from budgets.models import CaseTeam, LocalChargingFigure, NationalChargingFigure
from budgets.services._common import BudgetsError
from budgets.services.charging import (
    check_local_figure,
    confirm_national_figure,
    enter_national_figure,
)


def _staff(request: HttpRequest) -> User:
    """The signed-in member of staff (the admin site lets nobody else in)."""
    user = request.user
    assert isinstance(user, User), "the admin site only lets signed-in staff in"
    return user


def _may_enter(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and access.can_enter_charging_figures(user)


class LocalChargingFigureForm(forms.ModelForm[LocalChargingFigure]):
    parameter = forms.ChoiceField(
        choices=[],
        help_text="Only figures a council may set locally are listed. A local figure must be at "
        "least as generous as the national one in force on its date.",
    )

    class Meta:
        model = LocalChargingFigure
        fields = ["area", "parameter", "year", "value", "applies_from", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["parameter"]).choices = [
            (name, f"{name} – {description}")
            for name, description in charging.overridable_parameters()
        ]
        if not self.instance.pk:
            self.fields["area"].initial = charging.current_area()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if all(cleaned.get(k) is not None for k in ("parameter", "value", "applies_from")):
            try:
                check_local_figure(cleaned["parameter"], cleaned["value"], cleaned["applies_from"])
            except BudgetsError as error:
                self.add_error("value", error.message)
        return cleaned


@admin.register(LocalChargingFigure)
class LocalChargingFigureAdmin(admin.ModelAdmin[LocalChargingFigure]):
    form = LocalChargingFigureForm
    list_display = ("area", "parameter", "year", "value", "applies_from", "entered_by")
    list_filter = ("area", "year", "parameter")

    def save_model(
        self,
        request: HttpRequest,
        obj: LocalChargingFigure,
        form: forms.ModelForm[LocalChargingFigure],
        change: bool,
    ) -> None:
        obj.entered_by = _staff(request)
        super().save_model(request, obj, form, change)


class NationalChargingFigureForm(forms.ModelForm[NationalChargingFigure]):
    parameter = forms.ChoiceField(
        choices=[],
        help_text="The national figure as printed in the DHSC local authority circular for the "
        "year. A different person must confirm it before the calculator uses it.",
    )

    class Meta:
        model = NationalChargingFigure
        fields = ["parameter", "year", "value", "applies_from", "source", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["parameter"]).choices = [
            (name, f"{name} – {description}")
            for name, description in charging.national_parameters()
        ]


@admin.register(NationalChargingFigure)
class NationalChargingFigureAdmin(admin.ModelAdmin[NationalChargingFigure]):
    """One person enters a new year's national figures from the circular; a different person
    checks each against the circular and confirms it ("Confirm" action). Only confirmed figures
    are used, from the moment they are confirmed. A confirmed figure cannot be changed or deleted
    (enter a new one and have it confirmed)."""

    form = NationalChargingFigureForm
    list_display = (
        "parameter",
        "year",
        "value",
        "applies_from",
        "entered_by",
        "confirmed_by",
        "confirmed_at",
    )
    list_filter = ("year", "parameter")
    actions = ["confirm", "download_figures"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_enter(request) or super().has_module_permission(request)

    def has_view_permission(
        self, request: HttpRequest, obj: NationalChargingFigure | None = None
    ) -> bool:
        return _may_enter(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_enter(request)

    def has_change_permission(
        self, request: HttpRequest, obj: NationalChargingFigure | None = None
    ) -> bool:
        return _may_enter(request) and (
            obj is None or (obj.confirmed_at is None and obj.entered_by_id == request.user.pk)
        )

    def has_delete_permission(
        self, request: HttpRequest, obj: NationalChargingFigure | None = None
    ) -> bool:
        return self.has_change_permission(request, obj) and obj is not None

    def save_model(
        self,
        request: HttpRequest,
        obj: NationalChargingFigure,
        form: forms.ModelForm[NationalChargingFigure],
        change: bool,
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            record_audit(
                actor=_staff(request),
                action=AuditEvent.Action.UPDATE,
                target=obj,
                summary=f"Changed unconfirmed national charging figure to {obj}",
                request=request,
            )
            return
        created = enter_national_figure(
            actor=_staff(request),
            parameter=obj.parameter,
            value=obj.value,
            year=obj.year,
            applies_from=obj.applies_from,
            source=obj.source,
            note=obj.note,
            request=request,
        )
        obj.pk = created.pk
        obj.entered_by = created.entered_by

    @admin.action(description="Download every confirmed and local figure for the command line")
    def download_figures(
        self, request: HttpRequest, queryset: QuerySet[NationalChargingFigure]
    ) -> HttpResponse:
        """The figures the web calculator uses today, as one YAML file for
        ``wellbeing-hub charges calc INPUT.yaml --figures FILE`` (the selection does not matter)."""
        import yaml

        record_audit(
            actor=_staff(request),
            action=AuditEvent.Action.EXPORT,
            target=None,
            summary="Downloaded the charging figures file for the command line",
            request=request,
        )
        response = HttpResponse(
            yaml.safe_dump(charging.figures_document(), sort_keys=True, allow_unicode=True),
            content_type="application/yaml; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="charging-figures.yaml"'
        return response

    @admin.action(description="Confirm the selected figures (checked against the circular)")
    def confirm(self, request: HttpRequest, queryset: QuerySet[NationalChargingFigure]) -> None:
        done, refused = 0, 0
        for figure in queryset:
            try:
                confirm_national_figure(figure=figure, actor=_staff(request), request=request)
            except (BudgetsError, access.NotAllowed):
                refused += 1
            else:
                done += 1
        if done:
            self.message_user(request, f"Confirmed {done}: the calculator uses them from now.")
        if refused:
            self.message_user(
                request,
                f"{refused} not confirmed: a different person from the one who entered a figure "
                "must confirm it.",
                level=messages.ERROR,
            )


@admin.register(CaseTeam)
class CaseTeamAdmin(admin.ModelAdmin[CaseTeam]):
    """Teams of practitioners who share a caseload. Every change of name or members is audited,
    because membership decides whose records a practitioner may open."""

    list_display = ("name",)
    filter_horizontal = ("members",)

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[CaseTeam],
        formsets: Any,
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        team = form.instance
        members = ", ".join(sorted(u.get_full_name() for u in team.members.all()))
        record_audit(
            actor=_staff(request),
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            target=team,
            summary=f"Caseload team '{team.name}' members: {members or 'none'}",
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: CaseTeam) -> None:
        record_audit(
            actor=_staff(request),
            action=AuditEvent.Action.DELETE,
            target=obj,
            summary=f"Deleted the caseload team '{obj.name}'",
            request=request,
        )
        super().delete_model(request, obj)
