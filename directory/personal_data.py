"""What the directory holds about a person, for export and erasure requests."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.services import register_personal_data
from directory.models import Enquiry, EnquiryDelivery, EnquiryMessage, Review


def _delivery(message: EnquiryMessage) -> dict[str, Any] | None:
    delivery: EnquiryDelivery | None = getattr(message, "delivery", None)
    if delivery is None:
        return None
    return {
        "route": delivery.get_route_display(),
        "state": delivery.get_state_display(),
        "to": delivery.recipients,
        "passed_on": delivery.passed_on_note,
    }


def export(person: User) -> dict[str, Any]:
    return {
        "enquiries": [
            {
                "service": e.service.name,
                "subject": e.subject,
                "sent_at": e.created_at.isoformat(),
                "messages": [
                    {
                        "from": "provider" if m.from_provider else "you",
                        "at": m.sent_at.isoformat(),
                        "text": m.body,
                        "delivery": _delivery(m),
                    }
                    for m in e.messages.all()
                ],
            }
            for e in Enquiry.objects.filter(person=person)
            .select_related("service")
            .prefetch_related("messages__delivery")
        ],
        "reviews": [
            {
                "service": r.service.name,
                "rating": r.rating,
                "text": r.body,
                "state": r.state,
                "written_at": r.created_at.isoformat(),
            }
            for r in Review.objects.filter(author=person).select_related("service")
        ],
    }


def erase(person: User) -> None:
    Review.objects.filter(author=person).delete()
    EnquiryMessage.objects.filter(enquiry__person=person).update(body="[erased on request]")
    Enquiry.objects.filter(person=person).update(subject="[erased on request]")
    # A reply's delivery names the person's own address; a coordinator's note may quote them.
    EnquiryDelivery.objects.filter(message__enquiry__person=person).update(
        recipients=[], passed_on_note=""
    )
    _erase_as_recipient(person)


def _erase_as_recipient(person: User) -> None:
    """A member of staff (a provider's member, a coordinator) is named by their email address in
    the deliveries of other people's enquiries sent to them: the address is taken out, the other
    recipients kept. Their name is not copied there (``passed_on_by`` points at their account,
    which erasure anonymises)."""
    email = (person.email or "").strip().lower()
    if not email:
        return
    # A first cut by text (JSON containment is not available on SQLite), then exactly.
    for delivery in EnquiryDelivery.objects.filter(recipients__icontains=email):
        kept = [r for r in delivery.recipients if str(r).strip().lower() != email]
        if kept != delivery.recipients:
            delivery.recipients = kept
            delivery.save(update_fields=["recipients"])


def register() -> None:
    register_personal_data("directory", exporter=export, eraser=erase)
