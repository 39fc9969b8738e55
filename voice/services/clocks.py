"""The clocks feedback runs on (the area's own, or the defaults) and the daily escalation of what
is past its deadline."""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from rules.voice import DEFAULT_CLOCKS, Clock
from rules.voice.areas import AreaClocks, load_areas
from voice.models import Feedback, QualityCheck
from wellbeing_hub.notifications import notify


@functools.cache
def _areas() -> dict[str, AreaClocks]:
    return load_areas()


def clock_area() -> AreaClocks | None:
    """The area this deployment's clocks come from (setting ``VOICE_CLOCK_AREA``), if listed
    in ``rules/voice/data/area_clocks.yaml``."""
    return _areas().get(getattr(settings, "VOICE_CLOCK_AREA", "") or "")


def clock_for(kind: str) -> Clock:
    """The clock for ``kind``: the area's own where it sets one, else the defaults."""
    area = clock_area()
    return area.clock_for(kind) if area is not None else DEFAULT_CLOCKS[kind]


@transaction.atomic
def escalate_overdue(today: dt.date | None = None) -> list[Feedback | QualityCheck]:
    """Mark feedback past a deadline, and quality-check reports past their response deadline,
    as escalated to the commissioners and tell them, once."""
    from voice import selectors

    today = today or timezone.localdate()
    found: list[Feedback | QualityCheck] = [
        f for f in selectors.overdue(today) if f.escalated_at is None
    ]
    checks = [c for c in selectors.overdue_checks(today) if c.escalated_at is None]
    if not found and not checks:
        return []
    now = timezone.now()
    Feedback.objects.filter(pk__in=[f.pk for f in found]).update(escalated_at=now)
    QualityCheck.objects.filter(pk__in=[c.pk for c in checks]).update(escalated_at=now)
    lines = []
    for item in [*found, *checks]:
        item.escalated_at = now
        record_audit(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            target=item,
            summary="Voice: overdue, escalated",
        )
        what = (
            f"quality check report on {item.subject_name}: no response"
            if isinstance(item, QualityCheck)
            else item.subject_name
        )
        lines.append(f"{item.reference}: {what}")
    commissioners = list(
        User.objects.filter(groups__name=Role.COMMISSIONER, is_active=True).values_list(
            "email", flat=True
        )
    )
    notify(
        f"{len(lines)} feedback items are overdue",
        "\n".join(lines),
        commissioners,
        kind="feedback_moderation",
    )
    return [*found, *checks]
