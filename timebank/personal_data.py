"""What the time bank holds about a person: export it, and erase it without unbalancing the ledger.

Erasure anonymises: the member's name, notes, access needs, availability, offers and requests
(with their access needs), the notes on their safeguarding checks and their API tokens are removed
and the descriptions of their exchanges and ledger memos are blanked, but their account, postings
and exchanges stay (amounts, dates and keys only), so every other member's balance and the sum of
all balances are unchanged. The kinds and dates of safeguarding checks stay as a safeguarding
record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.models import User
from timebank.models import ApiToken, Exchange, LedgerTransaction, Member, Rota


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _tokens(person: User) -> list[dict[str, Any]]:
    """API tokens: when made, last used, expiring or revoked (never the token or its hash)."""
    return [
        {
            "created_at": _when(t.created_at),
            "last_used_at": _when(t.last_used_at),
            "expires_at": _when(t.expires_at),
            "revoked_at": _when(t.revoked_at),
        }
        for t in ApiToken.objects.filter(user=person)
    ]


def export(person: User) -> dict[str, Any]:
    """Everything the time bank holds about ``person``: the member record, safeguarding checks
    (with the coordinator's notes), offers, requests (with their access needs), exchanges, rotas
    they cover or that help them, their statement and their API tokens."""
    from timebank import selectors

    tokens = _tokens(person)
    member = Member.objects.filter(user=person).select_related("neighbourhood").first()
    if member is None:
        return {"api_tokens": tokens} if tokens else {}
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
            "approved_at": _when(member.approved_at),
        },
        "checks": [
            {
                "kind": c.kind,
                "checked_on": c.checked_on.isoformat(),
                "expires_on": c.expires_on.isoformat() if c.expires_on else None,
                "notes": c.notes,
                "recorded_at": _when(c.recorded_at),
            }
            for c in member.checks.all()
        ],
        "offers": [
            {
                "title": o.title,
                "details": o.details,
                "category": o.category.name if o.category else None,
                "neighbourhood": o.neighbourhood.name if o.neighbourhood else None,
                "active": o.active,
                "created_at": _when(o.created_at),
            }
            for o in member.offers.select_related("category", "neighbourhood")
        ],
        "requests": [
            {
                "title": r.title,
                "details": r.details,
                "access_needs": r.access_needs,
                "category": r.category.name if r.category else None,
                "neighbourhood": r.neighbourhood.name if r.neighbourhood else None,
                "times": r.times,
                "needs_check": r.needs_check,
                "minutes_per_week": r.minutes_per_week,
                "from_support_plan": r.from_support_plan,
                "status": r.status,
                "created_at": _when(r.created_at),
            }
            for r in member.requests.select_related("category", "neighbourhood")
        ],
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
        "rotas_covered": [
            {
                "rota": a.rota.title,
                "every_weeks": a.every_weeks,
                "starting": a.starting.isoformat(),
                "until": _when(a.until),
            }
            for a in member.rota_assignments.select_related("rota")
        ],
        "rota_dates": [
            {
                "rota": c.rota.title,
                "date": c.day.isoformat(),
                "status": c.status,
                "asked_by": c.offered_by.name if c.offered_by else None,
            }
            for c in member.rota_slots.select_related("rota", "offered_by")
        ],
        "rota_visits": [
            {
                "rota": v.rota.title,
                "date": v.day.isoformat(),
                "outcome": v.outcome,
                "exchange": v.exchange_id,
            }
            for v in member.rota_visits.select_related("rota")
        ],
        "rotas_for_them": [
            {
                "title": r.title,
                "weekday": r.weekday,
                "start_time": r.start_time.isoformat(),
                "first_date": r.first_date.isoformat(),
                "end_date": r.end_date.isoformat(),
            }
            for r in Rota.objects.filter(receiver=member)
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
        "api_tokens": tokens,
    }


def erase(person: User) -> None:
    ApiToken.objects.filter(user=person).delete()
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
    member.checks.update(notes="")  # the checks' kinds and dates stay: safeguarding records
    Rota.objects.filter(receiver=member).update(title="Rota (member erased)")
    Exchange.objects.filter(Q(giver=member) | Q(receiver=member)).update(description="")
    LedgerTransaction.objects.filter(postings__account__member=member).update(memo="")
