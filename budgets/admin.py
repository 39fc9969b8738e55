"""Admin: an administrator enters the area's own (more generous) charging figures for a year."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from accounts.models import AuditEvent
from accounts.services import record_audit
from budgets import charging, services
from budgets.models import CaseTeam, LocalChargingFigure


class LocalChargingFigureForm(forms.ModelForm):
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
        self.fields["parameter"].choices = [
            (name, f"{name} – {description}")
            for name, description in charging.overridable_parameters()
        ]
        if not self.instance.pk:
            self.fields["area"].initial = charging.current_area()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if all(cleaned.get(k) is not None for k in ("parameter", "value", "applies_from")):
            try:
                services.check_local_figure(
                    cleaned["parameter"], cleaned["value"], cleaned["applies_from"]
                )
            except services.BudgetsError as error:
                self.add_error("value", error.message)
        return cleaned


@admin.register(LocalChargingFigure)
class LocalChargingFigureAdmin(admin.ModelAdmin):
    form = LocalChargingFigureForm
    list_display = ("area", "parameter", "year", "value", "applies_from", "entered_by")
    list_filter = ("area", "year", "parameter")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CaseTeam)
class CaseTeamAdmin(admin.ModelAdmin):
    """Teams of practitioners who share a caseload. Every change of name or members is audited,
    because membership decides whose records a practitioner may open."""

    list_display = ("name",)
    filter_horizontal = ("members",)

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        team = form.instance
        members = ", ".join(sorted(u.get_full_name() for u in team.members.all()))
        record_audit(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            target=team,
            summary=f"Caseload team '{team.name}' members: {members or 'none'}",
            request=request,
        )

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        record_audit(
            actor=request.user,
            action=AuditEvent.Action.DELETE,
            target=obj,
            summary=f"Deleted the caseload team '{obj.name}'",
            request=request,
        )
        super().delete_model(request, obj)
