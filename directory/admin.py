"""The directory in the Django admin, for staff. Providers and coordinators use the site's own
pages; the admin is for corrections and set-up."""

from typing import TypeVar

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from directory import models

# Longest search the admin runs: a 100,000-character search made SQLite refuse the query ("LIKE or
# GLOB pattern too complex", a 500); no name or id is longer than 250 characters.
MAX_SEARCH_CHARS = 250

_M = TypeVar("_M", bound=Model)


class BoundedSearch(admin.ModelAdmin[_M]):
    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[_M], search_term: str
    ) -> tuple[QuerySet[_M], bool]:
        return super().get_search_results(request, queryset, search_term[:MAX_SEARCH_CHARS])


class TransparencyFactInline(admin.TabularInline[models.TransparencyFact, models.Organization]):
    model = models.TransparencyFact
    extra = 0


class OnboardingCheckInline(admin.TabularInline[models.OnboardingCheck, models.Organization]):
    model = models.OnboardingCheck
    extra = 0
    autocomplete_fields = ["confirmed_by"]


class MemberInline(admin.TabularInline[models.OrganizationMember, models.Organization]):
    model = models.OrganizationMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Organization)
class OrganizationAdmin(BoundedSearch[models.Organization]):
    list_display = ("name", "provider_kind", "staff_count", "last_modified")
    list_filter = ("provider_kind",)
    search_fields = ("name", "alternate_name")
    inlines = [TransparencyFactInline, OnboardingCheckInline, MemberInline]


class CostOptionInline(admin.TabularInline[models.CostOption, models.Service]):
    model = models.CostOption
    extra = 0


class ScheduleInline(admin.TabularInline[models.Schedule, models.Service]):
    model = models.Schedule
    extra = 0
    fields = ("byday", "opens_at", "closes_at", "valid_from", "valid_to", "description")


class LanguageInline(admin.TabularInline[models.Language, models.Service]):
    model = models.Language
    extra = 0


class AttributeInline(admin.TabularInline[models.Attribute, models.Service]):
    model = models.Attribute
    extra = 0
    autocomplete_fields = ["taxonomy_term"]


@admin.register(models.Service)
class ServiceAdmin(BoundedSearch[models.Service]):
    list_display = ("name", "organization", "status", "accepts_personal_budgets", "cqc_rating")
    list_filter = ("status", "accepts_personal_budgets", "accepts_time_credits", "cqc_rating")
    search_fields = ("name", "organization__name")
    autocomplete_fields = ["organization"]
    inlines = [AttributeInline, CostOptionInline, ScheduleInline, LanguageInline]


@admin.register(models.TaxonomyTerm)
class TaxonomyTermAdmin(BoundedSearch[models.TaxonomyTerm]):
    list_display = ("name", "parent", "taxonomy")
    search_fields = ("name",)


admin.site.register(models.Taxonomy)
admin.site.register(models.Neighbourhood)


@admin.register(models.Review)
class ReviewAdmin(admin.ModelAdmin[models.Review]):
    list_display = ("service", "rating", "state", "created_at")
    list_filter = ("state",)


@admin.register(models.ListingChange)
class ListingChangeAdmin(admin.ModelAdmin[models.ListingChange]):
    list_display = ("service", "organization", "state", "submitted_at", "decided_at")
    list_filter = ("state",)
