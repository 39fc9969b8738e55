"""Experts-by-experience quality checks: three experts score separately, the report combines
their scores with the provider's self-assessment gap, and each expert's time credits are issued
exactly once."""

import datetime as dt
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories
from rules.voice.quality_parameters import DOMAIN_KEYS
from timebank import selectors as timebank_selectors
from timebank.models import LedgerTransaction
from timebank.tests import factories as tb
from voice import selectors
from voice.models import CheckExpert, QualityCheck
from voice.services._common import VoiceRefused
from voice.services.checks import plan_check, publish_check, respond_to_check
from voice.services.clocks import escalate_overdue
from voice.services.experts import add_expert, register_expert
from voice.services.scores import submit_scores, submit_self_assessment

pytestmark = pytest.mark.django_db

ALL_FOUR = dict.fromkeys(DOMAIN_KEYS, "4")


def scores(**given: str) -> dict[str, str]:
    return {**ALL_FOUR, **given}


@pytest.fixture
def s() -> dict[str, Any]:
    org = factories.organization(name="Riverside Care")
    svc = factories.service(organization_=org, name="Riverside Day Centre")
    provider = factories.provider_user(org)
    moderator = factories.user(Role.MODERATOR, username="mod", email="mod@example.com")
    coordinator = tb.coordinator()
    voice_org = tb.member(kind="group", name="Borough Voice", by=coordinator)
    experts = [tb.member(by=coordinator, name=f"Expert {n}") for n in range(4)]
    for member in experts:
        train(moderator, member.user)
    return {
        "org": org,
        "svc": svc,
        "provider": provider,
        "moderator": moderator,
        "voice_org": voice_org,
        "experts": experts,
    }


def train(moderator: User, user: User, on: dt.date = dt.date(2026, 1, 15)) -> None:
    """Register ``user`` as a trained expert by experience (needed before any check)."""
    register_expert(
        lead=moderator,
        who=user.username,
        recruited_from="time_bank",
        training="Quality checker training, day 1 and 2",
        trained_on=on,
    )


def plan(s: dict[str, Any], **kw: Any) -> QualityCheck:
    return plan_check(
        lead=s["moderator"],
        about="service",
        service_id=str(s["svc"].pk),
        visit_date=kw.pop("visit_date", dt.date(2026, 11, 10)),
        minutes_per_expert=kw.pop("minutes", 180),
        credits_member_id=s["voice_org"].pk,
        **kw,
    )


def full_check(s: dict[str, Any], n: int = 3, **kw: Any) -> QualityCheck:
    check = plan(s, **kw)
    given = [scores(workforce="4"), scores(workforce="4"), scores(workforce="3"), scores()]
    for member, answers in zip(s["experts"][:n], given, strict=False):
        add_expert(
            lead=s["moderator"], check=check, who=member.user.username, reward="time_credits"
        )
        submit_scores(expert=member.user, check=check, scores=answers)
    return check


def test_three_experts_combined_with_agreement_and_self_assessment_gap(s: dict[str, Any]) -> None:
    check = full_check(s)
    submit_self_assessment(
        user=s["provider"], check=check, scores=scores(workforce="5", information="2")
    )
    check.refresh_from_db()
    result = selectors.result_for(check)
    by = {d.domain: d for d in result.domains}
    assert result.experts == 3
    assert by["workforce"].scores == (4, 4, 3)
    assert str(by["workforce"].combined) == "11/3"
    assert by["workforce"].agreement_label == "Strong agreement"
    assert str(by["workforce"].gap) == "4/3"  # provider 5, experts 3.67
    assert by["information"].gap == -2  # provider 2, experts 4
    assert by["wellbeing"].gap == 0


def test_publish_issues_each_experts_credits_exactly_once(s: dict[str, Any]) -> None:
    check = full_check(s)
    before = [timebank_selectors.balance_of(m) for m in s["experts"][:3]]
    publish_check(lead=s["moderator"], check=check, summary="Warm, but slow to reply.")
    publish_check(lead=s["moderator"], check=check, summary="Again")  # double submit
    after = [timebank_selectors.balance_of(m) for m in s["experts"][:3]]
    assert [a - b for a, b in zip(after, before, strict=True)] == [180, 180, 180]
    issued = LedgerTransaction.objects.filter(kind="issue", key__startswith="issue:voice-check:")
    assert issued.count() == 3
    check.refresh_from_db()
    assert check.state == "published" and check.summary == "Warm, but slow to reply."
    assert all(p.credit_key and p.credited_at for p in check.experts.all())
    # Published on a Tuesday: 20 working days later
    assert check.respond_by is not None and check.respond_by > timezone.localdate()


def test_payment_and_no_reward_issue_no_credits(s: dict[str, Any]) -> None:
    check = plan(s)
    for member, reward in zip(s["experts"][:3], ["time_credits", "payment", "none"], strict=True):
        add_expert(lead=s["moderator"], check=check, who=member.user.email, reward=reward)
        submit_scores(expert=member.user, check=check, scores=scores())
    publish_check(lead=s["moderator"], check=check, summary="Fine")
    assert LedgerTransaction.objects.filter(kind="issue", key__contains="voice-check").count() == 1
    assert CheckExpert.objects.filter(credit_key="").count() == 2


def test_two_experts_cannot_publish_and_three_can(s: dict[str, Any]) -> None:
    check = full_check(s, n=2)
    with pytest.raises(VoiceRefused, match="At least 3 experts"):
        publish_check(lead=s["moderator"], check=check, summary="Too few")
    assert LedgerTransaction.objects.filter(kind="issue", key__contains="voice-check").count() == 0
    member = s["experts"][2]
    add_expert(lead=s["moderator"], check=check, who=member.user.username, reward="none")
    submit_scores(expert=member.user, check=check, scores=scores())
    assert publish_check(lead=s["moderator"], check=check, summary="Ok").state == ("published")


def test_expert_who_has_not_sent_scores_is_not_counted_or_credited(s: dict[str, Any]) -> None:
    check = full_check(s, n=3)
    late = s["experts"][3]
    add_expert(lead=s["moderator"], check=check, who=late.user.username, reward="time_credits")
    before = timebank_selectors.balance_of(late)
    publish_check(lead=s["moderator"], check=check, summary="Ok")
    assert timebank_selectors.balance_of(late) == before
    assert selectors.result_for(check).experts == 3


def test_scores_are_final_and_complete(s: dict[str, Any]) -> None:
    check = plan(s)
    member = s["experts"][0]
    add_expert(lead=s["moderator"], check=check, who=member.user.username, reward="none")
    missing = scores()
    del missing["workforce"]
    with pytest.raises(VoiceRefused) as refused:
        submit_scores(expert=member.user, check=check, scores=missing)
    assert refused.value.field == "workforce"
    with pytest.raises(VoiceRefused, match="between 1 and 5"):
        submit_scores(expert=member.user, check=check, scores=scores(workforce="6"))
    with pytest.raises(VoiceRefused, match="between 1 and 5"):
        submit_scores(expert=member.user, check=check, scores=scores(workforce="0"))
    submit_scores(
        expert=member.user, check=check, scores=scores(workforce="5", information="not_seen")
    )
    place = CheckExpert.objects.get()
    assert place.scores["workforce"] == 5 and place.scores["information"] is None
    with pytest.raises(VoiceRefused, match="already sent"):
        submit_scores(expert=member.user, check=check, scores=scores())


def test_who_may_be_an_expert(s: dict[str, Any]) -> None:
    check = plan(s)
    with pytest.raises(VoiceRefused, match="works for the provider"):
        add_expert(lead=s["moderator"], check=check, who=s["provider"].username, reward="none")
    outsider = factories.user(Role.PERSON, username="notinbank")
    train(s["moderator"], outsider)
    with pytest.raises(VoiceRefused, match="not an approved member of the time bank"):
        add_expert(lead=s["moderator"], check=check, who="notinbank", reward="time_credits")
    add_expert(lead=s["moderator"], check=check, who="notinbank", reward="payment")
    with pytest.raises(VoiceRefused, match="already on this check"):
        add_expert(lead=s["moderator"], check=check, who="NotInBank", reward="payment")
    with pytest.raises(VoiceRefused, match="independent voice moderators"):
        add_expert(lead=s["provider"], check=check, who=outsider.email, reward="none")
    with pytest.raises(VoiceRefused, match="could not find"):
        add_expert(lead=s["moderator"], check=check, who="nobody-here", reward="none")


def test_minutes_per_expert_limits(s: dict[str, Any]) -> None:
    for bad in (0, 721):
        with pytest.raises(VoiceRefused) as refused:
            plan(s, minutes=bad)
        assert refused.value.field == "minutes_per_expert"
    assert plan(s, minutes=1).minutes_per_expert == 1
    assert plan(s, minutes=720).minutes_per_expert == 720


def test_self_assessment_only_by_the_provider_and_only_before_publishing(s: dict[str, Any]) -> None:
    check = full_check(s)
    with pytest.raises(VoiceRefused, match="Only the provider"):
        submit_self_assessment(user=s["moderator"], check=check, scores=scores())
    publish_check(lead=s["moderator"], check=check, summary="Ok")
    with pytest.raises(VoiceRefused, match="published"):
        submit_self_assessment(user=s["provider"], check=check, scores=scores())
    assert selectors.result_for(check).overall_gap is None


def test_provider_response_on_the_clock(s: dict[str, Any]) -> None:
    check = full_check(s)
    with pytest.raises(VoiceRefused, match="not published"):
        respond_to_check(user=s["provider"], check=check, text="Thanks")
    publish_check(
        lead=s["moderator"],
        check=check,
        summary="Ok",
        now=timezone.make_aware(dt.datetime(2026, 12, 21, 10)),
    )
    check.refresh_from_db()
    # 20 working days from Monday 21 December 2026 skips Christmas, Boxing Day (substitute
    # Monday 28th) and New Year's Day: Thursday 21 January 2027.
    assert check.respond_by == dt.date(2027, 1, 21)
    assert selectors.check_response_overdue(check, dt.date(2027, 1, 21)) is False
    assert selectors.check_response_overdue(check, dt.date(2027, 1, 22)) is True
    respond_to_check(user=s["provider"], check=check, text="We will reply faster.")
    check.refresh_from_db()
    assert check.responded_by_name == "Riverside Care"
    assert not selectors.check_response_overdue(check, dt.date(2027, 2, 1))
    with pytest.raises(VoiceRefused, match="already has a response"):
        respond_to_check(user=s["provider"], check=check, text="Again")


def test_every_step_is_audited(s: dict[str, Any]) -> None:
    check = full_check(s)
    publish_check(lead=s["moderator"], check=check, summary="Ok")
    summaries = list(AuditEvent.objects.values_list("summary", flat=True))
    assert any("quality check of Riverside Day Centre planned" in x for x in summaries)
    assert sum("added as Expert" in x for x in summaries) == 3
    assert sum("sent scores for quality check" in x for x in summaries) == 3
    assert any("report published (3 experts; time credits issued to 3)" in x for x in summaries)


def test_expert_hours_by_organisation_and_month(s: dict[str, Any]) -> None:
    november = full_check(s, visit_date=dt.date(2026, 11, 30), minutes=180)
    publish_check(lead=s["moderator"], check=november, summary="Ok")
    december = full_check(s, visit_date=dt.date(2026, 12, 1), minutes=90)
    publish_check(lead=s["moderator"], check=december, summary="Ok")
    full_check(s, visit_date=dt.date(2026, 12, 2), minutes=60)  # open: not counted
    assert selectors.expert_hours(dt.date(2026, 11, 1), dt.date(2026, 12, 31)) == [
        {"organisation": "Riverside Care", "month": "2026-11", "minutes": 540},
        {"organisation": "Riverside Care", "month": "2026-12", "minutes": 270},
    ]
    # The range is inclusive at both ends
    assert selectors.expert_hours(dt.date(2026, 11, 30), dt.date(2026, 11, 30))[0]["minutes"] == 540
    assert selectors.expert_hours(dt.date(2026, 12, 1), dt.date(2026, 12, 1))[0]["minutes"] == 270
    assert selectors.expert_hours(dt.date(2026, 12, 2), dt.date(2026, 12, 31)) == []


def test_unanswered_report_is_escalated_once_and_listed(
    s: dict[str, Any],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    factories.user(Role.COMMISSIONER, username="com", email="com@example.org")
    check = full_check(s)
    publish_check(
        lead=s["moderator"],
        check=check,
        summary="Ok",
        now=timezone.make_aware(dt.datetime(2026, 11, 2, 10)),
    )
    check.refresh_from_db()
    assert check.respond_by == dt.date(2026, 11, 30)
    assert escalate_overdue(dt.date(2026, 11, 30)) == []  # the last day is on time
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(dt.date(2026, 12, 1)) == [check]
        assert escalate_overdue(dt.date(2026, 12, 2)) == []  # once
    assert len(mailoutbox) == 1 and check.reference in mailoutbox[0].body
    assert mailoutbox[0].to == ["com@example.org"]
    c = Client()
    c.force_login(User.objects.get(username="com"))
    page = c.get(reverse("voice:overdue")).content.decode()
    assert f"{check.reference}: Riverside Day Centre" in page and "escalated" in page
    public = Client().get(reverse("voice:check", args=[check.reference])).content.decode()
    assert "Overdue" in public


def test_only_experts_trained_by_the_visit_can_be_added(s: dict[str, Any]) -> None:
    check = plan(s, visit_date=dt.date(2026, 11, 10))
    person = factories.user(Role.PERSON, username="untrained")
    with pytest.raises(VoiceRefused, match="no training as an expert by experience"):
        add_expert(lead=s["moderator"], check=check, who="untrained", reward="none")
    train(s["moderator"], person, on=dt.date(2026, 11, 11))  # the day after the visit
    with pytest.raises(VoiceRefused, match="on or before the visit"):
        add_expert(lead=s["moderator"], check=check, who="untrained", reward="none")
    train(s["moderator"], person, on=dt.date(2026, 11, 10))  # the day of the visit
    assert add_expert(lead=s["moderator"], check=check, who="untrained", reward="none")
    with pytest.raises(VoiceRefused, match="independent voice moderators"):
        train(s["provider"], person)
    with pytest.raises(VoiceRefused, match="today or in the past"):
        train(s["moderator"], person, on=dt.date(2099, 1, 1))


def test_experts_are_emailed_a_link_to_the_report_unless_they_turned_these_emails_off(
    s: dict[str, Any],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from accounts.notification_preferences import unsubscribe

    check = full_check(s)
    first, *others = [m.user for m in s["experts"][:3]]
    unsubscribe(user_ids=[first.pk], kind_code="quality_checks", request=None)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish_check(lead=s["moderator"], check=check, summary="Kind staff.")
    sent_to = sorted(address for message in mailoutbox for address in message.to)
    assert sent_to == sorted(u.email for u in others)
    assert f"/feedback/checks/{check.reference}/" in mailoutbox[0].body
    assert mailoutbox[0].body.count("http") >= 1
