"""The roles people hold. Each is a Django group of the same name, so staff manage them in the admin
and a person can hold several (a carer who is also a time bank member, say)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PERSON = "person", "Person using support"
    CARER = "carer", "Carer or family supporter"
    PROVIDER = "provider", "Provider"
    BROKER = "broker", "Broker or support planner"
    COORDINATOR = "coordinator", "Coordinator"
    COMMISSIONER = "commissioner", "Commissioner"
    ADMINISTRATOR = "administrator", "Administrator"
    # Works for the independent voice organisation (local Healthwatch or its successor), not for
    # the council or a provider: moderates feedback and sees who gave it when they asked not to be
    # named to the provider.
    MODERATOR = "moderator", "Independent voice moderator"
    # Social prescribing: takes referrals from GP practices, hospitals and people themselves, has
    # the "what matters to you" conversation and connects the person to community support.
    LINK_WORKER = "link_worker", "Social prescribing link worker"
    # Works for a Shared Lives scheme: assesses and approves carers, matches and supports placements.
    SHARED_LIVES_WORKER = "shared_lives_worker", "Shared Lives scheme worker"
