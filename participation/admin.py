"""Admin screens for rounds, projects and panels.

Ballots, participations, paper entries and the link key are deliberately not registered: no admin
screen shows who voted next to what was voted (see docs/participation.md, "Ballot secrecy")."""

from django.contrib import admin

from participation.models import CostLine, Panel, PanelItem, Project, Round


class CostLineInline(admin.TabularInline):
    model = CostLine
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "pot", "voting_open", "voting_close"]
    list_filter = ["phase"]
    # The phase moves only through the service, which checks readiness and closes the vote.
    readonly_fields = ["phase", "published_at"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "round", "status", "cost"]
    list_filter = ["status", "round"]
    inlines = [CostLineInline]
    readonly_fields = ["status", "cost"]


class PanelItemInline(admin.TabularInline):
    model = PanelItem
    extra = 0


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "size", "seed"]
    readonly_fields = ["status", "seed", "draw_record", "result"]
    inlines = [PanelItemInline]
