"""People's Panels: residents join the pool, commissioners set up a panel, announce and draw it in
public (committed seed, published pool), members rank its items, and the ranking is published
once enough have ranked from across the panel."""

from __future__ import annotations

import io
import random
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from participation import redraw, rules
from participation.models import (
    Panel,
    PanelItem,
    PanelMember,
    PanelPoolEntry,
    PanelVolunteer,
)
from participation.permissions import (
    is_panel_staff,
)
from participation.services._common import (
    ParticipationError,
)
from participation.services.registration import (
    AGE_BAND_LIMITS,
)
from wellbeing_hub.spreadsheets import SafeCsvWriter

if TYPE_CHECKING:
    # Only a type: the neighbourhoods themselves are read through directory.selectors.
    from directory.models import Neighbourhood

# --- prioritisation panels -------------------------------------------------------------------------


@transaction.atomic
def join_panel_pool(
    *, user: User, neighbourhood: Neighbourhood, age_band: str, request: HttpRequest | None = None
) -> PanelVolunteer:
    if age_band not in AGE_BAND_LIMITS:
        raise ParticipationError("Choose your age group.", "age_band")
    if AGE_BAND_LIMITS[age_band][0] < 16:
        raise ParticipationError("People's Panel members must be 16 or over.", "age_band")
    volunteer, created = PanelVolunteer.objects.update_or_create(
        user=user, defaults={"neighbourhood": neighbourhood, "age_band": age_band}
    )
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=volunteer,
        subject=user,
        summary="Joined the People's Panel pool",
        request=request,
    )
    return volunteer


@transaction.atomic
def leave_panel_pool(*, user: User) -> None:
    PanelVolunteer.objects.filter(user=user).delete()
    record_audit(
        actor=user,
        action=AuditEvent.Action.DELETE,
        object_type="participation.panelvolunteer",
        subject=user,
        summary="Left the People's Panel pool",
    )


@transaction.atomic
def create_panel(
    *,
    by: User,
    title: str,
    question: str,
    size: int,
    items: Sequence[str],
    quorum: int | None = None,
    balance_tolerance: int = rules.DEFAULT_BALANCE_TOLERANCE,
    request: HttpRequest | None = None,
) -> Panel:
    if not is_panel_staff(by):
        raise ParticipationError("Only commissioners can set up a prioritisation panel.")
    names = [name.strip() for name in items if name.strip()]
    if len(names) < 2:
        raise ParticipationError("List at least two items to rank, one per line.", "items")
    if len({n.lower() for n in names}) != len(names):
        raise ParticipationError("An item is listed twice.", "items")
    if size < 1:
        raise ParticipationError("The panel needs at least one person.", "size")
    quorum = rules.default_quorum(size) if quorum is None else quorum
    lowest = rules.smallest_quorum(size)
    if not lowest <= quorum <= max(size, lowest):
        raise ParticipationError(
            f"The quorum must be between {lowest} (half the panel, rounded up) and {size} "
            "(everyone on the panel).",
            "quorum",
        )
    if not 0 <= balance_tolerance <= 50:
        raise ParticipationError(
            "The balance tolerance must be between 0 and 50 percentage points.",
            "balance_tolerance",
        )
    panel = Panel.objects.create(
        title=title,
        question=question,
        size=size,
        quorum=quorum,
        balance_tolerance=balance_tolerance,
        created_by=by,
    )
    PanelItem.objects.bulk_create(PanelItem(panel=panel, name=name) for name in names)
    record_audit(
        actor=by, action=AuditEvent.Action.CREATE, target=panel, summary=f"Created panel {title}"
    )
    return panel


def stratum_of(volunteer: PanelVolunteer) -> str:
    return f"{volunteer.age_band} / {volunteer.neighbourhood.name}"


POOL_COLUMNS = ("age_group", "neighbourhood")


def pool_csv(rows: Sequence[tuple[int, str, str]]) -> str:
    """The published pool file: entry number, age group and neighbourhood; no names."""
    stream = io.StringIO()
    writer = SafeCsvWriter(stream, lineterminator="\n")
    writer.writerow(["entry", *POOL_COLUMNS])
    for row in rows:
        writer.writerow(row)
    return stream.getvalue()


@transaction.atomic
def announce_draw(
    *, panel: Panel, by: User, seed: str | None = None, request: HttpRequest | None = None
) -> Panel:
    """Fix and publish the anonymised pool and commit to the seed (its SHA-256 hash).

    The pool is everyone in the People's Panel pool now, in a random order numbered 1, 2, 3…; the
    entry numbers link to people only inside the hub. The seed is made here (``seed`` is for tests
    and the demo) and kept secret until the draw, when it is revealed so anyone can check it against
    the hash and repeat the draw with ``python -m participation.redraw``.
    """
    if not is_panel_staff(by):
        raise ParticipationError("Only commissioners can announce a panel's draw.")
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status != Panel.Status.DRAFT:
        raise ParticipationError("This panel's draw has already been announced.")
    volunteers = list(PanelVolunteer.objects.select_related("neighbourhood").order_by("pk"))
    if len(volunteers) < panel.size:
        raise ParticipationError(
            f"The pool has {len(volunteers)} people, fewer than the {panel.size} seats on the "
            "panel. Wait for more people to put their names forward, or make the panel smaller."
        )
    # The entry numbers must not follow the order people joined in: shuffle before numbering
    # (a given seed, for tests and the demo, shuffles the same way every time).
    shuffler = secrets.SystemRandom() if seed is None else random.Random(seed)
    shuffler.shuffle(volunteers)
    rows = [
        (number, v.age_band, v.neighbourhood.name) for number, v in enumerate(volunteers, start=1)
    ]
    text = pool_csv(rows)
    seed = secrets.token_hex(32) if seed is None else seed
    try:
        _columns, pool = redraw.read_pool(text)
        rules.public_draw(pool, panel.size, seed)
    except (redraw.PoolFileError, rules.SampleError) as error:
        raise ParticipationError(str(error)) from None
    PanelPoolEntry.objects.bulk_create(
        PanelPoolEntry(
            panel=panel,
            entry=number,
            user_id=v.user_id,
            age_band=v.age_band,
            neighbourhood=v.neighbourhood.name,
        )
        for number, v in enumerate(volunteers, start=1)
    )
    panel.pool_file = text
    panel.secret_seed = seed
    panel.seed_commitment = rules.seed_commitment(seed)
    panel.announced_at = timezone.now()
    panel.status = Panel.Status.ANNOUNCED
    panel.save(
        update_fields=["pool_file", "secret_seed", "seed_commitment", "announced_at", "status"]
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=panel,
        summary=(
            f"Announced the draw of {panel.title}: pool of {len(rows)} published, "
            f"seed SHA-256 {panel.seed_commitment}"
        ),
        request=request,
    )
    return panel


@transaction.atomic
def draw_panel(*, panel: Panel, by: User, request: HttpRequest | None = None) -> Panel:
    """Draw the panel from the published pool with the committed seed, then reveal the seed."""
    if not is_panel_staff(by):
        raise ParticipationError("Only commissioners can draw a panel.")
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status == Panel.Status.DRAFT:
        raise ParticipationError(
            "Announce the draw first: that publishes the pool and the seed's hash, so anyone "
            "can check the draw afterwards."
        )
    if panel.status != Panel.Status.ANNOUNCED:
        raise ParticipationError("This panel has already been drawn.")
    try:
        columns, pool = redraw.read_pool(panel.pool_file)
        draw = rules.public_draw(pool, panel.size, panel.secret_seed)
    except (redraw.PoolFileError, rules.SampleError) as error:
        raise ParticipationError(str(error)) from None
    entries = {e.entry: e for e in PanelPoolEntry.objects.filter(panel=panel)}
    PanelMember.objects.bulk_create(
        PanelMember(
            panel=panel,
            user_id=entries[entry].user_id,
            entry=entry,
            stratum=f"{entries[entry].age_band} / {entries[entry].neighbourhood}",
        )
        for entry in draw.selected
    )
    panel.status = Panel.Status.RANKING
    panel.draw_record = {
        "method": draw.method,
        "seed": draw.seed,
        "commitment": panel.seed_commitment,
        "size": draw.size,
        "pool_size": len(pool),
        "columns": columns,
        "strata": [
            {"stratum": " / ".join(stratum), "pool": draw.strata_sizes[stratum], "seats": seats}
            for stratum, seats in draw.allocation.items()
        ],
        "selected_entries": list(draw.selected),
        "announced_at": panel.announced_at.isoformat() if panel.announced_at else None,
        "drawn_at": timezone.now().isoformat(),
    }
    panel.save(update_fields=["status", "draw_record"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=panel,
        summary=(
            f"Drew {draw.size} panel members from a published pool of {len(pool)} "
            f"(seed {draw.seed}, entries {' '.join(map(str, draw.selected))})"
        ),
        request=request,
    )
    return panel


@transaction.atomic
def submit_ranking(
    *, panel: Panel, member: User, order: Sequence[int], request: HttpRequest | None = None
) -> PanelMember:
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status != Panel.Status.RANKING:
        raise ParticipationError("This panel is not ranking at the moment.")
    seat = PanelMember.objects.filter(panel=panel, user=member).first()
    if seat is None:
        raise ParticipationError("Only people drawn for this panel can rank its items.")
    item_ids = list(panel.items.values_list("pk", flat=True))
    if sorted(order) != sorted(item_ids) or len(order) != len(item_ids):
        raise ParticipationError("Give every item a different place, from 1 to the last.")
    seat.ranking = list(order)
    seat.ranked_at = timezone.now()
    seat.save(update_fields=["ranking", "ranked_at"])
    record_audit(
        actor=member, action=AuditEvent.Action.UPDATE, target=seat, summary="Ranked panel items"
    )
    return seat


PANEL_DIMENSIONS = ("age group", "neighbourhood")


def _member_groups(stratum: str) -> tuple[str, ...]:
    age_band, _sep, neighbourhood = stratum.partition(" / ")
    return (age_band, neighbourhood)


def panel_publication_check(panel: Panel) -> rules.PublicationCheck:
    """The quorum and balance check a panel must pass before its ranking is published."""
    seats = list(panel.members.order_by("pk").values_list("stratum", "ranking"))
    seated = [_member_groups(stratum) for stratum, _ranking in seats]
    ranked = [_member_groups(stratum) for stratum, ranking in seats if ranking]
    quorum = panel.quorum if panel.quorum is not None else rules.default_quorum(len(seats))
    return rules.publication_check(
        seated, ranked, PANEL_DIMENSIONS, quorum=quorum, tolerance=panel.balance_tolerance
    )


@transaction.atomic
def publish_panel(*, panel: Panel, by: User, request: HttpRequest | None = None) -> Panel:
    """Publish the panel's ranking once enough members, from across its strata, have ranked."""
    if not is_panel_staff(by):
        raise ParticipationError("Only commissioners can publish a panel's ranking.")
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status != Panel.Status.RANKING:
        raise ParticipationError("Only a panel that is ranking can be published.")
    check = panel_publication_check(panel)
    if not check.ready:
        raise ParticipationError(" ".join(check.problems))
    items = list(panel.items.all())
    ids = [str(item.pk) for item in items]
    rankings = [
        [str(pk) for pk in seat.ranking]
        for seat in panel.members.exclude(ranking__isnull=True).order_by("pk")
        if seat.ranking
    ]
    names = {str(item.pk): item.name for item in items}
    scores = rules.borda(rankings, ids)
    borda_order = rules.borda_order(rankings, ids)
    borda_places = rules.borda_places(scores, borda_order)
    consensus = rules.kemeny(rankings, ids)
    ties = rules.kemeny_ties(rankings, ids) if consensus.exact else None
    agreement = rules.describe_agreement(rankings, ids)
    w = agreement.w

    def place_text(item: str, place: int) -> str:
        if ties is None or len(ties.places[item]) == 1:
            return str(place)
        spots = ties.places[item]
        return f"{spots[0]} to {spots[-1]} (tied)"

    panel.result = {
        "rankings": len(rankings),
        "members": check.members,
        "quorum": check.quorum,
        "balance_tolerance": check.tolerance,
        "borda": [
            {"item": names[i], "score": scores[i], "place": borda_places[i]} for i in borda_order
        ],
        "borda_tied": any(place.startswith("=") for place in borda_places.values()),
        "kemeny": [names[i] for i in consensus.order],
        "kemeny_places": [
            {"item": names[i], "place": place_text(i, n)}
            for n, i in enumerate(consensus.order, start=1)
        ],
        "kemeny_distance": consensus.distance,
        "kemeny_exact": consensus.exact,
        "kemeny_orders": ties.orders if ties is not None else None,
        "kendall_w": f"{float(w):.3f}",
        "kendall_w_exact": f"{w.numerator}/{w.denominator}",
        "chance_w": f"{float(agreement.chance_w):.3f}",
        "agreement_p": f"{agreement.p_value:.3f}",
        "agreement": agreement.words,
        "balance": [
            {
                "dimension": row.dimension,
                "group": row.group,
                "seats": row.seats,
                "ranked": row.ranked,
            }
            for row in check.balance
        ],
    }
    panel.status = Panel.Status.PUBLISHED
    panel.save(update_fields=["result", "status"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=panel,
        summary=(
            f"Published the ranking of {panel.title} "
            f"({len(rankings)} of {check.members} members ranked)"
        ),
        request=request,
    )
    return panel
