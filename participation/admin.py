"""Admin screens for rounds, projects and panels.

Ballots, participations, paper entries and the link key are deliberately not registered: no admin
screen shows who voted next to what was voted (see docs/participation.md, "Ballot secrecy").

Once voting has opened, a round's counting rules, pot, ballot type and limits and eligibility are
read-only here (and refused by ``update_round``, which every save goes through), and so
are a project's round, neighbourhood and cost lines. Every change to a round is audited field by
field, with the values before and after.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from accounts.http import signed_in_user
from accounts.models import AuditEvent
from accounts.services import record_audit
from participation.models import CostLine, Panel, PanelItem, Project, Round
from participation.services.rounds import (
    ROUND_EDITABLE,
    locked_message,
    locked_round_fields,
    update_round,
    voting_has_opened,
)


class CostLineInline(admin.TabularInline[CostLine, Project]):
    model = CostLine
    extra = 0

    def _locked(self, obj: Project | None) -> bool:
        return obj is not None and voting_has_opened(obj.round)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class RoundAdminForm(forms.ModelForm[Round]):
    class Meta:
        model = Round
        fields = [
            "title",
            "description",
            "pot",
            "vote_type",
            "max_choices",
            "max_points",
            "rule",
            "completion",
            "min_age",
            "registration_rule",
            "neighbourhoods",
            "ideas_open",
            "ideas_close",
            "pitches_open",
            "voting_open",
            "voting_close",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk:
            current = Round.objects.get(pk=self.instance.pk)
            for field in sorted(locked_round_fields(current) & set(self.changed_data)):
                self.add_error(field, locked_message(field))
        return data


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin[Round]):
    form = RoundAdminForm
    list_display = ["title", "phase", "pot", "voting_open", "voting_close"]
    list_filter = ["phase"]
    # The phase moves only through the service, which checks readiness and closes the vote.
    readonly_fields = ["phase", "published_at", "slug", "created_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += sorted(locked_round_fields(obj))
        return fields

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        round_ = Round.objects.filter(pk=object_id).first()
        if request.method == "GET" and round_ is not None and voting_has_opened(round_):
            messages.warning(
                request,
                "Read only: voting has opened, so the pot, how people vote and the limits, the "
                "counting rule and who may vote can no longer change.",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Round, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            record_audit(
                actor=signed_in_user(request),
                action=AuditEvent.Action.CREATE,
                target=obj,
                summary=f"Admin: created PB round {obj.slug}",
                request=request,
            )
            return
        changes = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in ROUND_EDITABLE
        }
        update_round(
            round_=obj,
            by=signed_in_user(request),
            changes=changes,
            request=request,
            how="Admin: ",
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            form.cleaned_data.pop("neighbourhoods", None)  # already set by update_round
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and voting_has_opened(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Round) -> None:
        record_audit(
            actor=signed_in_user(request),
            action=AuditEvent.Action.DELETE,
            target=obj,
            summary=f"Admin: deleted PB round {obj.slug}",
            request=request,
        )
        super().delete_model(request, obj)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Project]):
    list_display = ["title", "round", "status", "cost"]
    list_filter = ["status", "round"]
    inlines = [CostLineInline]
    readonly_fields = ["status", "cost"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and voting_has_opened(obj.round):
            fields += ["round", "district"]
        return fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and voting_has_opened(obj.round):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Project, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_audit(
            actor=signed_in_user(request),
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            target=obj,
            summary=f"Admin: {'changed' if change else 'created'} project {obj.pk} "
            f"({', '.join(form.changed_data) or 'no fields'})",
            request=request,
        )


class PanelItemInline(admin.TabularInline[PanelItem, Panel]):
    model = PanelItem
    extra = 0


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin[Panel]):
    list_display = ["title", "status", "size", "seed_commitment"]
    # The seed stays secret until the draw (it is revealed in the draw record), and the pool file,
    # quorum and balance rule are fixed by the services, never edited here.
    exclude = ["secret_seed"]
    readonly_fields = [
        "status",
        "seed",
        "seed_commitment",
        "announced_at",
        "pool_file",
        "quorum",
        "balance_tolerance",
        "draw_record",
        "result",
    ]
    inlines = [PanelItemInline]
