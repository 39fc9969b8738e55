"""What needs doing in people's voice, for staff home pages. Read-only; names nobody."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.worklist import Section, Task
from voice import selectors
from voice.permissions import is_commissioner, is_moderator


def moderation_task(today: dt.date | None = None) -> Task:
    today = today or timezone.localdate()
    dues = list(selectors.moderation_queue().values_list("acknowledge_by", flat=True))
    return Task(
        label="Feedback waiting for moderation",
        count=len(dues),
        url=reverse("voice:moderation"),
        when=min(dues) if dues else None,
        when_label="Oldest to acknowledge by",
        overdue=sum(1 for due in dues if due < today),
        overdue_label="past the acknowledgement deadline",
    )


def overdue_task(today: dt.date | None = None) -> Task:
    items = selectors.overdue(today)
    return Task(
        label="Overdue feedback",
        count=len(items),
        url=reverse("voice:overdue"),
        overdue=len(items),
        overdue_label="past a deadline",
    )


def responder_task(user: User, today: dt.date | None = None) -> Task | None:
    today = today or timezone.localdate()
    items = [f for f in selectors.for_responder(user) if f.responded_at is None]
    if not items:
        return None
    return Task(
        label="Feedback to acknowledge or answer",
        count=len(items),
        url=reverse("voice:responder"),
        when=min(f.respond_by for f in items),
        when_label="Next response due by",
        overdue=sum(
            1
            for f in items
            if selectors.ack_overdue(f, today) or selectors.response_overdue(f, today)
        ),
    )


def sections_for(user: User) -> list[Section]:
    """The voice sections of a staff home page: moderators, commissioners, responders."""
    found: list[Section] = []
    if is_moderator(user):
        found.append(
            Section(
                key="voice-moderation",
                title="Feedback: moderation",
                tasks=(moderation_task(), overdue_task()),
                links=(("Moderation queue", reverse("voice:moderation")),),
            )
        )
    elif is_commissioner(user):
        found.append(
            Section(
                key="voice-overdue",
                title="Feedback past its deadline",
                tasks=(overdue_task(),),
                links=(("Feedback figures", reverse("voice:statistics")),),
            )
        )
    answer = responder_task(user)
    if answer is not None:
        found.append(Section(key="voice-respond", title="Feedback to answer", tasks=(answer,)))
    return found
