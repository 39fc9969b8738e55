"""Evidence for commissioners: projects with their SROI case, and the figures an area loads.

A project's case is stored as the same structure ``wellbeing-hub sroi calc`` reads (see
``rules/sroi``), so anyone can download it and recount the report. Nothing here is about a named
person: the platform figures fed in are counts and totals.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Project(models.Model):
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True, default="", max_length=2000)
    case = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class AreaProxy(models.Model):
    """A financial proxy the area has chosen, with where it comes from and its licence."""

    name = models.CharField(max_length=200, unique=True)
    description = models.CharField(max_length=500, blank=True, default="")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    price_year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=1000)
    licence = models.CharField(max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeflatorYear(models.Model):
    """One year of the deflator series the area loaded (e.g. HM Treasury's GDP deflators)."""

    year = models.PositiveSmallIntegerField(unique=True)
    index = models.DecimalField(max_digits=10, decimal_places=4)
    source = models.CharField(max_length=1000)

    class Meta:
        ordering = ["year"]


class CoproductionSession(models.Model):
    """Time spent designing or running something together, recorded by the organisation: members'
    (people who use services, carers, residents) hours beside staff hours, as Mosaic Clubhouse
    counts them. Staff hours may be unknown (blank), never guessed as zero."""

    organisation = models.CharField(max_length=200)
    held_on = models.DateField()
    description = models.CharField(max_length=500)
    member_hours = models.DecimalField(max_digits=8, decimal_places=2)
    staff_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "organisation", "pk"]


class SearchDemand(models.Model):
    """A directory search that found little (the gap in the market). No person, session or
    address is kept: the day, the words as normalised, the neighbourhood filter and the count."""

    day = models.DateField(db_index=True)
    words = models.CharField(max_length=100)
    neighbourhood = models.CharField(max_length=120, blank=True, default="")
    results = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["words", "neighbourhood"])]
