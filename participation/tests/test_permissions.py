"""Issue 14: participation's role checks are named predicates (``participation.permissions``) used
by views and services alike. This runs every role, and a superuser, against every service that
changes data.

Each actor below holds one role and is nobody in particular in the world the test builds: not the
person who proposed an idea, entered a paper or was drawn for a panel, and not a registered voter.
So what they may do comes from their role alone: round staff (commissioners, coordinators,
administrators and superusers, who hold the administrator role) run PB rounds; panel staff
(commissioners, administrators, superusers) run People's Panels; everyone else is refused with a
sentence, and nothing is written. Anything a resident may do needs no role: those services are in
the table with every actor allowed, or listed below with the reason they are not.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from types import ModuleType
from typing import Any

import pytest

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories as f
from participation import permissions, services
from participation.models import (
    AnonymousBallot,
    Comment,
    DistrictPot,
    Panel,
    PanelMember,
    PanelPoolEntry,
    PaperBallotEntry,
    Phase,
    Project,
    RegistrationRule,
    Round,
    Theme,
    VoterParticipation,
    VoterRegistration,
)
from participation.services._common import ParticipationError
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
    create_paper_voter,
    enter_paper_ballot,
    issue_paper_ballot,
    reject_paper_entry,
)
from participation.services.proposals import add_comment, propose_idea, update_pitch
from participation.services.registration import decide_registration, register_voter
from participation.services.rounds import (
    advance_round,
    create_round,
    set_district_pots,
    update_round,
)
from participation.services.themes import offer_theme
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db

ACTORS = [role.value for role in Role] + ["superuser"]
ROUND_STAFF = {
    Role.COMMISSIONER.value,
    Role.COORDINATOR.value,
    Role.ADMINISTRATOR.value,
    "superuser",
}
PANEL_STAFF = {Role.COMMISSIONER.value, Role.ADMINISTRATOR.value, "superuser"}
EVERYONE = set(ACTORS)
NOBODY: set[str] = set()


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """Rounds at each phase, ideas, a pending registration, a paper entry and panels, made by a
    commissioner. Each part is built only when a service in the table asks for it."""

    def __init__(self) -> None:
        self.kim = pf.staff(Role.COMMISSIONER)
        self.hood = pf.hood("Northgate")

    @cached_property
    def ideas_round(self) -> Round:
        """Still taking ideas: nothing proposed yet, so its pot can still be split."""
        return pf.round_(self.kim)

    @cached_property
    def feasibility(self) -> tuple[Round, Project, Project]:
        """Ideas closed: one idea waiting for a decision, one taken forward (pitches open)."""
        round_ = pf.round_(self.kim)
        waiting = pf.idea(round_)
        taken = pf.idea(round_)
        round_ = pf.advance_to(round_, Phase.FEASIBILITY, self.kim)
        pf.cost(taken, self.kim, "1000")
        return round_, waiting, taken

    @cached_property
    def voting(self) -> tuple[Round, list[Project]]:
        """Voting open; voters must be checked by staff, so registrations wait for a decision."""
        round_, projects, _by = pf.voting_round(registration_rule=RegistrationRule.APPROVED)
        return round_, projects

    @cached_property
    def pending_registration(self) -> VoterRegistration:
        round_, _projects = self.voting
        return register_voter(
            round_=round_, user=f.user(), neighbourhood=self.hood, age_band="35-49"
        )

    @cached_property
    def paper_voter(self) -> User:
        return create_paper_voter(by=self.kim, display_name="Paper Voter")

    @cached_property
    def paper_entry(self) -> PaperBallotEntry:
        """A paper given out and entered by the commissioner, waiting for a second person."""
        round_, projects = self.voting
        issue_paper_ballot(
            round_=round_,
            by=self.kim,
            voter=self.paper_voter,
            neighbourhood=self.hood,
            age_band="50-64",
        )
        return enter_paper_ballot(
            round_=round_, by=self.kim, paper_number="P-1", choices={projects[0].pk: 1}
        )

    def _pool(self, count: int) -> None:
        for _ in range(count):
            join_panel_pool(user=f.user(), neighbourhood=self.hood, age_band="25-34")

    @cached_property
    def draft_panel(self) -> Panel:
        self._pool(3)
        return create_panel(
            by=self.kim, title="Priorities", question="Which first?", size=2, items=["A", "B"]
        )

    @cached_property
    def announced_panel(self) -> Panel:
        return announce_draw(panel=self.draft_panel, by=self.kim, seed="7")

    @cached_property
    def ranking_panel(self) -> Panel:
        return draw_panel(panel=self.announced_panel, by=self.kim)

    @cached_property
    def ranked_panel(self) -> Panel:
        """Drawn, and every member has ranked: ready to publish."""
        panel = self.ranking_panel
        items = list(panel.items.order_by("pk").values_list("pk", flat=True))
        for seat in panel.members.select_related("user"):
            assert seat.user is not None  # just drawn, nobody erased
            submit_ranking(panel=panel, member=seat.user, order=items)
        return panel


Call = Callable[[World, User], Any]

SERVICES: dict[str, tuple[Call, set[str]]] = {
    # Round staff: setting up and running a round.
    "create_round": (
        lambda w, u: create_round(
            by=u, title="New round", description="Money", pot=Decimal("500"), dates=pf.DATES
        ),
        ROUND_STAFF,
    ),
    "set_district_pots": (
        lambda w, u: set_district_pots(
            round_=w.ideas_round, by=u, amounts={w.hood: w.ideas_round.pot}
        ),
        ROUND_STAFF,
    ),
    "update_round": (
        lambda w, u: update_round(round_=w.ideas_round, by=u, changes={"title": "Renamed"}),
        ROUND_STAFF,
    ),
    "advance_round": (lambda w, u: advance_round(round_=w.ideas_round, by=u), ROUND_STAFF),
    "assess_idea": (
        lambda w, u: assess_idea(
            project=w.feasibility[1], by=u, take_forward=False, reason="Not a council matter"
        ),
        ROUND_STAFF,
    ),
    "decide_registration": (
        lambda w, u: decide_registration(registration=w.pending_registration, by=u, approve=True),
        ROUND_STAFF,
    ),
    "offer_theme": (
        lambda w, u: offer_theme(
            actor=u, round_=w.ideas_round, title="Lonely evenings", evidence="12 searches"
        ),
        ROUND_STAFF,
    ),
    # Round staff: paper ballots.
    "create_paper_voter": (
        lambda w, u: create_paper_voter(by=u, display_name="Paper Person"),
        ROUND_STAFF,
    ),
    "issue_paper_ballot": (
        lambda w, u: issue_paper_ballot(
            round_=w.voting[0],
            by=u,
            voter=w.paper_voter,
            neighbourhood=w.hood,
            age_band="50-64",
        ),
        ROUND_STAFF,
    ),
    "enter_paper_ballot": (
        lambda w, u: enter_paper_ballot(
            round_=w.voting[0], by=u, paper_number="P-2", choices={w.voting[1][0].pk: 1}
        ),
        ROUND_STAFF,
    ),
    "confirm_paper_ballot": (
        lambda w, u: confirm_paper_ballot(entry=w.paper_entry, by=u),
        ROUND_STAFF,
    ),
    "reject_paper_entry": (
        lambda w, u: reject_paper_entry(entry=w.paper_entry, by=u),
        ROUND_STAFF,
    ),
    # The idea's proposer or round staff (none of the actors proposed it).
    "update_pitch": (
        lambda w, u: update_pitch(project=w.feasibility[2], by=u, pitch="Come and see"),
        ROUND_STAFF,
    ),
    # Panel staff.
    "create_panel": (
        lambda w, u: create_panel(
            by=u, title="Panel", question="Which first?", size=2, items=["A", "B"]
        ),
        PANEL_STAFF,
    ),
    "announce_draw": (lambda w, u: announce_draw(panel=w.draft_panel, by=u), PANEL_STAFF),
    "draw_panel": (lambda w, u: draw_panel(panel=w.announced_panel, by=u), PANEL_STAFF),
    "publish_panel": (lambda w, u: publish_panel(panel=w.ranked_panel, by=u), PANEL_STAFF),
    # Only people drawn for the panel rank it (none of the actors was drawn, whatever their role).
    "submit_ranking": (
        lambda w, u: submit_ranking(
            panel=w.ranking_panel,
            member=u,
            order=list(w.ranking_panel.items.values_list("pk", flat=True)),
        ),
        NOBODY,
    ),
    # Residents: no role needed, so no role is refused.
    "propose_idea": (
        lambda w, u: propose_idea(
            round_=w.ideas_round, by=u, title="Benches", what="Benches", who_benefits="Walkers"
        ),
        EVERYONE,
    ),
    "add_comment": (
        lambda w, u: add_comment(project=w.voting[1][0], by=u, text="Good idea"),
        EVERYONE,
    ),
}

NO_ROLE_CHECK = {
    "register_voter": "a person registers themselves; the views pass the signed-in person (staff "
    "registering a paper voter do it through issue_paper_ballot, which checks their role)",
    "submit_ballot": "a person's own ballot: refused until they are registered and approved, "
    "whatever their role",
    "join_panel_pool": "a person puts their own name forward; the views pass the signed-in person",
    "leave_panel_pool": "a person takes their own name out; the views pass the signed-in person",
    "audit_round_changes": "writes the audit records of a change already checked by update_round "
    "or the Django admin",
}
"""Public functions of ``participation.services`` that write but check no role, and why."""

READS = {
    "age_band_for",
    "age_on",
    "ballot_district",
    "check_eligibility",
    "clean_choices",
    "counting_settings",
    "current_choices",
    "eligible_neighbourhoods",
    "is_split",
    "locked_message",
    "locked_round_fields",
    "new_receipt_code",
    "normalise_paper_number",
    "panel_publication_check",
    "parse_cost_lines",
    "pool_csv",
    "receipt_hash",
    "stratum_of",
    "voting_has_opened",
}


def _service_modules() -> list[ModuleType]:
    """The modules of the ``participation.services`` package (one per thing people do)."""
    return [
        importlib.import_module(f"{services.__name__}.{info.name}")
        for info in pkgutil.iter_modules(services.__path__)
    ]


def _public_functions() -> set[str]:
    """Public functions written in the services modules (not imported into them)."""
    return {
        name
        for module in _service_modules()
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__
    }


def test_every_public_service_function_is_exported_by_the_package() -> None:
    """Other apps import ``participation.services.<name>``: each public function of the modules
    is re-exported there, in ``__all__``, as the very function its module defines."""
    missing = _public_functions() - set(services.__all__)
    assert not missing, f"add these to participation/services/__init__.py: {missing}"
    for module in _service_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                assert getattr(services, name) is fn, name


def test_every_public_service_function_is_in_the_table_or_explained() -> None:
    unclassified = _public_functions() - set(SERVICES) - set(NO_ROLE_CHECK) - READS
    assert not unclassified, f"add these to the role table (or explain them): {unclassified}"
    gone = (set(SERVICES) | set(NO_ROLE_CHECK) | READS) - _public_functions()
    assert not gone, f"these are no longer services: {gone}"


def _written() -> tuple[object, ...]:
    """Everything a participation service writes, in a form that shows any change."""
    return (
        AuditEvent.objects.count(),
        User.objects.count(),
        sorted(Round.objects.values_list("pk", "title", "phase")),
        DistrictPot.objects.count(),
        sorted(Project.objects.values_list("pk", "status", "pitch")),
        Comment.objects.count(),
        sorted(VoterRegistration.objects.values_list("pk", "status")),
        VoterParticipation.objects.count(),
        sorted(PaperBallotEntry.objects.values_list("pk", "confirmed_by")),
        AnonymousBallot.objects.count(),
        Theme.objects.count(),
        sorted(Panel.objects.values_list("pk", "status")),
        PanelPoolEntry.objects.count(),
        sorted(PanelMember.objects.values_list("pk", "ranking")),
    )


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_against_every_service_that_changes_data(service: str, role: str) -> None:
    world = World()
    call, allowed = SERVICES[service]
    user = actor(role)
    if role in allowed:
        call(world, user)  # no refusal
        return
    _prepare(world, service)  # build what it works on first: only the refused call may write
    before = _written()
    with pytest.raises(ParticipationError):
        call(world, user)
    assert _written() == before, f"{service} wrote something for {role}"


def _prepare(world: World, service: str) -> None:
    """Touch the parts of the world ``service`` uses, so they are built before it is called."""
    needs = {
        "set_district_pots": ["ideas_round"],
        "update_round": ["ideas_round"],
        "advance_round": ["ideas_round"],
        "offer_theme": ["ideas_round"],
        "propose_idea": ["ideas_round"],
        "assess_idea": ["feasibility"],
        "update_pitch": ["feasibility"],
        "decide_registration": ["pending_registration"],
        "issue_paper_ballot": ["voting", "paper_voter"],
        "enter_paper_ballot": ["voting"],
        "confirm_paper_ballot": ["paper_entry"],
        "reject_paper_entry": ["paper_entry"],
        "add_comment": ["voting"],
        "announce_draw": ["draft_panel"],
        "draw_panel": ["announced_panel"],
        "publish_panel": ["ranked_panel"],
        "submit_ranking": ["ranking_panel"],
    }
    for part in needs.get(service, []):
        getattr(world, part)


@pytest.mark.parametrize("role", ACTORS)
def test_the_predicates_are_the_roles(role: str) -> None:
    user = actor(role)
    assert permissions.is_round_staff(user) is (role in ROUND_STAFF)
    assert permissions.is_panel_staff(user) is (role in PANEL_STAFF)
    assert permissions.may_change_round_settings(user) is (role in ROUND_STAFF)


def test_nobody_signed_out_is_staff() -> None:
    from django.contrib.auth.models import AnonymousUser

    for predicate in (
        permissions.is_round_staff,
        permissions.is_panel_staff,
        permissions.may_change_round_settings,
    ):
        assert predicate(AnonymousUser()) is False
        assert predicate(None) is False


def test_the_two_person_rules() -> None:
    """Staff never decide their own registration, nor confirm a paper they entered themselves."""
    world = World()
    registration = world.pending_registration
    assert permissions.may_decide_registration(world.kim, registration)
    assert not permissions.may_decide_registration(registration.user, registration)
    own = register_voter(
        round_=world.voting[0], user=world.kim, neighbourhood=world.hood, age_band="35-49"
    )
    assert not permissions.may_decide_registration(world.kim, own)
    with pytest.raises(ParticipationError, match="Someone else"):
        decide_registration(registration=own, by=world.kim, approve=True)
    entry = world.paper_entry
    assert not permissions.may_confirm_paper_ballot(world.kim, entry)
    assert permissions.may_confirm_paper_ballot(pf.staff(Role.COORDINATOR), entry)
    assert not permissions.may_confirm_paper_ballot(f.user(Role.PERSON), entry)
    with pytest.raises(ParticipationError, match="different person"):
        confirm_paper_ballot(entry=entry, by=world.kim)


def test_views_and_services_share_the_predicates() -> None:
    """The views module asks the same predicates (no role check of its own), and so does every
    services module that checks a role."""
    from participation import views

    source = inspect.getsource(views)
    assert "has_role(" not in source and "Role." not in source
    for name in ("is_round_staff", "is_panel_staff", "can_edit_pitch"):
        assert vars(views)[name] is getattr(permissions, name), name
    for module in _service_modules():
        module_source = inspect.getsource(module)
        assert "has_role(" not in module_source and "Role." not in module_source, module.__name__
        for name in ("is_round_staff", "is_panel_staff", "can_edit_pitch"):
            if hasattr(module, name):
                assert getattr(module, name) is getattr(permissions, name), module.__name__


def test_the_services_package_names_the_same_predicates() -> None:
    """Other apps (evidence offers themes) ask ``participation.services.is_round_staff``."""
    assert services.is_round_staff is permissions.is_round_staff
    assert services.is_panel_staff is permissions.is_panel_staff
