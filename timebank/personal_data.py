"""What the time bank holds about a person: export it, and erase it without unbalancing the ledger.

Erasure anonymises: the member's name, notes, availability, offers and requests are removed and the
descriptions of their exchanges and ledger memos are blanked, but their account, postings and
exchanges stay (amounts, dates and keys only), so every other member's balance and the sum of all
balances are unchanged.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.models import User
from timebank.models import Exchange, LedgerTransaction, Member, Rota


def export(person: User) -> dict[str, Any]:
    from timebank import selectors

    member = Member.objects.filter(user=person).select_related("neighbourhood").first()
    if member is None:
        return {}
    stmt = selectors.statement_for(member)
    return {
        "member": {
            "name": member.name,
            "kind": member.kind,
            "status": member.status,
            "neighbourhood": member.neighbourhood.name if member.neighbourhood else None,
            "about": member.about,
            "access_needs": member.access_needs,
            "availability": member.availability,
            "applied_at": member.applied_at.isoformat(),
        },
        "checks": [
            {
                "kind": c.kind,
                "checked_on": c.checked_on.isoformat(),
                "expires_on": c.expires_on.isoformat() if c.expires_on else None,
            }
            for c in member.checks.all()
        ],
        "offers": [{"title": o.title, "details": o.details} for o in member.offers.all()],
        "requests": [{"title": r.title, "details": r.details} for r in member.requests.all()],
        "exchanges": [
            {
                "giver": x.giver.name,
                "receiver": x.receiver.name,
                "start": x.start.isoformat(),
                "minutes": x.minutes,
                "status": x.status,
                "description": x.description,
            }
            for x in selectors.exchanges_of(member)
        ],
        "statement": {
            "balance_minutes": stmt.closing.units,
            "lines": [
                {
                    "date": line.effective.isoformat(),
                    "what": line.memo,
                    "minutes": line.amount.units,
                    "balance_minutes": line.balance.units,
                }
                for line in stmt.lines
            ],
        },
    }


def erase(person: User) -> None:
    member = Member.objects.filter(user=person).first()
    if member is None:
        return
    member.name = f"Former member {member.pk}"
    member.about = member.access_needs = ""
    member.availability = []
    member.neighbourhood = None
    member.status = Member.Status.LEFT
    member.save()
    member.offers.all().delete()
    member.requests.all().delete()
    member.checks.update(notes="")
    Rota.objects.filter(receiver=member).update(title="Rota (member erased)")
    Exchange.objects.filter(Q(giver=member) | Q(receiver=member)).update(description="")
    LedgerTransaction.objects.filter(postings__account__member=member).update(memo="")
