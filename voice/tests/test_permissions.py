"""Issue 14: people's voice asks named predicates (``voice.permissions``) in views, selectors and
services alike. This runs every role against every service that changes data.

Each actor below holds one role (or is a superuser, who holds the administrator role) and is not
a party to anything in the world the test builds: not the person who gave feedback, not a member
of the provider or team it is about, not an expert on a check. So what they may do comes from
their role alone; everyone else is refused with a sentence, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories as f
from rules.voice.coproduction import KIND_KEYS
from timebank.tests import factories as tb
from voice import permissions, services
from voice.models import (
    Change,
    CheckExpert,
    CoproductionAssessment,
    ExpertByExperience,
    Feedback,
    ModerationDecision,
    QualityCheck,
    VisitPair,
)
from voice.services._common import VoiceRefused
from voice.services.changes import confirm_change, verify_change
from voice.services.checks import plan_check, publish_check, respond_to_check
from voice.services.coproduction import record_coproduction
from voice.services.experts import add_expert, register_expert
from voice.services.feedback import submit_feedback
from voice.services.moderation import moderate
from voice.services.responses import acknowledge, respond
from voice.services.scores import submit_scores, submit_self_assessment
from voice.services.visits import record_visit_pair
from voice.tests.test_quality_checks import full_check, scores, train

pytestmark = pytest.mark.django_db

ACTORS = [role.value for role in Role] + ["superuser"]
MODERATORS = {Role.MODERATOR.value}
STAFF_ENTRY = {Role.COORDINATOR.value, Role.ADMINISTRATOR.value, Role.MODERATOR.value, "superuser"}
COPRODUCTION = {
    Role.MODERATOR.value,
    Role.COMMISSIONER.value,
    Role.ADMINISTRATOR.value,
    "superuser",
}
OVERDUE_READERS = COPRODUCTION
NOBODY: set[str] = set()


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """A provider's service, feedback at each stage, and an open quality check with three
    experts' scores sent (and a fourth trained expert not on it)."""

    def __init__(self) -> None:
        org = f.organization(name="Riverside Care")
        self.svc = f.service(organization_=org, name="Riverside Day Centre")
        self.provider = f.provider_user(org)
        self.moderator = f.user(Role.MODERATOR, username="mod")
        self.author = f.user(Role.PERSON, username="author")
        coordinator = tb.coordinator()
        self.experts = [tb.member(by=coordinator, name=f"Expert {n}") for n in range(4)]
        for member in self.experts:
            train(self.moderator, member.user)
        voice_org = tb.member(kind="group", name="Borough Voice", by=coordinator)
        self.check = full_check(
            {
                "svc": self.svc,
                "moderator": self.moderator,
                "voice_org": voice_org,
                "experts": self.experts,
            }
        )
        self.places = list(self.check.experts.order_by("label"))
        self.waiting = self.feedback()  # not yet moderated
        self.published = self.passed_on(self.feedback())
        self.promised = self.change(author=self.author)
        self.promised_anonymously = self.change(author=None)

    def feedback(self, author: User | None = None) -> Feedback:
        return submit_feedback(
            about="service",
            service_id=str(self.svc.pk),
            kind="complaint",
            given_as="carer",
            text="Left waiting",
            identity=Feedback.Identity.ANONYMOUS if author is None else Feedback.Identity.NAMED,
            name="" if author is None else "Ann Author",
            author=author,
        )

    def passed_on(self, feedback: Feedback) -> Feedback:
        return moderate(
            feedback=feedback,
            moderator=self.moderator,
            decision="published",
            reason="Fine",
            published_text="Left waiting",
        )

    def change(self, author: User | None) -> Change:
        feedback = self.passed_on(self.feedback(author))
        respond(feedback=feedback, user=self.provider, text="Sorry", change="New rota")
        return Change.objects.get(feedback=feedback)


def _ratings() -> dict[str, dict[str, Any]]:
    return {kind: {"rung": 3, "impact": "high", "effort": "low"} for kind in KIND_KEYS}


SERVICES: dict[str, tuple[Callable[[World, User], Any], set[str]]] = {
    # Feedback entered by staff for someone else (by phone or on paper).
    "submit_feedback": (
        lambda w, u: submit_feedback(
            about="service",
            service_id=str(w.svc.pk),
            kind="complaint",
            given_as="carer",
            text="Rang to say the bus was late",
            identity=Feedback.Identity.ANONYMOUS,
            source=Feedback.Source.PHONE,
            entered_by=u,
        ),
        STAFF_ENTRY,
    ),
    # The independent voice moderators only.
    "moderate": (
        lambda w, u: moderate(
            feedback=w.waiting,
            moderator=u,
            decision="published",
            reason="Fine",
            published_text="Left waiting",
        ),
        MODERATORS,
    ),
    "verify_change": (
        lambda w, u: verify_change(
            change=w.promised_anonymously, moderator=u, evidence="Rota seen on the wall"
        ),
        MODERATORS,
    ),
    "plan_check": (
        lambda w, u: plan_check(
            lead=u,
            about="service",
            service_id=str(w.svc.pk),
            visit_date=dt.date(2026, 12, 1),
            minutes_per_expert=120,
        ),
        MODERATORS,
    ),
    "register_expert": (
        lambda w, u: register_expert(
            lead=u,
            who=f.user(Role.PERSON).username,
            recruited_from="time_bank",
            training="Quality checker training",
            trained_on=dt.date(2026, 1, 10),
        ),
        MODERATORS,
    ),
    "add_expert": (
        lambda w, u: add_expert(
            lead=u, check=w.check, who=w.experts[3].user.username, reward="none"
        ),
        MODERATORS,
    ),
    "record_visit_pair": (
        lambda w, u: record_visit_pair(
            lead=u,
            check=w.check,
            first=w.places[0].pk,
            second=w.places[1].pk,
            visit_on=dt.date(2026, 11, 10),
            place="Day room",
        ),
        MODERATORS,
    ),
    "publish_check": (
        lambda w, u: publish_check(lead=u, check=w.check, summary="Warm and welcoming"),
        MODERATORS,
    ),
    # Moderators, commissioners and administrators write up a co-production workshop.
    "record_coproduction": (
        lambda w, u: record_coproduction(
            user=u,
            subject="Riverside Care",
            held_on=dt.date(2026, 11, 20),
            participants="4 people, 2 staff",
            ratings=_ratings(),
            prefill=[],
        ),
        COPRODUCTION,
    ),
    # The provider or team the feedback or check is about (no actor is one of them).
    "acknowledge": (
        lambda w, u: acknowledge(feedback=w.published, user=u, text="Thank you"),
        NOBODY,
    ),
    "respond": (lambda w, u: respond(feedback=w.published, user=u, text="Sorry"), NOBODY),
    "submit_self_assessment": (
        lambda w, u: submit_self_assessment(user=u, check=w.check, scores=scores()),
        NOBODY,
    ),
    "respond_to_check": (
        lambda w, u: respond_to_check(user=u, check=w.check, text="We will"),
        NOBODY,
    ),
    # The person who gave the feedback, and the experts on the check (no actor is one).
    "confirm_change": (lambda w, u: confirm_change(change=w.promised, user=u), NOBODY),
    "submit_scores": (
        lambda w, u: submit_scores(expert=u, check=w.check, scores=scores()),
        NOBODY,
    ),
}

NO_ROLE_CHECK = {
    "escalate_overdue": "the daily command, no person acting",
}
"""Public functions of ``voice.services`` that write but are not given a person acting."""

READS = {"clock_area", "clock_for", "credit_key_for", "credit_organisations"}


def _service_modules() -> list[ModuleType]:
    """The modules of the ``voice.services`` package (one per thing people do)."""
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
    """Other apps import ``voice.services.<name>``: each public function of the modules is
    re-exported there, in ``__all__``, as the very function its module defines."""
    missing = _public_functions() - set(services.__all__)
    assert not missing, f"add these to voice/services/__init__.py: {missing}"
    for module in _service_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                assert getattr(services, name) is fn, name


def test_every_public_service_function_is_in_the_table_or_explained() -> None:
    unclassified = _public_functions() - set(SERVICES) - set(NO_ROLE_CHECK) - READS
    assert not unclassified, f"add these to the role table (or explain them): {unclassified}"


def _written() -> tuple[int, ...]:
    return (
        AuditEvent.objects.count(),
        Feedback.objects.count(),
        Feedback.objects.filter(acknowledged_at__isnull=False).count(),
        ModerationDecision.objects.count(),
        Change.objects.filter(state=Change.State.MADE).count(),
        QualityCheck.objects.count(),
        QualityCheck.objects.filter(state=QualityCheck.State.PUBLISHED).count(),
        QualityCheck.objects.filter(self_assessed_at__isnull=False).count(),
        CheckExpert.objects.count(),
        CheckExpert.objects.filter(submitted_at__isnull=False).count(),
        VisitPair.objects.count(),
        ExpertByExperience.objects.count(),
        CoproductionAssessment.objects.count(),
    )


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_against_every_service_that_changes_data(service: str, role: str) -> None:
    world = World()
    call, allowed = SERVICES[service]
    user = actor(role)
    if role in allowed:
        before = AuditEvent.objects.count()
        call(world, user)  # no refusal
        assert AuditEvent.objects.count() > before, "an allowed write is audited"
        return
    before_all = _written()
    with pytest.raises(VoiceRefused):
        call(world, user)
    assert _written() == before_all


@pytest.mark.parametrize("role", ACTORS)
def test_the_role_predicates_are_the_roles(role: str) -> None:
    user = actor(role)
    assert permissions.is_moderator(user) is (role in MODERATORS)
    assert permissions.can_enter_for_others(user) is (role in STAFF_ENTRY)
    assert permissions.can_record_coproduction(user) is (role in COPRODUCTION)
    assert permissions.may_see_overdue(user) is (role in OVERDUE_READERS)
    assert permissions.is_commissioner(user) is (role == Role.COMMISSIONER.value)


def test_nobody_signed_out_holds_a_role() -> None:
    from django.contrib.auth.models import AnonymousUser

    nobody = AnonymousUser()
    assert not permissions.is_moderator(nobody)
    assert not permissions.can_enter_for_others(nobody)
    assert not permissions.can_record_coproduction(nobody)
    assert not permissions.may_see_overdue(nobody)
    assert permissions.signed_in(nobody) is None


def test_views_selectors_and_services_share_the_predicates() -> None:
    """The views, selectors and worklists ask the same predicates (no role check of their own)."""
    from voice import selectors, views, worklists

    for module in (views, selectors, worklists):
        source = inspect.getsource(module)
        assert "has_role(" not in source and "Role." not in source, module.__name__
    assert vars(views)["permissions"] is permissions
    assert vars(selectors)["is_moderator"] is permissions.is_moderator
    assert vars(worklists)["is_moderator"] is permissions.is_moderator
    for module in _service_modules():  # and the services modules ask the same predicates
        for name in ("is_moderator", "can_respond", "can_answer_for_check"):
            if hasattr(module, name):
                assert getattr(module, name) is getattr(permissions, name), module.__name__
