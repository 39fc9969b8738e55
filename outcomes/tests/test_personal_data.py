"""Export and erasure cover everything the outcomes app holds about a person: their own record,
and what they did on other people's records (carer, pen holder, broker, team) or for the area."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import yaml
from django.apps import apps
from django.conf import settings

from accounts.models import User
from accounts.roles import Role
from accounts.services import erase_person, export_personal_data
from budgets.models import CaseTeam
from directory.tests import factories as f
from outcomes import personal_data
from outcomes.models import AnswerSet, AreaWording, Goal, Profile
from outcomes.services.answers import record_answers
from outcomes.services.follow_ups import close_work_item, report, start_follow_up
from outcomes.services.goals import review_goal, set_goal
from outcomes.services.record import set_family_led
from outcomes.services.sharing import grant_helper
from outcomes.services.wording import load_wording
from rules.outcomes import default_registry

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
# The measure file's own items (rules/outcomes/data), in its order.
SWEMWBS = default_registry().get("swemwbs").item_ids


def test_every_reference_to_an_account_is_covered() -> None:
    """A new foreign key to an account in this app must be added to export and erasure."""
    found = {
        (model.__name__, field.name)
        for model in apps.get_app_config("outcomes").get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and field.concrete
        and field.related_model is not None
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
    }
    assert found == set(personal_data.COVERED)


@pytest.fixture
def scene() -> tuple[User, User, User]:
    pat = f.user(username="pat", display_name="Pat")
    sam = f.user(Role.CARER, username="sam", display_name="Sam")
    cora = f.user(Role.COORDINATOR, username="cora", display_name="Cora")
    grant_helper(person=pat, actor=pat, identifier="sam")
    set_family_led(
        person=pat, actor=pat, family_led=True, pen_holder="", pen_holder_account_id=sam.pk
    )
    record_answers(
        person=pat,
        actor=sam,
        measure_id="swemwbs",
        answers=dict.fromkeys(SWEMWBS, 3),
        answered_on=TODAY - dt.timedelta(days=1),
        answered_by="with_help",
    )
    goal = set_goal(
        person=pat,
        actor=sam,
        text="Cook Sunday lunch",
        started_on=TODAY - dt.timedelta(days=10),
        starting_score=2,
        steps=[{"text": "Recipe", "supporter": "Sam", "due_on": None}],
    )
    review_goal(goal=goal, actor=sam, rated_on=TODAY, score_value=5)
    team = CaseTeam.objects.create(name="Wellbeing team")
    team.members.add(cora)
    follow_up = start_follow_up(
        person=pat,
        actor=cora,
        team=team,
        measure_id="swemwbs",
        value_id="metric",
        threshold=Decimal("17"),
        reminder_days=14,
        response_days=2,
    )
    entry = report(follow_up=follow_up, actor=pat, answers=None, contact_me=True)
    close_work_item(item=entry.follow_up.work_items.get(), actor=cora, note="Phoned Pat")
    load_wording(
        actor=cora,
        measure_id="swemwbs",
        content=yaml.safe_dump({"wording": {i: f"Question {i}" for i in SWEMWBS}}).encode(),
        file_name="w.yaml",
        licence_reference="Registration 1",
    )
    return pat, sam, cora


def test_export_covers_what_they_did_for_others_without_the_others_answers(
    scene: tuple[User, User, User],
) -> None:
    pat, sam, cora = scene
    sams = personal_data.export(sam)
    others = sams["for_other_people"]
    assert others["holds_the_pen_for"] == ["pat"]
    assert others["questionnaires_recorded"] == [
        {
            "for": "pat",
            "measure": "swemwbs",
            "answered_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "answered_by": "with_help",
        }
    ]
    assert others["goals_written"][0]["goal"] == "Cook Sunday lunch"
    assert len(others["goal_reviews"]) == 2
    assert "answers" not in json.dumps(others)  # Pat's answers are Pat's
    coras = personal_data.export(cora)
    assert coras["for_other_people"]["follow_ups_started"][0]["for"] == "pat"
    assert coras["for_other_people"]["worklist_contacts"][0]["for"] == "pat"
    assert coras["licensed_wording"][0]["licence_reference"] == "Registration 1"
    pats = personal_data.export(pat)
    assert pats["profile"]["pen_holder_account"] == "sam"
    assert pats["questionnaires"][0]["answered_by"] == "with_help"
    assert pats["questionnaires"][0]["recorded_by"] == "sam"
    assert pats["goals"][0]["ratings"][1]["recorded_by"] == "sam"
    assert pats["follow_up"][0]["started_by"] == "cora"
    assert pats["follow_up"][0]["contacts"][0]["done_by"] == "cora"
    # The platform-wide export includes this app's section.
    assert "outcomes" in export_personal_data(person=sam, requested_by=sam, request=None)


def test_erasing_the_pen_holder_takes_their_name_out_of_the_persons_record(
    scene: tuple[User, User, User],
) -> None:
    pat, sam, cora = scene
    erase_person(person=sam, erased_by=cora, request=None)
    profile = Profile.objects.get(person=pat)
    assert profile.pen_holder == personal_data.ERASED and profile.pen_holder_account is None
    assert Goal.objects.get().written_by == personal_data.ERASED
    # Pat's own record is hers and stays.
    assert AnswerSet.objects.filter(person=pat).count() == 1
    exported = personal_data.export(pat)
    assert "Sam" not in json.dumps(exported["profile"])
    assert exported["goals"][0]["written_by"] == personal_data.ERASED
    # (Pat's own words stay hers: a step's supporter she typed, "Sam", is not guessed at.)


def test_erasing_the_person_removes_their_record_and_keeps_the_area_licence(
    scene: tuple[User, User, User],
) -> None:
    pat, sam, cora = scene
    erase_person(person=pat, erased_by=cora, request=None)
    assert not AnswerSet.objects.exists() and not Goal.objects.exists()
    assert not Profile.objects.exists()
    assert personal_data.export(sam)["for_other_people"]["holds_the_pen_for"] == []
    erase_person(person=cora, erased_by=sam, request=None)
    loaded_by = AreaWording.objects.get().loaded_by
    assert loaded_by is not None and loaded_by.username.startswith("erased-")
