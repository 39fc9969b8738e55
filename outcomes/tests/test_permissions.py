"""Issue 14: outcomes' role checks are named predicates (``outcomes.access``) used by views and
services alike. This runs every role, and a superuser, against every service that changes data.

Most of outcomes acts on one person's record, so what an actor may do depends on who they are to
that person as well as on their role. Each row of the table fixes that relationship, the same for
every role, and says which roles may then act:

- ``own``: the actor is the person (it is their own record);
- ``helper``: the person has let the actor help with their record (``outcomes.models.Helper``);
- ``caseload``: the person is on the actor's caseload (``budgets.models.CaseAssignment``);
- ``referral``: the actor holds the person's open social prescribing referral;
- ``team``: the actor is a member of the team running the person's follow-up;
- ``team_caseload``: the person is on the caseload of that team, and the actor is a member (a
  broker puts someone on follow-up only with a team they are on);
- ``stranger``: none of these.

Refused actors get ``access.NotAllowed`` with a sentence, and nothing is written (no outcomes row
changes, no audit event). Functions of ``outcomes.services`` that check no role are listed below
with the reason.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from typing import Any, cast

import pytest
import yaml

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets.models import CaseAssignment, CaseTeam
from connect.models import Referral
from directory.tests import factories as f
from outcomes import access, services
from outcomes.models import (
    AnswerSet,
    AreaWording,
    FollowUp,
    FollowUpReport,
    Goal,
    GoalRating,
    GoalStep,
    Helper,
    Profile,
    Reminder,
    WorkItem,
)
from outcomes.services._common import profile_for, today
from outcomes.services.answers import record_answers
from outcomes.services.follow_ups import (
    close_work_item,
    end_follow_up,
    report,
    start_follow_up,
)
from outcomes.services.goals import add_step, mark_step_done, review_goal, set_goal
from outcomes.services.record import set_consent, set_family_led, set_groups
from outcomes.services.sharing import grant_helper, revoke_helper
from outcomes.services.wording import load_wording, withdraw_wording
from rules.outcomes import default_registry

pytestmark = pytest.mark.django_db

ACTORS = [role.value for role in Role] + ["superuser"]
EVERYONE = set(ACTORS)
NOBODY: set[str] = set()
# ``practitioner_reaches``: brokers and administrators (a superuser holds the administrator role).
RECORD_ROLES = {Role.BROKER.value, Role.ADMINISTRATOR.value, "superuser"}
# ``connect.permissions.LINK_WORKER_ROLES`` holding an open referral.
LINK_WORKERS = {Role.LINK_WORKER.value, Role.COORDINATOR.value}
# Coordinators and administrators act for any person's follow-up, their own team's or not.
TEAM_LEADS = {Role.COORDINATOR.value, Role.ADMINISTRATOR.value, "superuser"}
WORDING_ROLES = {Role.COORDINATOR.value, Role.ADMINISTRATOR.value, "superuser"}

ONS4 = {"life_satisfaction": 6, "worthwhile": 7, "happiness": 5, "anxiety": 3}
# The measure file's own items (rules/outcomes/data), in its order.
SWEMWBS_ITEMS = default_registry().get("swemwbs").item_ids
# Test wording only (not the licensed text).
WORDING_FILE = yaml.safe_dump(
    {"wording": {item: f"Area question about {item}" for item in SWEMWBS_ITEMS}}
).encode()

# Who may act on a person's record, by how the actor stands to the person.
OPENS_RECORD = {
    "own": EVERYONE,
    "helper": EVERYONE,
    "caseload": RECORD_ROLES,
    "referral": LINK_WORKERS,
    "stranger": NOBODY,
}
ONLY_THE_PERSON = {
    "own": EVERYONE,
    "helper": NOBODY,
    "caseload": NOBODY,
    "referral": NOBODY,
    "stranger": NOBODY,
}
THE_TEAM = {
    "own": NOBODY,  # nobody puts themselves on follow-up, whatever their role
    "helper": TEAM_LEADS,
    "caseload": TEAM_LEADS | {Role.BROKER.value},
    "team_caseload": TEAM_LEADS | {Role.BROKER.value},
    "referral": TEAM_LEADS,
    "stranger": TEAM_LEADS,
}
# Starting a follow-up also needs the team to be the actor's: a broker with the person on their own
# caseload is refused a team they are not on.
START_FOLLOW_UP = THE_TEAM | {"caseload": TEAM_LEADS}
WORKLIST = {"team": EVERYONE, "stranger": TEAM_LEADS}
AREA_WORDING = {"stranger": WORDING_ROLES}


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """One person and how ``user`` stands to them; the rest (a goal, a follow-up with a worklist
    item, a helper, loaded wording) is built by a coordinator only when a row asks for it."""

    def __init__(self, user: User, relation: str) -> None:
        self.user = user
        self.person = user if relation == "own" else f.user(Role.PERSON, display_name="Ada")
        self.team = CaseTeam.objects.create(name="Wellbeing team")
        if relation == "helper":
            Helper.objects.create(person=self.person, helper=user)
        elif relation == "caseload":
            CaseAssignment.objects.create(person=self.person, practitioner=user)
        elif relation == "referral":
            Referral.objects.create(
                person=self.person,
                source=Referral.Source.SELF,
                reason="Lonely",
                link_worker=user,
                status=Referral.Status.CONTACTED,
                received_on=today(),
            )
        elif relation == "team":
            self.team.members.add(user)
        elif relation == "team_caseload":
            CaseAssignment.objects.create(person=self.person, team=self.team)
            self.team.members.add(user)
        profile_for(self.person)

    @cached_property
    def coordinator(self) -> User:
        return f.user(Role.COORDINATOR, display_name="Cora")

    @cached_property
    def goal(self) -> Goal:
        """Set a week ago by the person, with one step, scored 4 to start."""
        return set_goal(
            person=self.person,
            actor=self.person,
            text="Get out more",
            started_on=today() - dt.timedelta(days=7),
            starting_score=4,
            steps=[{"text": "Walk to the park"}],
        )

    @cached_property
    def step(self) -> GoalStep:
        step = self.goal.steps.first()
        assert step is not None  # the goal was set with one step
        return step

    @cached_property
    def follow_up(self) -> FollowUp:
        return start_follow_up(
            person=self.person,
            actor=self.coordinator,
            team=self.team,
            measure_id="swemwbs",
            value_id="metric",
            threshold=Decimal("17"),
            reminder_days=14,
            response_days=2,
        )

    @cached_property
    def work_item(self) -> WorkItem:
        """The person asked to be contacted: on the team's worklist."""
        entry = report(follow_up=self.follow_up, actor=self.person, answers=None, contact_me=True)
        item = WorkItem.objects.filter(report=entry).first()
        assert item is not None  # asking for contact puts them on the worklist
        return item

    @cached_property
    def grant(self) -> Helper:
        """The person lets a carer help (someone other than the actor)."""
        return Helper.objects.create(person=self.person, helper=f.user(Role.CARER))

    @cached_property
    def wording(self) -> AreaWording:
        loaded: AreaWording = load_wording(
            actor=self.coordinator,
            measure_id="swemwbs",
            content=WORDING_FILE,
            file_name="swemwbs.yaml",
            licence_reference="Warwick registration 1",
        )
        return loaded


Call = Callable[[World, User], Any]

SERVICES: dict[str, tuple[Call, tuple[str, ...], dict[str, set[str]]]] = {
    # Adding to the record: whoever opens it.
    "record_answers": (
        lambda w, u: record_answers(
            person=w.person,
            actor=u,
            measure_id="ons4",
            answers=dict(ONS4),
            answered_on=today(),
            answered_by=AnswerSet.AnsweredBy.WITH_HELP,  # ignored when it is their own
        ),
        (),
        OPENS_RECORD,
    ),
    "set_goal": (
        lambda w, u: set_goal(
            person=w.person,
            actor=u,
            text="Cook once a week",
            started_on=today(),
            starting_score=3,
            steps=[],
        ),
        (),
        OPENS_RECORD,
    ),
    "add_step": (
        lambda w, u: add_step(goal=w.goal, actor=u, text="Buy a pan"),
        ("goal",),
        OPENS_RECORD,
    ),
    "mark_step_done": (lambda w, u: mark_step_done(step=w.step, actor=u), ("step",), OPENS_RECORD),
    "review_goal": (
        lambda w, u: review_goal(goal=w.goal, actor=u, rated_on=today(), score_value=6),
        ("goal",),
        OPENS_RECORD,
    ),
    "set_family_led": (
        lambda w, u: set_family_led(
            person=w.person, actor=u, family_led=True, pen_holder="Aunt May"
        ),
        (),
        OPENS_RECORD,
    ),
    "report": (
        lambda w, u: report(follow_up=w.follow_up, actor=u, answers=None, contact_me=True),
        ("follow_up",),
        OPENS_RECORD,
    ),
    # The person's own choices.
    "set_consent": (
        lambda w, u: set_consent(person=w.person, actor=u, counts=False),
        (),
        ONLY_THE_PERSON,
    ),
    "grant_helper": (
        lambda w, u: grant_helper(
            person=w.person, actor=u, identifier=f.user(Role.CARER, username="dee").username
        ),
        (),
        ONLY_THE_PERSON,
    ),
    "revoke_helper": (
        lambda w, u: revoke_helper(grant=w.grant, actor=u),
        ("grant",),
        ONLY_THE_PERSON,
    ),
    # The team's: follow-up and reporting groups.
    "start_follow_up": (
        lambda w, u: start_follow_up(
            person=w.person,
            actor=u,
            team=w.team,
            measure_id="swemwbs",
            value_id="metric",
            threshold=Decimal("20"),
            reminder_days=7,
            response_days=3,
        ),
        (),
        START_FOLLOW_UP,
    ),
    "end_follow_up": (
        lambda w, u: end_follow_up(follow_up=w.follow_up, actor=u),
        ("follow_up",),
        THE_TEAM,
    ),
    "set_groups": (
        lambda w, u: set_groups(
            person=w.person, actor=u, service="Day opportunities", programme="", neighbourhood=None
        ),
        (),
        THE_TEAM,
    ),
    "close_work_item": (
        lambda w, u: close_work_item(item=w.work_item, actor=u, note="Rang them"),
        ("work_item",),
        WORKLIST,
    ),
    # The area's licensed wording: no person's record.
    "load_wording": (
        lambda w, u: load_wording(
            actor=u,
            measure_id="swemwbs",
            content=WORDING_FILE,
            file_name="swemwbs.yaml",
            licence_reference="Warwick registration 2",
        ),
        (),
        AREA_WORDING,
    ),
    "withdraw_wording": (
        lambda w, u: withdraw_wording(actor=u, wording=w.wording),
        ("wording",),
        AREA_WORDING,
    ),
}

NO_ROLE_CHECK = {
    "send_reminders": "the daily job (manage.py outcomes_reminders): nobody acts, so no role",
    "profile_for": "creates the empty settings row of a record; called only by the services above "
    "after their check, and by views after access.can_open",
}
"""Public functions of ``outcomes.services`` that may write but check no role, and why."""

READS = {
    "answered_by_for",
    "last_reported_on",
    "parse_wording_file",
    "past_threshold",
    "pen_holder_writing",
    "score_of",
    "today",
}

ROWS = [
    (service, relation)
    for service, (_call, _needs, allowed_by_relation) in SERVICES.items()
    for relation in allowed_by_relation
]


def _exported_functions() -> set[str]:
    return {name for name in services.__all__ if inspect.isfunction(getattr(services, name))}


def test_every_exported_service_function_is_in_the_table_or_explained() -> None:
    unclassified = _exported_functions() - set(SERVICES) - set(NO_ROLE_CHECK) - READS
    assert not unclassified, f"add these to the role table (or explain them): {unclassified}"
    gone = (set(SERVICES) | set(NO_ROLE_CHECK) | READS) - _exported_functions()
    assert not gone, f"these are no longer exported services: {gone}"


def _written() -> tuple[object, ...]:
    """Everything an outcomes service writes, in a form that shows any change."""
    return (
        AuditEvent.objects.count(),
        AnswerSet.objects.count(),
        sorted(Goal.objects.values_list("pk", "text")),
        sorted(GoalStep.objects.values_list("pk", "text", "done_on")),
        GoalRating.objects.count(),
        sorted(
            Profile.objects.values_list(
                "pk",
                "counts_in_aggregates",
                "family_led",
                "pen_holder",
                "pen_holder_account",
                "service",
                "programme",
            )
        ),
        sorted(Helper.objects.values_list("pk", "revoked_at")),
        sorted(FollowUp.objects.values_list("pk", "ended_on")),
        FollowUpReport.objects.count(),
        sorted(WorkItem.objects.values_list("pk", "done_at")),
        Reminder.objects.count(),
        sorted(AreaWording.objects.values_list("pk", "withdrawn_at")),
    )


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize(("service", "relation"), ROWS)
def test_every_role_against_every_service_that_changes_data(
    service: str, relation: str, role: str
) -> None:
    call, needs, allowed_by_relation = SERVICES[service]
    user = actor(role)
    world = World(user, relation)
    for part in needs:  # build what it works on first: only the call under test may write
        getattr(world, part)
    before = _written()
    audited = AuditEvent.objects.count()
    if role in allowed_by_relation[relation]:
        call(world, user)  # no refusal
        assert AuditEvent.objects.count() > audited, f"{service} wrote no audit event for {role}"
        return
    with pytest.raises(access.NotAllowed) as refused:
        call(world, user)
    message = str(refused.value)
    assert message[:1].isupper() and message.endswith("."), message
    assert _written() == before, f"{service} wrote something for {role} ({relation})"


def test_nobody_signed_out_opens_or_changes_a_record() -> None:
    from django.contrib.auth.models import AnonymousUser

    person = f.user(Role.PERSON)
    team = CaseTeam.objects.create(name="Wellbeing team")
    # The predicates take request.user, which is AnonymousUser when nobody is signed in.
    anonymous = cast(User, AnonymousUser())
    assert not access.can_open(anonymous, person.pk)
    assert not access.can_set_consent(anonymous, person.pk)
    assert not access.can_manage_helpers(anonymous, person.pk)
    assert not access.can_start_follow_up(anonymous, person.pk)
    assert not access.can_manage_wording(anonymous)
    assert not access.can_work_list(anonymous, team)
