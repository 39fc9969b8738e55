"""Demo content for participation: a budget round open for voting, a past round with results, and a
published People's Panel. Everything is fictional; residents are ``demo-resident-NN`` accounts with
no password. Deterministic (seeded) and safe to run twice: a part that already exists is skipped.

Called by the demo command as ``seed_demo(users_by_role)`` after the demo area and demo users exist.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role
from directory import selectors as directory_selectors
from directory.demo_area import add_neighbourhood
from participation.models import AgeBand, Panel, Phase, Project, Round
from participation.permissions import is_panel_staff
from participation.services.ballots import submit_ballot
from participation.services.costing import assess_idea
from participation.services.panels import (
    announce_draw,
    create_panel,
    draw_panel,
    join_panel_pool,
    publish_panel,
    submit_ranking,
)
from participation.services.paper_ballots import (
    confirm_paper_ballot,
    enter_paper_ballot,
    issue_paper_ballot,
)
from participation.services.proposals import add_comment, propose_idea, update_pitch
from participation.services.registration import register_voter
from participation.services.rounds import advance_round, create_round

if TYPE_CHECKING:
    from directory.models import Neighbourhood

CURRENT_SLUG = "eastmere-community-chest"
PAST_SLUG = "green-spaces-fund"
PANEL_TITLE = "What should the NHS and council fund first?"
DEMO_PANEL_SEED = "eastmere-demo-panel-2026-01-15"

CURRENT_IDEAS = [
    (
        "Men's shed in the old library",
        "A workshop where older men meet, make and mend.",
        "Older men living alone, and anyone who likes making things.",
        [("Tools and benches", "3200.00"), ("Rent for a year", "2400.00"), ("Insurance", "400.00")],
    ),
    (
        "Dementia-friendly cinema",
        "A monthly film with the lights up and tea after.",
        "People living with dementia and their carers.",
        [("Film licences", "900.00"), ("Venue hire", "1500.00"), ("Volunteer training", "600.00")],
    ),
    (
        "Walking football league",
        "A slower football league for over-50s.",
        "People over 50 who want to get active.",
        [("Pitch hire", "1800.00"), ("Kit", "700.00")],
    ),
    (
        "Carers' cafe",
        "A weekly drop-in cafe where unpaid carers can rest and talk.",
        "Unpaid carers of all ages.",
        [("Cafe costs", "2600.00"), ("Sitting service so carers can come", "2000.00")],
    ),
    (
        "Community fridge",
        "A fridge where shops and neighbours share spare food.",
        "Families on low incomes; it also cuts food waste.",
        [("Fridge and fitting", "1200.00"), ("Food hygiene training", "300.00")],
    ),
]
NOT_FORWARD = (
    "Fix the potholes on the high street",
    "Fill potholes everywhere.",
    "Drivers and cyclists.",
    "Roads are repaired from the highways budget, not this fund. We have passed the idea to the "
    "highways team.",
)
PAST_IDEAS = [
    ("Sensory garden at the day centre", [("Plants and beds", "6000.00"), ("Paths", "4000.00")]),
    ("Benches along the river walk", [("Eight benches", "4800.00")]),
    ("Allotment for the mental health group", [("Plot and tools", "2500.00")]),
    ("Wildflower verges", [("Seed and labour", "3500.00")]),
    ("Outdoor gym in the park", [("Equipment", "9000.00"), ("Surface", "3000.00")]),
]
PANEL_ITEMS = [
    "Hearing aids for adults",
    "Falls prevention classes",
    "Talking therapies with short waits",
    "Respite breaks for carers",
    "Stop-smoking support",
    "Home adaptations after hospital",
]


def _staff(users_by_role: Mapping[str, User]) -> tuple[User, User]:
    first = (
        users_by_role.get(Role.COMMISSIONER)
        or users_by_role.get(Role.ADMINISTRATOR)
        or _person("demo-pb-commissioner", "Kim Missioner (demo)", Role.COMMISSIONER)
    )
    second = users_by_role.get(Role.COORDINATOR) or _person(
        "demo-pb-coordinator", "Cody Ordinator (demo)", Role.COORDINATOR
    )
    return first, second


def _person(username: str, name: str, role: str | None = None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, display_name=name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if role:
        grant_role(user, role)
    return user


def _hoods() -> list[Neighbourhood]:
    hoods = list(directory_selectors.neighbourhoods()[:4])
    if not hoods:
        hoods = [
            add_neighbourhood(
                slug="demo-central", name="Central", latitude=Decimal("52"), longitude=Decimal("-1")
            )
        ]
    return hoods


def _residents(count: int, hoods: list[Neighbourhood]) -> list[tuple[User, Neighbourhood, str]]:
    rng = random.Random(7)
    bands = [AgeBand.B18, AgeBand.B25, AgeBand.B35, AgeBand.B50, AgeBand.B65, AgeBand.B80]
    return [
        (
            _person(f"demo-resident-{n:02d}", f"Demo Resident {n:02d}"),
            hoods[n % len(hoods)],
            rng.choice(bands),
        )
        for n in range(1, count + 1)
    ]


def _cost(project: Project, by: User, lines: list[tuple[str, str]]) -> None:
    amounts = [(description, Decimal(amount)) for description, amount in lines]
    assess_idea(
        project=project,
        by=by,
        take_forward=True,
        cost=sum((a for _, a in amounts), Decimal("0")),
        lines=amounts,
    )


def _advance(round_: Round, phase: str, by: User) -> Round:
    while round_.phase != phase:
        round_ = advance_round(round_=round_, by=by)
    return round_


@transaction.atomic
def seed_demo(users_by_role: Mapping[str, User]) -> None:
    staff, second = _staff(users_by_role)
    hoods = _hoods()
    residents = _residents(40, hoods)
    person = users_by_role.get(Role.PERSON)

    if not Round.objects.filter(slug=PAST_SLUG).exists():
        _past_round(staff, second, residents)
    if not Round.objects.filter(slug=CURRENT_SLUG).exists():
        _current_round(staff, residents, person)
    if not Panel.objects.filter(title=PANEL_TITLE).exists():
        _panel(staff, residents)


def _past_round(
    staff: User, second: User, residents: list[tuple[User, Neighbourhood, str]]
) -> None:
    day = timezone.localdate()
    r = create_round(
        by=staff,
        title="Green Spaces Fund",
        description="£20,000 for green spaces that help people feel well. Counted by the Method of "
        "Equal Shares, so that every group of voters gets a fair share.",
        pot=Decimal("20000"),
        dates={
            "ideas_open": day - timedelta(days=400),
            "ideas_close": day - timedelta(days=370),
            "pitches_open": day - timedelta(days=340),
            "voting_open": day - timedelta(days=320),
            "voting_close": day - timedelta(days=300),
        },
        rule="mes",
        completion="add1",
    )
    Round.objects.filter(pk=r.pk).update(slug=PAST_SLUG)
    r.refresh_from_db()
    projects = [
        propose_idea(
            round_=r,
            by=residents[i][0],
            title=title,
            what=f"{title}, for everyone to enjoy.",
            who_benefits="Residents who want to spend time outdoors.",
        )
        for i, (title, _lines) in enumerate(PAST_IDEAS)
    ]
    r = advance_round(round_=r, by=staff)
    for project, (_title, lines) in zip(projects, PAST_IDEAS, strict=True):
        _cost(project, staff, lines)
    r = _advance(r, Phase.VOTING, staff)
    rng = random.Random(2025)
    for user, hood, band in residents[:32]:
        register_voter(round_=r, user=user, neighbourhood=hood, age_band=band)
        liked = [p for p in projects if rng.random() < 0.45] or [rng.choice(projects)]
        submit_ballot(round_=r, voter=user, choices={p.pk: 1 for p in liked})
    paper_voters = residents[32:36]
    for user, hood, band in paper_voters:
        issue_paper_ballot(round_=r, by=staff, voter=user, neighbourhood=hood, age_band=band)
    r = advance_round(round_=r, by=staff)
    for number in range(len(paper_voters)):
        entry = enter_paper_ballot(
            round_=r,
            by=staff,
            paper_number=f"GS-{number + 1:03d}",
            choices={projects[number % 3].pk: 1, projects[1].pk: 1},
        )
        confirm_paper_ballot(entry=entry, by=second)
    advance_round(round_=r, by=staff)


def _current_round(
    staff: User,
    residents: list[tuple[User, Neighbourhood, str]],
    person: User | None,
) -> None:
    day = timezone.localdate()
    r = create_round(
        by=staff,
        title="Eastmere Community Chest",
        description="£25,000 for projects that help people stay well, connected and independent. "
        "Suggest an idea, read the pitches, then choose up to three projects.",
        pot=Decimal("25000"),
        dates={
            "ideas_open": day - timedelta(days=60),
            "ideas_close": day - timedelta(days=40),
            "pitches_open": day - timedelta(days=20),
            "voting_open": day - timedelta(days=3),
            "voting_close": day + timedelta(days=25),
        },
        max_choices=3,
        rule="mes",
        completion="add1",
    )
    Round.objects.filter(pk=r.pk).update(slug=CURRENT_SLUG)
    r.refresh_from_db()
    projects = []
    for i, (title, what, who, _lines) in enumerate(CURRENT_IDEAS):
        projects.append(
            propose_idea(
                round_=r,
                by=(person if person and i == 0 else residents[i][0]),
                title=title,
                what=what,
                who_benefits=who,
            )
        )
    refused = propose_idea(
        round_=r,
        by=residents[9][0],
        title=NOT_FORWARD[0],
        what=NOT_FORWARD[1],
        who_benefits=NOT_FORWARD[2],
    )
    r = advance_round(round_=r, by=staff)
    for project, (_t, _w, _who, lines) in zip(projects, CURRENT_IDEAS, strict=True):
        _cost(project, staff, lines)
    assess_idea(project=refused, by=staff, take_forward=False, reason=NOT_FORWARD[3])
    r = advance_round(round_=r, by=staff)
    for project in projects:
        update_pitch(
            project=project,
            by=staff,
            pitch=f"{project.what} Vote for it and we will have it running within three months.",
        )
    add_comment(
        project=projects[1], by=residents[3][0], text="My mum would love this. Is there parking?"
    )
    r = advance_round(round_=r, by=staff)
    rng = random.Random(2026)
    for user, hood, band in residents[:12]:
        register_voter(round_=r, user=user, neighbourhood=hood, age_band=band)
        chosen = rng.sample(projects, rng.randint(1, 3))
        submit_ballot(round_=r, voter=user, choices={p.pk: 1 for p in chosen})


def _panel(staff: User, residents: list[tuple[User, Neighbourhood, str]]) -> None:
    for user, hood, band in residents:
        join_panel_pool(user=user, neighbourhood=hood, age_band=band)
    if not is_panel_staff(staff):
        return
    panel = create_panel(
        by=staff,
        title=PANEL_TITLE,
        question="Put these services in order: which should be funded first if money is short?",
        size=12,
        items=PANEL_ITEMS,
    )
    panel = announce_draw(panel=panel, by=staff, seed=DEMO_PANEL_SEED)
    panel = draw_panel(panel=panel, by=staff)
    rng = random.Random(11)
    items = list(panel.items.order_by("pk"))
    for seat in panel.members.select_related("user"):
        if seat.user is None:  # erased since the draw
            continue
        order = list(items)
        rng.shuffle(order)
        # Most people put carers' respite and short waits for therapy near the top.
        order.sort(key=lambda item: (item.name not in PANEL_ITEMS[2:4], rng.random()))
        submit_ranking(panel=panel, member=seat.user, order=[i.pk for i in order])
    publish_panel(panel=panel, by=staff)
