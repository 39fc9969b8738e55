"""Issue 13, self-directed support: pages that say what they mean to the person reading them.

Money pages agree with themselves (each warning explains its own arithmetic, checked here against
the figures on the same rendered page); no developer text (parameter keys, configuration ids,
"PROVISIONAL", "£98.6", "Price: £6.00 Price a session"); results lead with a short summary;
money inputs carry the £ prefix; care-home questions only for care homes; shared pages in the
right voice; the GOV.UK error pattern on the early budget form and the invitation link; a plan
that prints and downloads as a PDF."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from budgets import presentation
from budgets.models import BudgetAccount, PlanLine
from budgets.services.accounts import account_balance_pence, post
from budgets.services.assessment import start_assessment
from budgets.services.charging import save_financial_assessment
from budgets.services.plans import add_outcome, plan_totals, reopen_plan, start_plan
from budgets.tests import helpers
from directory.tests import factories as f
from rules.charging.parameters import load_parameter_file

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

CALC = {
    "setting": "home",
    "age": "70",
    "couple": "no",
    "weekly_cost_of_care": "200",
    "income_state_pension": "221.20",
    "income_attendance_allowance_lower": "73.90",
    "savings": "16000",
}


def text_of(page: Response) -> str:
    """The words a person reads: the main content without tags, scripts or styles."""
    body = page.content.decode()
    main = body[body.find("<main") : body.find("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main))).strip()


def section(page: Response, element_id: str) -> str:
    body = page.content.decode()
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', body, re.S)
    assert match, f"#{element_id} is not on the page"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(2)))).strip()


def pounds(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", ""))


CSS = Path(__file__).resolve().parent.parent / "static" / "budgets" / "budgets.css"
MONEY = r"£[\d,]+\.\d\d"
MONEY_FIELDS = (
    r"(?:amount|unit_cost|weekly_cost|top_up_weekly|weekly_cost_of_care|savings|housing_costs"
    r"|disability_costs|home_value|income_\w+)"
)


# --- the charging calculator ---------------------------------------------------------------------


def test_calculator_result_leads_with_a_summary_and_shows_no_developer_text(client: Client) -> None:
    page = client.post(reverse("budgets:calculator"), CALC)
    assert page.status_code == 200
    body = page.content.decode()
    words = text_of(page)
    # The summary (what counts, what is protected, the result) comes before the working.
    assert body.index('id="charge-summary"') < body.index('id="charge-steps"')
    summary = section(page, "charge-summary")
    assert "What counts" in summary and "What is protected" in summary
    assert "You might pay £69.50 a week" in summary
    # No parameter key, no shouting, "provisional" said once.
    for name in load_parameter_file():
        assert name not in words, name
    assert "PROVISIONAL" not in words
    assert words.lower().count("provisional") == 1


def test_every_money_input_has_the_pound_prefix(client: Client) -> None:
    """GOV.UK input prefix on every amount of money in the calculator, the plan's lines and the
    account."""
    person = f.user(Role.PERSON, display_name="Pat")
    account = helpers.open_account(person)
    plan = account.plan
    outcome = plan.outcomes.first()
    assert outcome is not None
    service = f.service(name="Swim", cost="6.00")
    client.force_login(person)
    pages = [
        client.get(reverse("budgets:calculator")),
        client.get(reverse("budgets:plan-money", args=[plan.pk])),
        client.get(reverse("budgets:account", args=[account.pk])),
    ]
    reopen_plan(plan=plan, actor=person)
    plan.refresh_from_db()
    pages += [
        client.get(reverse("budgets:support-other", args=[plan.pk, outcome.pk])),
        client.get(reverse("budgets:support-service", args=[plan.pk, outcome.pk, service.pk])),
    ]
    checked = 0
    for page in pages:
        body = page.content.decode()
        for match in re.finditer(rf'<input[^>]*name="{MONEY_FIELDS}"[^>]*>', body):
            before = body[: match.start()]
            assert before.rstrip().endswith('aria-hidden="true">£</div>'), match.group(0)
            checked += 1
    assert checked >= 24


def test_care_home_questions_appear_only_for_a_care_home(client: Client) -> None:
    body = client.get(reverse("budgets:calculator")).content.decode()
    reveal = body[body.index('id="care-home-questions"') :]
    reveal = reveal[: reveal.index("</fieldset>\n    </div>")]
    for name in ("care_home_stay", "home_value", "relative_at_home"):
        assert f'name="{name}"' in reveal, name
    # Without JavaScript too: the stylesheet hides them unless "In a care home" is chosen.
    css = CSS.read_text()
    assert "#care-home-questions { display: none; }" in css
    assert "budgets/budgets.css" in body
    # For care at home, whatever is in them is neither checked nor used.
    page = client.post(reverse("budgets:calculator"), CALC | {"home_value": "lots"})
    assert page.status_code == 200 and "You might pay £69.50 a week" in text_of(page)
    page = client.post(
        reverse("budgets:calculator"), CALC | {"setting": "care_home", "home_value": "lots"}
    )
    assert page.status_code == 400


def test_charge_steps_and_refusals_name_figures_not_keys() -> None:
    steps = presentation.charge_steps(
        [
            {"step": "weekly_charge", "text": "Your weekly charge: £1.00.", "amount": "1.00"},
            {
                "step": "note",
                "text": "PROVISIONAL: this figure uses values not yet checked against the "
                "official tables (minimum_income_guarantee.single_pension_credit_age).",
            },
        ]
    )
    assert steps == ["Your weekly charge: £1.00."]
    assert presentation.provisional_figures(
        ["minimum_income_guarantee.single_pension_credit_age"]
    ) == ["Guarantee for a single person who has reached Pension Credit age"]

    from budgets.views import _plain_refusal
    from rules.charging import UnknownParameterError

    refusal = _plain_refusal(UnknownParameterError("capital.upper_limit", "2027-01-01", "unknown"))
    assert "capital.upper_limit" not in refusal and "Capital above this" in refusal


# --- the indicative budget -----------------------------------------------------------------------


def test_budget_page_summary_first_without_configuration_id_or_short_pence(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    budget = helpers.budget_for(person)
    client.force_login(person)
    page = client.get(reverse("budgets:budget", args=[budget.assessment.pk]))
    words = text_of(page)
    body = page.content.decode()
    assert body.index('id="budget-summary"') < body.index('id="budget-explanation"')
    assert budget.version_id not in words and "configuration" not in words
    assert not re.search(r"£\d[\d,]*\.\d(?!\d)", words), words
    overview = text_of(client.get(reverse("budgets:assessment", args=[budget.assessment.pk])))
    assert budget.version_id not in overview
    assert "personal_care.in_my_own_words" not in overview


def test_budget_explanation_says_pounds_and_pence() -> None:
    lines = presentation.budget_explanation(
        [
            "This uses the 'illustrative' configuration illustrative-ras-v2 (from 2025-04-01); "
            "its figures are not a council's agreed prices.",
            "Each point is worth £3.08 a week: 32 x £3.08 = £98.56, rounded to the nearest "
            "pound: £99.00.",
            "Each point is worth £3.08 a week: 32 x £3.08 = £98.6, rounded: £99.00.",
            'Looking after yourself: you answered "Some help" (C), weighted x2: 14 points.',
        ]
    )
    assert lines[3] == 'Looking after yourself: you answered "Some help", weighted x2: 14 points.'
    assert "illustrative-ras-v2" not in " ".join(lines)
    assert "= £98.56," in lines[1]
    assert "= £98.60," in lines[2]


# --- the early budget form: the GOV.UK error pattern ---------------------------------------------


def test_early_budget_form_uses_the_error_pattern(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    assessment = start_assessment(person=person, actor=person)
    client.force_login(person)
    page = client.post(reverse("budgets:budget", args=[assessment.pk]), {"kind": "person"})
    assert page.status_code == 400
    body = page.content.decode()
    assert re.search(r"<title>\s*Error: ", body)
    links = re.findall(r'govuk-error-summary__list">\s*<li><a href="#([\w-]+)"', body)
    assert links, "every error in the summary links to where it is fixed"
    assert f'id="{links[0]}"' in body
    assert re.search(
        r'govuk-error-message"[^>]*><span class="govuk-visually-hidden">Error:</span> Answer every',
        body,
    )
    # Beside the message: a link to each question still to answer.
    assert reverse("budgets:domain", args=[assessment.pk, "person", "personal_care"]) in body


def test_a_used_invitation_link_uses_the_error_pattern(client: Client) -> None:
    person = f.user(Role.PERSON)
    helper = f.user(Role.CARER)
    client.force_login(helper)
    page = client.post(reverse("budgets:join", args=["not-a-real-token"]))
    assert page.status_code == 400
    body = page.content.decode()
    assert re.search(r"<title>\s*Error: ", body)
    assert 'href="#join-error"' in body and 'id="join-error"' in body
    assert person.pk  # (the person exists; the link does not)


# --- money pages agree with themselves -----------------------------------------------------------


def _low_balance_account(person: User) -> BudgetAccount:
    """An account whose money in each week is more than the plan spends, but whose balance now
    is low: the case the old page warned "runs out" about."""
    account = helpers.open_account(person)
    today = timezone.localdate()
    balance = account_balance_pence(account)
    post(
        account=account,
        actor=person,
        kind="provider_payment",
        amount=Decimal(balance - 50_00) / 100,
        effective=min(today, account.period_end),
        key=f"spend-{uuid.uuid4().hex}",
        payee="Craft club",
    )
    return account


def first_group(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} is not in {text!r}"
    return match.group(1)


def check_warning_agrees_with_the_page(page: Response) -> str:
    """Parse the rendered account page: the warning's sum uses the page's own figures, adds up,
    and its word (overspend, underspend, on track) follows from the result."""
    balance = pounds(section(page, "balance"))
    each_week = section(page, "money-each-week")
    spends = pounds(first_group(rf"the plan spends ({MONEY})", each_week))
    weekly_in = pounds(first_group(rf"({MONEY}) in all", each_week))
    warning = section(page, "spend-warning").removeprefix("! Warning ")
    assert pounds(first_group(rf"Balance now: ({MONEY})", warning)) == balance
    found = re.search(
        rf"In the next (\d+) days, to [^,]+, the plan spends ({MONEY}) a week \(({MONEY}) in "
        rf"all\) and ({MONEY}) a week is due in \(({MONEY}) in all\)",
        warning,
    )
    assert found, warning
    days = int(found.group(1))
    assert pounds(found.group(2)) == spends and pounds(found.group(4)) == weekly_in
    out_total, in_total = pounds(found.group(3)), pounds(found.group(5))
    assert out_total == (spends * days / 7).quantize(Decimal("0.01"), ROUND_CEILING)
    assert in_total == (weekly_in * days / 7).quantize(Decimal("0.01"), ROUND_FLOOR)
    total = re.search(
        rf"({MONEY}) \+ ({MONEY}) − ({MONEY})((?: [−+] {MONEY})?) = (−?)({MONEY})", warning
    )
    assert total, warning
    assert pounds(total.group(1)) == balance
    assert (pounds(total.group(2)), pounds(total.group(3))) == (in_total, out_total)
    scheduled = Decimal(0)
    if total.group(4):
        sign, amount = total.group(4).split()
        scheduled = pounds(amount) if sign == "−" else -pounds(amount)
    result = pounds(total.group(6)) * (-1 if total.group(5) else 1)
    assert result == balance + in_total - out_total - scheduled
    if result < 0:
        assert warning.startswith("Overspend ahead") and "shortfall of" in warning
    elif "more than the" in warning:
        assert warning.startswith("Underspend")
    else:
        assert warning.startswith("On track")
    if weekly_in >= spends and balance >= scheduled:
        assert "runs out" not in warning
    return warning


def test_account_warning_explains_its_own_arithmetic(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    account = _low_balance_account(person)
    client.force_login(person)
    page = client.get(reverse("budgets:account", args=[account.pk]))
    warning = check_warning_agrees_with_the_page(page)
    assert "runs out" not in warning


def test_account_warning_when_the_money_really_runs_out(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    account = _low_balance_account(person)
    # The plan now spends far more than comes in.
    line = account.plan.lines.first()
    assert line is not None
    PlanLine.objects.filter(pk=line.pk).update(weekly_cost=Decimal("900.00"))
    client.force_login(person)
    warning = check_warning_agrees_with_the_page(
        client.get(reverse("budgets:account", args=[account.pk]))
    )
    assert warning.startswith("Overspend ahead") and "the money runs out around" in warning


def test_council_pays_nothing_is_explained(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    broker = f.user(Role.BROKER, display_name="Bea")
    plan = helpers.agreed_plan(person, broker)
    budget = plan.budget
    assert budget is not None
    save_financial_assessment(
        person=person,
        actor=person,
        inputs={
            "setting": "home",
            "age": 70,
            "couple": False,
            "reached_pension_credit_age": True,
            "weekly_cost_of_care": str(budget.weekly),
            "incomes": {"occupational_pension": "2000.00"},
        },
        plan=plan,
    )
    plan.refresh_from_db()
    totals = plan_totals(plan)
    assert totals.council_weekly == 0 and totals.contribution_weekly == budget.weekly
    client.force_login(person)
    words = section(client.get(reverse("budgets:plan", args=[plan.pk])), "money-in-words")
    assert "Your assessed contribution is at least the whole budget" in words
    assert "the council pays £0.00" in words
    assert f"paid support ({presentation.money(totals.paid_weekly)} a week)" in words


# --- voice ----------------------------------------------------------------------------------------


def test_a_broker_reads_the_persons_plan_in_the_third_person(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    broker = f.user(Role.BROKER, display_name="Bea")
    account = helpers.open_account(person, broker)
    plan = account.plan
    assert plan.assessment is not None
    client.force_login(broker)
    for url in (
        reverse("budgets:plan", args=[plan.pk]),
        reverse("budgets:account", args=[account.pk]),
        reverse("budgets:plan-money", args=[plan.pk]),
        reverse("budgets:budget", args=[plan.assessment.pk]),
        reverse("budgets:assessment", args=[plan.assessment.pk]),
    ):
        words = text_of(client.get(url))
        for mine in ("Your contribution", "Change my plan", "Your indicative budget", "Your share"):
            assert mine not in words, (url, mine)
    plan_words = text_of(client.get(reverse("budgets:plan", args=[plan.pk])))
    assert "Pat's contribution" in plan_words and "Change the plan" in plan_words
    account_page = text_of(client.get(reverse("budgets:account", args=[account.pk])))
    assert "Pat's contribution paid in" in account_page
    # The person still reads "Your".
    client.force_login(person)
    own = text_of(client.get(reverse("budgets:plan", args=[plan.pk])))
    assert "Your contribution" in own and "Change my plan" in own


def test_a_person_recording_a_self_review_reads_wording_for_themselves(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    broker = f.user(Role.BROKER, display_name="Bea")
    plan = helpers.agreed_plan(person, broker)
    client.force_login(person)
    page = client.get(reverse("budgets:plan-review", args=[plan.pk]))
    words = text_of(page)
    assert "Review your support plan" in words and "How is your plan working?" in words
    assert "with Pat" not in words and "Pat's own scores" not in words
    assert "The person sees this" not in words
    client.force_login(broker)
    staff = text_of(client.get(reverse("budgets:plan-review", args=[plan.pk])))
    assert "Look at each outcome with Pat" in staff


# --- directory prices -----------------------------------------------------------------------------


def test_a_directory_price_is_said_once(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    helpers.budget_for(person)
    plan = start_plan(person=person, actor=person)
    outcome = add_outcome(plan=plan, actor=person, text="Swim", wellbeing=["participation"])
    service = f.service(name="Swim", cost="6.00")
    service.cost_options.update(option="Price a session", amount_description="£6 a session")
    client.force_login(person)
    words = text_of(
        client.get(reverse("budgets:support-service", args=[plan.pk, outcome.pk, service.pk]))
    )
    assert "£6.00 a session" in words
    assert "Price a session" not in words and "(£6 a session)" not in words


# --- print and PDF -------------------------------------------------------------------------------


def test_an_agreed_plan_prints_and_downloads_as_pdf(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat Print")
    broker = f.user(Role.BROKER, display_name="Bea")
    plan = helpers.agreed_plan(person, broker)
    client.force_login(person)
    plan_page = client.get(reverse("budgets:plan", args=[plan.pk])).content.decode()
    assert reverse("budgets:plan-print", args=[plan.pk]) in plan_page
    page = client.get(reverse("budgets:plan-print", args=[plan.pk]))
    words = text_of(page)
    assert "Support plan for Pat Print" in words and "Agreed by Bea on" in words
    assert "Get out to the craft club" in words and "Craft club" in words
    assert "budgets/budgets.css" in page.content.decode()
    css = CSS.read_text()
    printing = css[css.index("@media print") :]
    for hidden in (".govuk-service-navigation", ".govuk-footer", ".govuk-button", "form"):
        assert hidden in printing
    pytest.importorskip("weasyprint")
    pdf = client.get(reverse("budgets:plan-pdf", args=[plan.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf["Content-Disposition"]
    # Someone with no access gets no PDF.
    client.force_login(f.user(Role.PERSON))
    assert client.get(reverse("budgets:plan-pdf", args=[plan.pk])).status_code == 403


def test_the_projection_never_claims_money_runs_out_while_more_comes_in() -> None:
    today = dt.date(2026, 12, 3)
    found = presentation.project(
        balance=Decimal("122.90"),
        weekly_out=Decimal("55.50"),
        weekly_in=Decimal("73.00"),
        scheduled_out=Decimal("0"),
        as_of=today,
        until=today + dt.timedelta(weeks=4),
        threshold=Decimal("222.00"),
    )
    assert found.status == "on_track" and found.projected == Decimal("192.90")
    assert "£122.90 + £292.00 − £222.00 = £192.90" in found.message


# --- the whole class: every budgets page, as the person and as their broker ---------------------


def test_no_page_shows_developer_text_or_the_wrong_voice(client: Client) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    broker = f.user(Role.BROKER, display_name="Bea")
    account = helpers.open_account(person, broker)
    plan = account.plan
    reopen_plan(plan=plan, actor=person)
    plan.refresh_from_db()
    outcome = plan.outcomes.first()
    assert outcome is not None
    service = f.service(name="Swim", cost="6.00")
    assessment = plan.assessment
    assert assessment is not None
    urls = [
        reverse("budgets:home"),
        reverse("budgets:calculator"),
        reverse("budgets:assessment", args=[assessment.pk]),
        reverse("budgets:budget", args=[assessment.pk]),
        reverse("budgets:contribute", args=[assessment.pk]),
        reverse("budgets:plan", args=[plan.pk]),
        reverse("budgets:outcome-new", args=[plan.pk]),
        reverse("budgets:support-choose", args=[plan.pk, outcome.pk]),
        reverse("budgets:support-service-search", args=[plan.pk, outcome.pk]) + "?q=swim",
        reverse("budgets:support-service", args=[plan.pk, outcome.pk, service.pk]),
        reverse("budgets:support-time-bank", args=[plan.pk, outcome.pk]),
        reverse("budgets:support-other", args=[plan.pk, outcome.pk]),
        reverse("budgets:plan-money", args=[plan.pk]),
        reverse("budgets:plan-neighbourhood", args=[plan.pk]),
        reverse("budgets:plan-propose", args=[plan.pk]),
        reverse("budgets:plan-version", args=[plan.pk, 1]),
        reverse("budgets:plan-print", args=[plan.pk]),
        reverse("budgets:account", args=[account.pk]),
    ]
    keys = list(load_parameter_file())
    for user in (person, broker):
        client.force_login(user)
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, (user, url, page.status_code)
            words = text_of(page)
            assert not re.search(r"\b(\w+) \1\b", words.replace("£", "")), (url, words)
            assert not re.search(r"£\d[\d,]*\.\d(?!\d)", words), url
            assert "PROVISIONAL" not in words, url
            if user == person:  # staff see which questionnaire version priced a budget
                assert "illustrative-ras" not in words, url
            assert not [k for k in keys if k in words], url
            # The broker's own home page and the public calculator speak to the reader.
            if user == broker and url not in urls[:2]:
                for mine in (
                    "my plan",
                    "your plan",
                    "Your plan",
                    "your budget",
                    "Your contribution",
                    "Your indicative budget",
                    "Your share",
                ):
                    assert mine not in words, (url, mine)
