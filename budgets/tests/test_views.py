"""The pages, driven with Django's test client: each shows what it should, refuses who it should,
and writes the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets import personal_data
from budgets.models import (
    Assessment,
    BudgetAccount,
    LedgerTransaction,
    PlanLine,
    SupportPlan,
)
from budgets.templatetags.budgets_tags import pounds
from budgets.tests import helpers
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_home_for_visitor_links_to_calculator_and_sign_up(client: Client) -> None:
    page = client.get(reverse("budgets:home"))
    assert page.status_code == 200
    assert reverse("budgets:calculator") in page.content.decode()


def test_public_calculator_shows_every_step_and_provisional_label(client: Client) -> None:
    page = client.post(
        reverse("budgets:calculator"),
        {
            "setting": "home",
            "age": "70",
            "couple": "no",
            "weekly_cost_of_care": "200.00",
            "income_state_pension": "221.20",
            "income_attendance_allowance_lower": "73.90",
            "savings": "16000",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200, text
    assert "You might pay £69.50 a week" in text
    assert "Tariff income" in text
    assert "Provisional" in text
    assert "have not been added to this calculator yet" in text  # today's year falls back


def test_calculator_errors_are_listed(client: Client) -> None:
    page = client.post(reverse("budgets:calculator"), {"age": "abc"})
    assert page.status_code == 400
    assert "Your age must be a whole number" in page.content.decode()


def test_calculator_explains_couples_are_not_covered(client: Client) -> None:
    page = client.post(
        reverse("budgets:calculator"),
        {"setting": "home", "age": "40", "couple": "yes", "weekly_cost_of_care": "100"},
    )
    assert "couples" in page.content.decode()


def test_assessment_pages_save_as_they_go_and_are_audited(client: Client) -> None:
    person = f.user(Role.PERSON)
    signed_in(client, person)
    response = client.post(reverse("budgets:assessment-start"))
    assessment = Assessment.objects.get(person=person)
    assert response["Location"] == reverse("budgets:assessment", args=[assessment.pk])
    overview = client.get(response["Location"])
    assert "Not started" in overview.content.decode()
    url = reverse("budgets:domain", args=[assessment.pk, "person", "personal_care"])
    page = client.get(url)
    assert "Think about washing" in page.content.decode()  # plain-language help
    missing = client.post(url, {})
    assert missing.status_code == 400
    assert "Choose the answer that fits best" in missing.content.decode()
    saved = client.post(
        url, {"answer": "C", "informal_support": "some", "text_in_my_own_words": "Mornings"}
    )
    assert saved["Location"].endswith("/questions/eating_and_drinking/")
    later = client.post(url, {"answer": "B", "save_and_leave": "1"})
    assert later["Location"] == reverse("budgets:assessment", args=[assessment.pk])
    data = assessment.answer_sets.get(kind="person").data
    assert data["answers"]["personal_care"] == "B"
    assert AuditEvent.objects.filter(subject=person, action="view").exists()


def test_others_cannot_see_an_assessment(client: Client) -> None:
    person = f.user(Role.PERSON)
    assessment = helpers.budget_for(person).assessment
    signed_in(client, f.user(Role.PERSON))
    assert client.get(reverse("budgets:assessment", args=[assessment.pk])).status_code == 403
    assert client.get(reverse("budgets:budget", args=[assessment.pk])).status_code == 403


def test_invite_by_link_then_family_member_contributes(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Rosa")
    assessment = helpers.budget_for(person).assessment
    signed_in(client, person)
    page = client.post(
        reverse("budgets:invite", args=[assessment.pk]),
        {"method": "link", "link-name": "Ana", "link-relationship": "family"},
    )
    text = page.content.decode()
    link = text.split('id="invite-link" type="text" value="')[1].split('"')[0]
    sister = f.user(Role.CARER, display_name="Ana")
    signed_in(client, sister)
    path = link.replace("http://testserver", "")
    accepted = client.post(path)
    assert accepted["Location"] == reverse("budgets:contribute", args=[assessment.pk])
    client.post(
        accepted["Location"], {"topic": "personal_care", "text": "She needs help at night too."}
    )
    signed_in(client, person)
    overview = client.get(reverse("budgets:assessment", args=[assessment.pk])).content.decode()
    assert "She needs help at night too." in overview
    assert "Ana" in overview and "(Family)" in overview


def test_budget_page_explains_line_by_line(client: Client) -> None:
    person = f.user(Role.PERSON)
    budget = helpers.budget_for(person)
    signed_in(client, person)
    text = client.get(reverse("budgets:budget", args=[budget.assessment.pk])).content.decode()
    assert f"{pounds(budget.weekly)} a week" in text
    assert "Each point is worth" in text and "Total: 32 points." in text
    # The configuration's id is for staff (which questionnaire priced it), never a resident.
    assert budget.version_id not in text
    broker = f.user(Role.BROKER)
    helpers.assign(person, broker)
    signed_in(client, broker)
    staff = client.get(reverse("budgets:budget", args=[budget.assessment.pk])).content.decode()
    assert f"questionnaire version {budget.version_id}" in staff


def test_whole_plan_journey_through_pages(client: Client) -> None:
    person = f.user(Role.PERSON)
    broker = f.user(Role.BROKER)
    helpers.assign(person, broker)
    helpers.budget_for(person)
    service = f.service(name="Saturday craft morning", cost="4.00", days="SA")
    signed_in(client, person)
    client.post(reverse("budgets:my-plan"))
    plan = SupportPlan.objects.get(person=person)
    plan_url = reverse("budgets:plan", args=[plan.pk])
    made = client.post(
        reverse("budgets:outcome-new", args=[plan.pk]),
        {"text": "Meet people on Saturdays", "wellbeing": ["relationships", "participation"]},
    )
    outcome = plan.outcomes.get()
    assert made["Location"] == reverse("budgets:support-choose", args=[plan.pk, outcome.pk])
    search = client.get(
        reverse("budgets:support-service-search", args=[plan.pk, outcome.pk]), {"q": "craft"}
    )
    assert "Saturday craft morning" in search.content.decode()
    add = reverse("budgets:support-service", args=[plan.pk, outcome.pk, service.pk])
    assert "£4.00" in client.get(add).content.decode()
    client.post(add, {"unit_cost": "4.00", "units_per_week": "2", "schedule": "Saturday"})
    client.post(
        reverse("budgets:support-time-bank", args=[plan.pk, outcome.pk]),
        {"description": "A lift to the craft morning", "hours": "1", "minutes": "30"},
    )
    client.post(
        reverse("budgets:support-other", args=[plan.pk, outcome.pk]),
        {"kind": "family", "description": "My sister visits", "who": "Ana", "hours": "2"},
    )
    page = client.get(plan_url).content.decode()
    assert "£8.00" in page and "1 hour 30 minutes" in page and "My sister visits" in page
    money = client.post(
        reverse("budgets:plan-money", args=[plan.pk]),
        {
            "setting": "home",
            "age": "70",
            "couple": "no",
            "weekly_cost_of_care": "88",
            "income_state_pension": "221.20",
        },
    )
    assert money.status_code == 302
    plan.refresh_from_db()
    assert plan.financial_assessment is not None
    client.post(reverse("budgets:plan-propose", args=[plan.pk]), {})
    plan.refresh_from_db()
    assert plan.status == "proposed"

    signed_in(client, person)
    assert client.get(reverse("budgets:plan-decide", args=[plan.pk])).status_code == 403
    signed_in(client, broker)
    refused = client.post(
        reverse("budgets:plan-decide", args=[plan.pk]), {"decision": "changes_requested"}
    )
    assert refused.status_code == 400
    client.post(
        reverse("budgets:plan-decide", args=[plan.pk]),
        {"decision": "changes_requested", "reason": "Please add how you will get home."},
    )
    signed_in(client, person)
    page = client.get(plan_url).content.decode()
    assert "Please add how you will get home." in page
    client.post(reverse("budgets:plan-propose", args=[plan.pk]), {})
    signed_in(client, broker)
    client.post(reverse("budgets:plan-decide", args=[plan.pk]), {"decision": "approved"})
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert plan.versions.count() == 3  # proposed, proposed again, approved
    assert plan.reviews.filter(done_on__isnull=True).exists()
    opened = client.post(
        reverse("budgets:account-open", args=[plan.pk]),
        {"kind": "direct_payment", "period_start": "2026-11-02"},
    )
    account = BudgetAccount.objects.get(plan=plan)
    assert opened["Location"] == reverse("budgets:account", args=[account.pk])
    signed_in(client, person)
    account_page = client.get(opened["Location"])
    key = account_page.context["form"]["key"].value()
    post = {
        "kind": "provider_payment",
        "payee": "Test Organisation",
        "amount": "8.00",
        "effective": "2026-11-07",
        "memo": "Craft mornings",
        "key": key,
    }
    client.post(opened["Location"], post)
    again = client.post(opened["Location"], post)  # a double submit
    assert again.status_code == 302
    assert LedgerTransaction.objects.filter(kind="provider_payment").count() == 1
    csv = client.get(
        reverse("budgets:account-csv", args=[account.pk]),
        {"start": "2026-11-01", "end": "2026-11-30"},
    )
    body = csv.content.decode()
    assert csv["Content-Type"].startswith("text/csv")
    assert "Craft mornings" in body and "-8.00" in body
    payment = LedgerTransaction.objects.get(kind="provider_payment")
    correct = reverse("budgets:account-correct", args=[account.pk, payment.pk])
    form = client.get(correct).context["form"]
    client.post(correct, {"reason": "Paid twice by the bank", "key": form["key"].value()})
    assert LedgerTransaction.objects.filter(reverses=payment).exists()
    assert client.get(reverse("budgets:plan-version", args=[plan.pk, 1])).status_code == 200
    assert AuditEvent.objects.filter(subject=person, action="export").exists()
    data = client.post(reverse("accounts:download-data")).content.decode()
    assert "support_plan" in data and "Meet people on Saturdays" in data


def test_time_bank_line_is_requested_when_the_plan_is_agreed() -> None:
    person = f.user(Role.PERSON)
    broker = f.user(Role.BROKER)
    helpers.assign(person, broker)
    helpers.budget_for(person)
    from budgets.services.plans import add_line, add_outcome, decide_plan, propose_plan, start_plan

    plan = start_plan(person=person, actor=person)
    outcome = add_outcome(plan=plan, actor=person, text="Garden", wellbeing=["home"])
    add_line(
        outcome=outcome,
        actor=person,
        kind="time_bank",
        description="Garden help",
        minutes_per_week=60,
    )
    propose_plan(plan=plan, actor=person)
    decide_plan(plan=plan, actor=broker, decision="approved")
    line = PlanLine.objects.get(kind="time_bank")
    from timebank.models import Request

    asked = Request.objects.get(title="Garden help")
    assert line.timebank_reference == str(asked.pk)
    assert asked.minutes_per_week == 60


def test_statement_defaults_and_bad_dates(client: Client) -> None:
    account = helpers.open_account()
    signed_in(client, account.person)
    url = reverse("budgets:account", args=[account.pk])
    assert client.get(url, {"start": "2026-05-01", "end": "2026-04-01"}).status_code == 200
    assert client.get(url).status_code == 200
    assert dt.date(2026, 4, 6) == account.period_start


def test_broker_records_a_review_with_specific_errors_first(client: Client) -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER, display_name="Bea")
    plan = helpers.agreed_plan(person, broker)
    review_url = reverse("budgets:plan-review", args=[plan.pk])
    signed_in(client, broker)
    plan_page = client.get(reverse("budgets:plan", args=[plan.pk])).content.decode()
    assert review_url in plan_page
    page = client.get(review_url)
    assert page.status_code == 200
    assert "Get out to the craft club" in page.content.decode()
    empty = client.post(review_url, {})
    assert empty.status_code == 400
    errors = empty.content.decode()
    assert "govuk-error-summary" in errors
    for message in (
        "Choose how the plan is working",
        "Write what the review found, for example which outcomes are being met",
        "Choose when the next review should be",
    ):
        assert message in errors
    assert plan.reviews.filter(done_on__isnull=False).count() == 0
    done = client.post(
        review_url,
        {
            "result": "reassess",
            "notes": "Walking is harder since the winter.",
            "took_part": "Rosa and Bea",
            "next_in_months": "3",
        },
    )
    assert done.status_code == 302
    review = plan.reviews.get(done_on__isnull=False)
    assert (review.result, review.reviewed_by, review.took_part) == (
        "reassess",
        broker,
        "Rosa and Bea",
    )
    # the person sees what was found, and can start a new self-assessment from the plan
    signed_in(client, person)
    mine = client.get(reverse("budgets:plan", args=[plan.pk])).content.decode()
    assert "Walking is harder since the winter." in mine
    assert "a new assessment is needed" in mine
    assert reverse("budgets:assessment-start") in mine
    exported = personal_data.export(person)["support_plans"][0]["reviews"]
    assert {"result": "reassess", "reviewed_by": "Bea"}.items() <= exported[0].items()


def test_review_page_is_refused_to_others_and_absent_for_a_plan_not_agreed(client: Client) -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    plan = helpers.agreed_plan(person, broker)
    review_url = reverse("budgets:plan-review", args=[plan.pk])
    signed_in(client, f.user(Role.PERSON))
    assert client.get(review_url).status_code == 403
    assert client.post(review_url, {"result": "working"}).status_code == 403
    signed_in(client, person)
    assert client.get(review_url).status_code == 200  # a supported self-review
    client.post(reverse("budgets:plan-change", args=[plan.pk]))
    assert client.get(review_url).status_code == 404
    page = client.get(reverse("budgets:plan", args=[plan.pk])).content.decode()
    assert review_url not in page


def test_the_review_shows_what_the_persons_own_scores_say(client: Client) -> None:
    from outcomes import services as outcomes

    person, broker = f.user(Role.PERSON), f.user(Role.BROKER, display_name="Bea")
    plan = helpers.agreed_plan(person, broker)
    # The plan was written ten days ago; no review has been done yet.
    written = timezone.now() - dt.timedelta(days=10)
    type(plan).objects.filter(pk=plan.pk).update(created_at=written)
    review_url = reverse("budgets:plan-review", args=[plan.pk])
    signed_in(client, broker)
    nothing = client.get(review_url).content.decode()
    assert "has not scored any measures or goals since" in nothing
    start = dt.date.today() - dt.timedelta(days=5)
    goal = outcomes.set_goal(
        person=person,
        actor=person,
        text="Walk to the shop",
        started_on=start,
        starting_score=2,
        steps=[],
    )
    outcomes.review_goal(goal=goal, actor=person, rated_on=dt.date.today(), score_value=6)
    page = client.get(review_url).content.decode()
    assert "Goal “Walk to the shop”: 2 to 6 out of 10 – reliable improvement" in page
