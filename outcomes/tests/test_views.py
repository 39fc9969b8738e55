"""The outcome record's pages through Django's test client: who may see what, missing answers
refused per item, the follow-up worklist and reminders, aggregates suppressed and anonymous, the
personal-data export and erasure, and changes_since for the plan review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets.models import CaseAssignment, CaseTeam
from directory.models import Neighbourhood
from directory.tests import factories as f
from outcomes import access, personal_data, selectors
from outcomes.models import AnswerSet, FollowUp, Goal, Profile, Reminder, WorkItem
from outcomes.services._common import OutcomesRefused, today
from outcomes.services.answers import record_answers
from outcomes.services.follow_ups import report, send_reminders, start_follow_up
from outcomes.services.goals import review_goal, set_goal
from outcomes.services.record import set_consent, set_family_led
from outcomes.services.sharing import grant_helper, revoke_helper
from rules.outcomes import default_registry

pytestmark = pytest.mark.django_db

# The measure file's own items (rules/outcomes/data), in its order.
SWEMWBS = default_registry().get("swemwbs").item_ids
ONS4 = {"life_satisfaction": "6", "worthwhile": "7", "happiness": "5", "anxiety": "3"}
TODAY = dt.date.today()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def swemwbs(value: int) -> dict[str, object]:
    return dict.fromkeys(SWEMWBS, value)


@pytest.fixture
def person() -> User:
    return f.user(username="pat", display_name="Pat")


def record_url(person: User) -> str:
    return reverse("outcomes:record", args=[person.pk])


# --- permissions ---------------------------------------------------------------------------------


def test_person_sees_own_record_and_the_view_is_audited(client: Client, person: User) -> None:
    client.force_login(person)
    page = client.get(record_url(person))
    assert page.status_code == 200
    assert "Your outcome record" in page.content.decode()
    assert AuditEvent.objects.filter(subject=person, action="view").exists()


def test_carer_without_permission_is_refused_and_with_permission_may_answer(
    client: Client, person: User
) -> None:
    carer = f.user(Role.CARER, username="cam")
    client.force_login(carer)
    assert client.get(record_url(person)).status_code == 403
    url = reverse("outcomes:answer", args=[person.pk, "ons4"])
    assert client.post(url, {**ONS4, "answered_on": TODAY.isoformat()}).status_code == 403
    assert not AnswerSet.objects.exists()
    grant = grant_helper(person=person, actor=person, identifier="cam")
    assert client.get(record_url(person)).status_code == 200
    data = {**ONS4, "answered_on": TODAY.isoformat(), "answered_by": "with_help"}
    assert client.post(url, data).status_code == 302
    saved = AnswerSet.objects.get()
    assert saved.recorded_by == carer and saved.person == person
    assert saved.answered_by == "with_help"
    revoke_helper(grant=grant, actor=person)
    assert client.get(record_url(person)).status_code == 403


def test_carer_cannot_grant_themselves_permission(person: User) -> None:
    carer = f.user(Role.CARER, username="cam")
    with pytest.raises(access.NotAllowed):
        grant_helper(person=person, actor=carer, identifier="cam")


def test_practitioner_outside_caseload_is_refused_on_caseload_allowed(
    client: Client, person: User
) -> None:
    broker = f.user(Role.BROKER, username="bo")
    client.force_login(broker)
    page = client.get(record_url(person))
    assert page.status_code == 403
    assert "not on your caseload" in page.content.decode()
    goal = set_goal(
        person=person, actor=person, text="Walk", started_on=days_ago(3), starting_score=2, steps=[]
    )
    assert client.get(reverse("outcomes:goal", args=[goal.pk])).status_code == 403
    CaseAssignment.objects.create(person=person, practitioner=broker)
    assert client.get(record_url(person)).status_code == 200
    assert client.get(reverse("outcomes:goal", args=[goal.pk])).status_code == 200


def test_commissioner_sees_only_aggregates(client: Client, person: User) -> None:
    commissioner = f.user(Role.COMMISSIONER, username="cy")
    CaseAssignment.objects.create(person=person, practitioner=commissioner)
    client.force_login(commissioner)
    assert client.get(record_url(person)).status_code == 403
    assert client.get(reverse("outcomes:answer", args=[person.pk, "ons4"])).status_code == 403
    assert client.get(reverse("outcomes:aggregates")).status_code == 200


def test_person_may_not_see_aggregates_or_anyone_elses_record(client: Client, person: User) -> None:
    other = f.user()
    client.force_login(other)
    assert client.get(reverse("outcomes:aggregates")).status_code == 403
    assert client.get(record_url(person)).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client: Client, person: User) -> None:
    assert client.get(record_url(person)).status_code == 302


# --- answering -----------------------------------------------------------------------------------


def test_missing_items_refused_with_an_error_on_each_question(client: Client, person: User) -> None:
    client.force_login(person)
    url = reverse("outcomes:answer", args=[person.pk, "swemwbs"])
    data = dict.fromkeys(SWEMWBS[:5], "3") | {"answered_on": TODAY.isoformat()}
    page = client.post(url, data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html
    assert "Answer &#x27;feeling close to other people&#x27;" in html
    assert "Answer &#x27;able to make up own mind&#x27;" in html
    assert 'href="#id_close_to_others-0"' in html and 'href="#id_own_mind-0"' in html
    assert html.count('class="govuk-error-message"') == 2
    assert not AnswerSet.objects.exists()


def test_off_scale_answer_refused(client: Client, person: User) -> None:
    client.force_login(person)
    url = reverse("outcomes:answer", args=[person.pk, "ons4"])
    page = client.post(url, {**ONS4, "anxiety": "11", "answered_on": TODAY.isoformat()})
    assert page.status_code == 200 and "There is a problem" in page.content.decode()
    assert not AnswerSet.objects.exists()


def test_future_date_refused(client: Client, person: User) -> None:
    client.force_login(person)
    url = reverse("outcomes:answer", args=[person.pk, "ons4"])
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    page = client.post(url, {**ONS4, "answered_on": tomorrow})
    assert "today or in the past" in page.content.decode()


def test_swemwbs_shows_topics_and_licence_notice_not_wording(client: Client, person: User) -> None:
    client.force_login(person)
    html = client.get(reverse("outcomes:answer", args=[person.pk, "swemwbs"])).content.decode()
    assert "Optimistic about the future" in html
    assert "licensed wording" in html


def test_ons4_shows_open_wording(client: Client, person: User) -> None:
    client.force_login(person)
    html = client.get(reverse("outcomes:answer", args=[person.pk, "ons4"])).content.decode()
    assert "Overall, how satisfied are you with your life nowadays?" in html
    assert "Open Government Licence" in html


def test_chart_marks_reliable_change_and_has_a_table(client: Client, person: User) -> None:
    record_answers(
        person=person,
        actor=person,
        measure_id="swemwbs",
        answers=swemwbs(3),
        answered_on=days_ago(30),
    )
    record_answers(
        person=person, actor=person, measure_id="swemwbs", answers=swemwbs(4), answered_on=TODAY
    )
    client.force_login(person)
    html = client.get(reverse("outcomes:measure", args=[person.pk, "swemwbs"])).content.decode()
    assert (
        "<svg" in html
        and "<polygon" in html
        and "style=" not in html.split("<svg")[1].split("</svg>")[0]
    )
    assert "19.25" in html and "Reliable improvement" in html


# --- goals ---------------------------------------------------------------------------------------


def test_goal_in_three_steps_and_two_reviews(client: Client, person: User) -> None:
    client.force_login(person)
    data = {
        "text": "Cook a meal for friends",
        "starting_score": "2",
        "started_on": days_ago(60).isoformat(),
    }
    for n, step in enumerate(["Plan a menu", "Shop", "Cook"], start=1):
        data |= {
            f"step_{n}": step,
            f"step_{n}_supporter": "my daughter Sam",
            f"step_{n}_due": days_ago(60 - 10 * n).isoformat(),
        }
    response = client.post(reverse("outcomes:goal-new", args=[person.pk]), data)
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert [s.supporter for s in goal.steps.all()] == ["my daughter Sam"] * 3
    review = reverse("outcomes:goal-review", args=[goal.pk])
    client.post(review, {"score": "4", "rated_on": days_ago(30).isoformat()})
    same_day = client.post(review, {"score": "5", "rated_on": days_ago(30).isoformat()})
    assert "must be after the last review" in same_day.content.decode()
    client.post(review, {"score": "6", "rated_on": TODAY.isoformat()})
    html = client.get(reverse("outcomes:goal", args=[goal.pk])).content.decode()
    assert "Reliable improvement" in html and "my daughter Sam" in html
    assert [r.score for r in goal.ratings.all()] == [2, 4, 6]


def test_family_led_goal_is_recorded_as_written_by_the_family(person: User) -> None:
    set_family_led(person=person, actor=person, family_led=True, pen_holder="my son Ali")
    goal = set_goal(
        person=person,
        actor=person,
        text="Go swimming",
        started_on=TODAY,
        starting_score=1,
        steps=[],
    )
    assert goal.written_by == "my son Ali"
    with pytest.raises(OutcomesRefused):
        set_family_led(person=person, actor=person, family_led=True, pen_holder=" ")


# --- follow-up and worklist ----------------------------------------------------------------------


@pytest.fixture
def team() -> CaseTeam:
    team = CaseTeam.objects.create(name="Gut health team")
    nurse = f.user(Role.BROKER, username="nur", email="nurse@example.org")
    team.members.add(nurse)
    return team


def start(person: User, team: CaseTeam, threshold: str = "17") -> FollowUp:
    coordinator = f.user(Role.COORDINATOR)
    return start_follow_up(
        person=person,
        actor=coordinator,
        team=team,
        measure_id="swemwbs",
        value_id="metric",
        threshold=Decimal(threshold),
        reminder_days=14,
        response_days=2,
    )


def test_report_past_threshold_goes_on_the_worklist_with_a_deadline(
    client: Client,
    person: User,
    team: CaseTeam,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    start(person, team)
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("outcomes:report", args=[person.pk]), dict.fromkeys(SWEMWBS, "2")
        )
    assert response.status_code == 302
    item = WorkItem.objects.get()
    assert item.reason == "threshold"
    assert dt.timedelta(days=1) < item.due_by - item.created_at <= dt.timedelta(days=2, seconds=5)
    assert mail.outbox and "nurse@example.org" in mail.outbox[0].to
    client.force_login(team.members.get())
    html = client.get(reverse("outcomes:worklist")).content.decode()
    assert "Pat" in html and "Answers past the threshold" in html
    done = client.post(reverse("outcomes:work-done", args=[item.pk]), {"note": "Phoned"})
    assert done.status_code == 302
    assert "Pat" not in client.get(reverse("outcomes:worklist")).content.decode().split("<main")[1]


def test_report_within_threshold_does_not_go_on_the_worklist(person: User, team: CaseTeam) -> None:
    follow_up = start(person, team)
    report(follow_up=follow_up, actor=person, answers=swemwbs(4), contact_me=False)
    assert not WorkItem.objects.exists()


def test_please_contact_me_alone_goes_on_the_worklist(person: User, team: CaseTeam) -> None:
    follow_up = start(person, team)
    report(follow_up=follow_up, actor=person, answers=None, contact_me=True, note="Flare")
    assert WorkItem.objects.get().reason == "contact"


def test_empty_report_is_refused(client: Client, person: User, team: CaseTeam) -> None:
    start(person, team)
    client.force_login(person)
    page = client.post(reverse("outcomes:report", args=[person.pk]), {})
    assert page.status_code == 200 and "ask us to contact you" in page.content.decode()


def test_worklist_refused_outside_the_team(client: Client, person: User, team: CaseTeam) -> None:
    follow_up = start(person, team)
    report(follow_up=follow_up, actor=person, answers=None, contact_me=True)
    outsider = f.user(Role.BROKER)
    client.force_login(outsider)
    assert client.get(reverse("outcomes:worklist")).status_code == 403
    item = WorkItem.objects.get()
    assert (
        client.post(reverse("outcomes:work-done", args=[item.pk]), {"note": "x"}).status_code == 403
    )


def test_reminders_are_sent_once_per_quiet_period(
    person: User, team: CaseTeam, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    follow_up = start(person, team)
    follow_up.started_on = days_ago(15)
    follow_up.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("outcomes_reminders")
        call_command("outcomes_reminders")
    assert Reminder.objects.count() == 1
    assert WorkItem.objects.filter(reason="not_reported").count() == 1
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_no_reminder_inside_the_period(person: User, team: CaseTeam) -> None:
    start(person, team)
    assert send_reminders() == 0


def test_person_cannot_put_themselves_on_follow_up(
    client: Client, person: User, team: CaseTeam
) -> None:
    client.force_login(person)
    assert client.get(reverse("outcomes:follow-up", args=[person.pk])).status_code == 403


# --- aggregates ----------------------------------------------------------------------------------


def make_people(
    count: int, service: str, consent: bool = True, hood: Neighbourhood | None = None
) -> None:
    for _ in range(count):
        user = f.user()
        Profile.objects.create(
            person=user, counts_in_aggregates=consent, service=service, neighbourhood=hood
        )
        record_answers(
            person=user,
            actor=user,
            measure_id="swemwbs",
            answers=swemwbs(3),
            answered_on=days_ago(30),
        )
        record_answers(
            person=user, actor=user, measure_id="swemwbs", answers=swemwbs(4), answered_on=TODAY
        )


def test_aggregate_page_suppresses_small_cells_and_names_nobody(client: Client) -> None:
    make_people(6, "Befriending")
    make_people(7, "Peer support")
    make_people(2, "Walking group")
    make_people(4, "Walking group", consent=False)
    commissioner = f.user(Role.COMMISSIONER, display_name="Commissioner Cy")
    client.force_login(commissioner)
    page = client.get(reverse("outcomes:aggregates"), {"measure": "swemwbs", "rows": "service"})
    html = page.content.decode()
    assert page.status_code == 200
    # Walking group (2) is primary-suppressed; the smallest other row (Befriending, 6) is hidden
    # too, or the Walking group figure would be the total minus Peer support.
    assert html.count("Hidden to protect people") == 2
    table = selectors.outcome_table("swemwbs", "service")
    assert table.cell("Walking group").status == "suppressed_small"
    assert table.cell("Befriending").status == "suppressed_secondary"
    peer_support = table.cell("Peer support").stats
    assert peer_support is not None and peer_support.measured == 7
    assert table.total.stats is not None and table.total.stats.measured == 15
    assert table.excluded_without_consent == 4
    assert "Test Person" not in html
    csv = client.get(reverse("outcomes:aggregates-csv"), {"measure": "swemwbs", "rows": "service"})
    body = csv.content.decode()
    assert "suppressed_small" in body and "Test Person" not in body
    assert "fewer than 5" in body


def test_aggregate_counts_nobody_until_they_say_yes(person: User) -> None:
    record_answers(
        person=person,
        actor=person,
        measure_id="swemwbs",
        answers=swemwbs(3),
        answered_on=days_ago(3),
    )
    record_answers(
        person=person, actor=person, measure_id="swemwbs", answers=swemwbs(4), answered_on=TODAY
    )
    assert Profile.objects.get(person=person).counts_in_aggregates is False
    assert selectors.outcome_table("swemwbs", "service").excluded_without_consent == 1
    set_consent(person=person, actor=person, counts=True)
    assert selectors.outcome_table("swemwbs", "service").excluded_without_consent == 0


def test_bad_report_choice_is_a_400_naming_the_field(client: Client) -> None:
    client.force_login(f.user(Role.COMMISSIONER))
    page = client.get(reverse("outcomes:aggregates"), {"measure": "nope", "rows": "service"})
    assert page.status_code == 400 and "Select a valid choice" in page.content.decode()


def test_only_the_person_sets_consent(client: Client, person: User) -> None:
    carer = f.user(Role.CARER, username="cam")
    grant_helper(person=person, actor=person, identifier="cam")
    client.force_login(carer)
    assert (
        client.post(reverse("outcomes:consent", args=[person.pk]), {"counts": "yes"}).status_code
        == 403
    )
    assert not Profile.objects.filter(person=person, counts_in_aggregates=True).exists()


# --- changes since, export and erasure ----------------------------------------------------------


def test_changes_since_reports_measures_and_goals(person: User) -> None:
    record_answers(
        person=person,
        actor=person,
        measure_id="swemwbs",
        answers=swemwbs(3),
        answered_on=days_ago(60),
    )
    record_answers(
        person=person,
        actor=person,
        measure_id="swemwbs",
        answers=swemwbs(4),
        answered_on=days_ago(5),
    )
    goal = set_goal(
        person=person,
        actor=person,
        text="Walk",
        started_on=days_ago(60),
        starting_score=2,
        steps=[],
    )
    review_goal(goal=goal, actor=person, rated_on=days_ago(40), score_value=3)
    review_goal(goal=goal, actor=person, rated_on=days_ago(2), score_value=6)
    changes = selectors.changes_since(person, days_ago(30))
    (measure,) = changes.measures
    assert measure.measure_id == "swemwbs" and measure.direction == "improvement"
    (goal_change,) = changes.goals
    assert (goal_change.before, goal_change.after, goal_change.from_start) == (3, 6, 4)
    assert goal_change.direction == "improvement"
    assert not selectors.changes_since(person, TODAY)


def test_export_and_erase_cover_everything(person: User, team: CaseTeam) -> None:
    record_answers(
        person=person,
        actor=person,
        measure_id="ons4",
        answers={k: int(v) for k, v in ONS4.items()},
        answered_on=TODAY,
    )
    set_goal(
        person=person,
        actor=person,
        text="Walk",
        started_on=TODAY,
        starting_score=2,
        steps=[{"text": "Shoes", "supporter": "Sam", "due_on": None}],
    )
    follow_up = start(person, team)
    report(follow_up=follow_up, actor=person, answers=None, contact_me=True, note="Help")
    data = personal_data.export(person)
    assert data["questionnaires"][0]["measure"] == "ons4"
    assert data["goals"][0]["steps"][0]["supporter"] == "Sam"
    assert data["follow_up"][0]["reports"][0]["note"] == "Help"
    personal_data.erase(person)
    assert personal_data.export(person) == {
        "questionnaires": [],
        "goals": [],
        "helpers": [],
        "helping": [],
        "follow_up": [],
        "for_other_people": {
            "questionnaires_recorded": [],
            "goals_written": [],
            "goal_reviews": [],
            "holds_the_pen_for": [],
            "follow_ups_started": [],
            "worklist_contacts": [],
        },
        "licensed_wording": [],
    }
    assert not WorkItem.objects.exists()


def test_two_way_report_hides_a_small_cell_so_totals_cannot_recover_it(client: Client) -> None:
    from rules.outcomes import determined_entries

    north, south = f.neighbourhood("North"), f.neighbourhood("South", "52.1", "-1.1")
    make_people(6, "Befriending", hood=north)
    make_people(6, "Befriending", hood=south)
    make_people(7, "Peer support", hood=north)
    make_people(2, "Peer support", hood=south)
    table = selectors.outcome_table("swemwbs", "service", "neighbourhood")
    assert table.cell("Peer support", "South").status == "suppressed_small"
    hidden = [key for key, cell in table.cells.items() if cell.suppressed]
    # What a reader has: the published counts (a hidden entry is an unknown, its value unused).
    counts = {key: cell.stats.measured if cell.stats else 0 for key, cell in table.cells.items()}
    assert determined_entries(hidden, table.lines(), counts) == []
    client.force_login(f.user(Role.COMMISSIONER, display_name="Commissioner Cy"))
    page = client.get(
        reverse("outcomes:aggregates"),
        {"measure": "swemwbs", "rows": "service", "columns": "neighbourhood"},
    )
    assert page.content.decode().count("Hidden to protect people") == len(hidden) >= 4


def test_csv_export_carries_the_snomed_ct_code(client: Client) -> None:
    """SWEMWBS score: SNOMED CT 718466001, from NHS Digital's MHSDS assessment reference table
    (see snomed_ct_source in rules/outcomes/data/swemwbs-2026.1.yaml)."""
    make_people(6, "Befriending")
    client.force_login(f.user(Role.COMMISSIONER))
    body = client.get(
        reverse("outcomes:aggregates-csv"), {"measure": "swemwbs", "rows": "service"}
    ).content.decode()
    header, first = body.splitlines()[:2]
    assert header.split(",")[:3] == ["measure", "measure_version", "snomed_ct"]
    assert first.split(",")[:3] == ["swemwbs", "2026.1", "718466001"]
