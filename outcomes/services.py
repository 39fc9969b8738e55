"""Writes to a person's outcome record. Each checks who is acting (again, even if the view did),
runs in one transaction and records an audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from budgets import selectors as budget_selectors
from budgets.models import CaseTeam
from outcomes import access
from outcomes.measures import registry
from outcomes.models import (
    AnswerSet,
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
from rules.outcomes import Score, score
from wellbeing_hub.notifications import notify, site_url


class OutcomesRefused(Exception):
    """A write refused for a reason the person can fix; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def today() -> dt.date:
    return timezone.localdate()


def _audit(
    actor: User, action: str, target: Any, person: User, summary: str, request: HttpRequest | None
) -> None:
    record_audit(
        actor=actor, action=action, target=target, subject=person, summary=summary, request=request
    )


def _on_behalf(actor: User, person: User) -> str:
    return "" if actor.pk == person.pk else f" (by {actor.get_full_name()} for them)"


def profile_for(person: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(person=person)
    return profile


def _check_date(value: dt.date, field: str, earliest: dt.date | None = None) -> None:
    if value > today():
        raise OutcomesRefused("The date must be today or in the past", field=field)
    if earliest is not None and value < earliest:
        raise OutcomesRefused(f"The date must be on or after {earliest:%-d %B %Y}", field=field)


# --- measures ------------------------------------------------------------------------------------


@transaction.atomic
def record_answers(
    *,
    person: User,
    actor: User,
    measure_id: str,
    answers: dict[str, object],
    answered_on: dt.date,
    occasion: str = AnswerSet.Occasion.CHOSEN,
    answered_by: str | None = None,
    request: HttpRequest | None = None,
) -> tuple[AnswerSet, Score]:
    """Score and keep one completed questionnaire. ``rules.outcomes`` refuses a missing item
    (MissingAnswerError names each one); nothing is stored then.

    Someone recording for the person (a carer with permission, their broker) says who answered:
    the person, with them recording (``with_help``), or they themselves, in their own view
    (``proxy``), which is refused where the measure takes no proxy answers (ONS4) and never counts
    in aggregates."""
    access.require(access.can_open(actor, person.pk), "You cannot add to this person's record.")
    _check_date(answered_on, "answered_on")
    measure = registry().get(measure_id)
    answered_by = answered_by_for(actor, person, measure, answered_by)
    result = score(measure, answers)  # raises AnswerError before anything is written
    answer_set = AnswerSet.objects.create(
        person=person,
        measure_id=measure.id,
        measure_version=measure.version,
        answered_on=answered_on,
        occasion=occasion,
        answers=dict(result.answers),
        answered_by=answered_by,
        recorded_by=actor,
    )
    profile_for(person)
    how = {
        AnswerSet.AnsweredBy.WITH_HELP: f" (their answers, recorded by {actor.get_full_name()})",
        AnswerSet.AnsweredBy.PROXY: f" (answered for them by {actor.get_full_name()})",
    }.get(answered_by, "")
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        answer_set,
        person,
        f"Answered {measure.name}{how}",
        request,
    )
    return answer_set, result


def answered_by_for(actor: User, person: User, measure: Any, answered_by: str | None) -> str:
    """Who answered: the person when they record it themselves; otherwise the recorder must say."""
    if actor.pk == person.pk:
        return AnswerSet.AnsweredBy.PERSON
    if answered_by not in (AnswerSet.AnsweredBy.WITH_HELP, AnswerSet.AnsweredBy.PROXY):
        raise OutcomesRefused(
            f"Say whether {person.get_full_name()} is answering or you are answering for them",
            field="answered_by",
        )
    if answered_by == AnswerSet.AnsweredBy.PROXY and not measure.proxy_answers:
        raise OutcomesRefused(
            f"{measure.name} must be answered by {person.get_full_name()} themselves: you can "
            "record their answers, but not answer for them",
            field="answered_by",
        )
    return answered_by


def score_of(answer_set: AnswerSet) -> Score:
    """Re-score with the exact measure version the answers were given under."""
    return score(
        registry().get(answer_set.measure_id, answer_set.measure_version), answer_set.answers
    )


# --- goals ---------------------------------------------------------------------------------------


@transaction.atomic
def set_goal(
    *,
    person: User,
    actor: User,
    text: str,
    started_on: dt.date,
    starting_score: int,
    steps: list[dict[str, Any]],
    written_by: str = "",
    plan_outcome_id: int | None = None,
    request: HttpRequest | None = None,
) -> Goal:
    access.require(access.can_open(actor, person.pk), "You cannot add to this person's record.")
    plan_outcome = None
    if plan_outcome_id is not None:
        plan_outcome = next(
            (o for o in budget_selectors.plan_outcomes_of(person) if o.pk == plan_outcome_id), None
        )
        if plan_outcome is None:
            raise OutcomesRefused(
                "Choose one of the outcomes in this person's support plan, or none",
                field="plan_outcome",
            )
    if not text.strip():
        raise OutcomesRefused("Enter your goal, in your own words", field="text")
    _check_date(started_on, "started_on")
    if not 0 <= starting_score <= 10:
        raise OutcomesRefused("Score the goal from 0 to 10", field="starting_score")
    profile = profile_for(person)
    if not written_by and profile.family_led:
        written_by = pen_holder_writing(profile, actor)
    goal = Goal.objects.create(
        person=person,
        text=text.strip(),
        started_on=started_on,
        written_by=written_by.strip(),
        recorded_by=actor,
        plan_outcome=plan_outcome,
    )
    for position, step in enumerate(steps, start=1):
        GoalStep.objects.create(goal=goal, position=position, **step)
    GoalRating.objects.create(
        goal=goal,
        rated_on=started_on,
        score=starting_score,
        note="Starting point",
        recorded_by=actor,
    )
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        goal,
        person,
        f"Set a goal with {len(steps)} steps{_on_behalf(actor, person)}",
        request,
    )
    return goal


@transaction.atomic
def add_step(
    *,
    goal: Goal,
    actor: User,
    text: str,
    supporter: str = "",
    due_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> GoalStep:
    access.require(access.can_open(actor, goal.person_id), "You cannot change this goal.")
    position = (
        goal.steps.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    step = GoalStep.objects.create(
        goal=goal, position=position, text=text.strip(), supporter=supporter.strip(), due_on=due_on
    )
    _audit(actor, AuditEvent.Action.UPDATE, goal, goal.person, "Added a step to a goal", request)
    return step


@transaction.atomic
def mark_step_done(*, step: GoalStep, actor: User, request: HttpRequest | None = None) -> GoalStep:
    access.require(access.can_open(actor, step.goal.person_id), "You cannot change this goal.")
    step.done_on = None if step.done_on else today()
    step.save(update_fields=["done_on"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        step.goal,
        step.goal.person,
        f"Step {step.position} {'done' if step.done_on else 'not done yet'}",
        request,
    )
    return step


@transaction.atomic
def review_goal(
    *,
    goal: Goal,
    actor: User,
    rated_on: dt.date,
    score_value: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> GoalRating:
    """A review: the goal scored 0-10, after every earlier rating (one a day)."""
    access.require(access.can_open(actor, goal.person_id), "You cannot review this goal.")
    Goal.objects.select_for_update().filter(pk=goal.pk).first()
    _check_date(rated_on, "rated_on")
    last = goal.ratings.order_by("-rated_on").first()
    if last is not None and rated_on <= last.rated_on:
        raise OutcomesRefused(
            f"The review date must be after the last review ({last.rated_on:%-d %B %Y})",
            field="rated_on",
        )
    if not 0 <= score_value <= 10:
        raise OutcomesRefused("Score the goal from 0 to 10", field="score")
    rating = GoalRating.objects.create(
        goal=goal, rated_on=rated_on, score=score_value, note=note.strip(), recorded_by=actor
    )
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        goal,
        goal.person,
        f"Reviewed a goal: {score_value} out of 10{_on_behalf(actor, goal.person)}",
        request,
    )
    return rating


# --- the record: consent, helpers, family-led plans ----------------------------------------------


@transaction.atomic
def set_consent(
    *, person: User, actor: User, counts: bool, request: HttpRequest | None = None
) -> Profile:
    access.require(access.can_set_consent(actor, person.pk), "Only the person can choose this.")
    profile = profile_for(person)
    profile.counts_in_aggregates = counts
    profile.consent_changed_at = timezone.now()
    profile.save(update_fields=["counts_in_aggregates", "consent_changed_at"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        profile,
        person,
        "Answers count in reports" if counts else "Answers do not count in reports",
        request,
    )
    return profile


def pen_holder_writing(profile: Profile, actor: User) -> str:
    """Who a goal in a family-led plan is written by. The pen holder's name when they write it on
    their own account, when it is written on the person's (the family sitting with them), or when
    the pen holder has no account here; anyone else (a broker, another helper) is named as
    themselves, writing for the family."""
    holder = profile.pen_holder_account_id
    if actor.pk == holder or actor.pk == profile.person_id or holder is None:
        return profile.pen_holder
    return f"{actor.get_full_name()}, for {profile.pen_holder}"


@transaction.atomic
def set_family_led(
    *,
    person: User,
    actor: User,
    family_led: bool,
    pen_holder: str,
    pen_holder_account_id: int | None = None,
    request: HttpRequest | None = None,
) -> Profile:
    """A family-led plan: a family member holds the pen. They write on their own account when the
    person has let them help (chosen from the person's helpers), or are named when they have no
    account here and write with the person or their broker."""
    access.require(access.can_open(actor, person.pk), "You cannot change this record.")
    account = None
    if family_led and pen_holder_account_id is not None:
        grant = (
            Helper.objects.filter(
                person=person, helper_id=pen_holder_account_id, revoked_at__isnull=True
            )
            .select_related("helper")
            .first()
        )
        if grant is None:
            raise OutcomesRefused(
                "Choose someone the person lets help with their record, or someone without an "
                "account here",
                field="pen_holder_account",
            )
        account = grant.helper
        if not pen_holder.strip():
            pen_holder = account.get_full_name()
    if family_led and not pen_holder.strip():
        raise OutcomesRefused("Say which family member holds the pen", field="pen_holder")
    profile = profile_for(person)
    profile.family_led = family_led
    profile.pen_holder = " ".join(pen_holder.split()) if family_led else ""
    profile.pen_holder_account = account
    profile.save(update_fields=["family_led", "pen_holder", "pen_holder_account"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        profile,
        person,
        f"Family-led plan: {profile.pen_holder} holds the pen"
        if family_led
        else "Plan led by the person",
        request,
    )
    return profile


@transaction.atomic
def set_groups(
    *,
    person: User,
    actor: User,
    service: str,
    programme: str,
    neighbourhood: Any,
    request: HttpRequest | None = None,
) -> Profile:
    access.require(
        access.can_start_follow_up(actor, person.pk)
        or access.practitioner_reaches(actor, person.pk),
        "Only the team can set this.",
    )
    profile = profile_for(person)
    profile.service, profile.programme, profile.neighbourhood = (
        service.strip(),
        programme.strip(),
        neighbourhood,
    )
    profile.save(update_fields=["service", "programme", "neighbourhood"])
    _audit(actor, AuditEvent.Action.UPDATE, profile, person, "Set reporting groups", request)
    return profile


def _find_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    if not identifier:
        return None
    found = User.objects.filter(username__iexact=identifier, is_active=True).first()
    if found is None and "@" in identifier:
        matches = list(User.objects.filter(email__iexact=identifier, is_active=True)[:2])
        found = matches[0] if len(matches) == 1 else None
    return found


@transaction.atomic
def grant_helper(
    *, person: User, actor: User, identifier: str, request: HttpRequest | None = None
) -> Helper:
    access.require(
        access.can_manage_helpers(actor, person.pk), "Only the person can give permission."
    )
    helper = _find_user(identifier)
    if helper is None:
        raise OutcomesRefused("No account has that username or email address", field="identifier")
    if helper.pk == person.pk:
        raise OutcomesRefused("Enter someone else's username or email address", field="identifier")
    existing = Helper.objects.filter(person=person, helper=helper, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    grant = Helper.objects.create(person=person, helper=helper)
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        grant,
        person,
        f"Let {helper.get_full_name()} answer and review for them",
        request,
    )
    return grant


@transaction.atomic
def revoke_helper(*, grant: Helper, actor: User, request: HttpRequest | None = None) -> None:
    access.require(
        access.can_manage_helpers(actor, grant.person_id), "Only the person can do this."
    )
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        # Without permission they can no longer write on the record: they stop holding the pen
        # on their account (the plan still names them until someone changes it).
        Profile.objects.filter(
            person_id=grant.person_id, pen_holder_account_id=grant.helper_id
        ).update(pen_holder_account=None)
        _audit(
            actor,
            AuditEvent.Action.UPDATE,
            grant,
            grant.person,
            "Withdrew a helper's permission",
            request,
        )


# --- self-reported follow-up ---------------------------------------------------------------------


@transaction.atomic
def start_follow_up(
    *,
    person: User,
    actor: User,
    team: CaseTeam,
    measure_id: str,
    value_id: str,
    threshold: Decimal,
    reminder_days: int,
    response_days: int,
    request: HttpRequest | None = None,
) -> FollowUp:
    access.require(access.can_start_follow_up(actor, person.pk), "Only the team can do this.")
    from outcomes.measures import threshold_values

    measure = registry().get(measure_id)
    if not measure.scorable:
        raise OutcomesRefused("Choose a measure that can be scored", field="measure_id")
    if value_id not in dict(threshold_values(measure)):
        raise OutcomesRefused(f"Choose a value {measure.name} reports", field="value_id")
    if not 1 <= reminder_days <= 365:
        raise OutcomesRefused("Enter a number of days from 1 to 365", field="reminder_days")
    if not 1 <= response_days <= 30:
        raise OutcomesRefused("Enter a number of days from 1 to 30", field="response_days")
    FollowUp.objects.filter(person=person, ended_on__isnull=True).update(ended_on=today())
    follow_up = FollowUp.objects.create(
        person=person,
        team=team,
        measure_id=measure.id,
        value_id=value_id,
        threshold=threshold,
        reminder_days=reminder_days,
        response_days=response_days,
        started_by=actor,
        started_on=today(),
    )
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        follow_up,
        person,
        f"Put on self-reported follow-up with {team.name}",
        request,
    )
    return follow_up


@transaction.atomic
def end_follow_up(*, follow_up: FollowUp, actor: User, request: HttpRequest | None = None) -> None:
    access.require(
        access.can_start_follow_up(actor, follow_up.person_id), "Only the team can do this."
    )
    if follow_up.ended_on is None:
        follow_up.ended_on = today()
        follow_up.save(update_fields=["ended_on"])
        _audit(
            actor, AuditEvent.Action.UPDATE, follow_up, follow_up.person, "Follow-up ended", request
        )


def past_threshold(follow_up: FollowUp, result: Score) -> bool:
    """The value is at the threshold or beyond it in its worse direction."""
    value = result.get(follow_up.value_id)
    threshold = Decimal(follow_up.threshold)
    from fractions import Fraction

    limit = Fraction(threshold)
    return value.value <= limit if value.higher_is_better else value.value >= limit


@transaction.atomic
def report(
    *,
    follow_up: FollowUp,
    actor: User,
    answers: dict[str, object] | None,
    contact_me: bool,
    note: str = "",
    answered_by: str | None = None,
    request: HttpRequest | None = None,
) -> FollowUpReport:
    """The person reports when they choose. Past the threshold, or 'please contact me', puts them
    on the team's worklist with a response deadline (the team is told by email)."""
    person = follow_up.person
    access.require(access.can_open(actor, person.pk), "You cannot report for this person.")
    if follow_up.ended_on is not None:
        raise OutcomesRefused("This follow-up has ended", field=None)
    answer_set = None
    crossed = False
    if answers is not None:
        answer_set, result = record_answers(
            person=person,
            actor=actor,
            measure_id=follow_up.measure_id,
            answers=answers,
            answered_on=today(),
            occasion=AnswerSet.Occasion.FOLLOW_UP,
            answered_by=answered_by,
            request=request,
        )
        crossed = past_threshold(follow_up, result)
    elif not contact_me:
        raise OutcomesRefused("Answer the questions, or ask us to contact you", field="contact_me")
    entry = FollowUpReport.objects.create(
        follow_up=follow_up,
        answer_set=answer_set,
        contact_me=contact_me,
        note=note.strip(),
        past_threshold=crossed,
    )
    reasons = []
    if crossed:
        reasons.append(WorkItem.Reason.THRESHOLD)
    if contact_me:
        reasons.append(WorkItem.Reason.CONTACT)
    due = timezone.now() + dt.timedelta(days=follow_up.response_days)
    for reason in reasons:
        WorkItem.objects.create(follow_up=follow_up, report=entry, reason=reason, due_by=due)
    if reasons:
        from django.urls import reverse

        notify(
            f"Someone on self-reported follow-up needs a reply by {timezone.localtime(due):%-d %B}",
            "A person on your team's self-reported follow-up needs contacting. See the worklist: "
            + site_url(reverse("outcomes:worklist")),
            [m.email for m in follow_up.team.members.all()],
            kind="follow_up",
        )
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        entry,
        person,
        "Self-reported"
        + (" (past threshold)" if crossed else "")
        + (" (asked to be contacted)" if contact_me else ""),
        request,
    )
    return entry


@transaction.atomic
def close_work_item(
    *, item: WorkItem, actor: User, note: str, request: HttpRequest | None = None
) -> WorkItem:
    access.require(
        access.can_work_list(actor, item.follow_up.team), "This is not your team's list."
    )
    if not note.strip():
        raise OutcomesRefused("Say what was done", field="note")
    if item.done_at is None:
        item.done_at = timezone.now()
        item.done_by = actor
        item.done_note = note.strip()
        item.save(update_fields=["done_at", "done_by", "done_note"])
        _audit(
            actor,
            AuditEvent.Action.UPDATE,
            item,
            item.follow_up.person,
            "Contacted from the follow-up worklist",
            request,
        )
    return item


def last_reported_on(follow_up: FollowUp) -> dt.date:
    latest = follow_up.reports.order_by("-reported_at").first()
    if latest is None:
        return follow_up.started_on
    return max(follow_up.started_on, timezone.localtime(latest.reported_at).date())


def send_reminders(on: dt.date | None = None) -> int:
    """Remind each person who has not reported for their follow-up's period, once per quiet
    period, and put them on the team's worklist so nobody is dropped silently. Idempotent."""
    on = on or today()
    sent = 0
    for follow_up in FollowUp.objects.filter(ended_on__isnull=True).select_related(
        "person", "team"
    ):
        quiet_since = last_reported_on(follow_up)
        if (on - quiet_since).days < follow_up.reminder_days:
            continue
        with transaction.atomic():
            _, created = Reminder.objects.get_or_create(
                follow_up=follow_up, quiet_since=quiet_since
            )
            if not created:
                continue
            WorkItem.objects.create(
                follow_up=follow_up,
                reason=WorkItem.Reason.NOT_REPORTED,
                due_by=timezone.now() + dt.timedelta(days=follow_up.response_days),
            )
            from django.urls import reverse

            notify(
                "How are you doing? Report when you are ready",
                f"You have not reported for {follow_up.reminder_days} days. You can tell us how you "
                "are, or ask us to contact you, here: "
                + site_url(reverse("outcomes:report", args=[follow_up.person_id])),
                [follow_up.person.email],
                kind="outcomes_reminders",
            )
            record_audit(
                actor=None,
                action=AuditEvent.Action.CREATE,
                target=follow_up,
                subject=follow_up.person,
                summary=f"Reminder: not reported since {quiet_since.isoformat()}",
            )
            sent += 1
    return sent


# --- the area's licensed question wording --------------------------------------------------------

MAX_WORDING_FILE_BYTES = 64 * 1024
_WORDING_FILE_KEYS = {"measure", "version", "wording", "licence_note"}


def parse_wording_file(content: bytes, measure: Any) -> dict[str, str]:
    """The ``{item id: text}`` in an uploaded wording file, or OutcomesRefused (field ``file``)
    saying what is wrong. Checks the file's shape here; ``Registry.with_wording`` checks the items
    (every item, nothing extra, plain text)."""
    import yaml

    def refuse(message: str) -> OutcomesRefused:
        return OutcomesRefused(message, field="file")

    if not content.strip():
        raise refuse("The file is empty. Choose the wording file for this measure")
    if len(content) > MAX_WORDING_FILE_BYTES:
        raise refuse(f"The file must be smaller than {MAX_WORDING_FILE_BYTES // 1024} KB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("The file must be saved as UTF-8 text") from None
    if "\x00" in text:
        raise refuse("The file must be text, not a binary file")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise refuse(f"The file is not valid YAML{where}. Check the example below") from None
    if not isinstance(document, dict):
        raise refuse("The file must have a 'wording:' section that maps each item id to its text")
    extra = sorted(str(key) for key in document if key not in _WORDING_FILE_KEYS)
    if extra:
        raise refuse(f"The file has sections we do not use: {', '.join(extra)}. Remove them")
    if "measure" in document and document["measure"] != measure.id:
        raise refuse(f"The file is for {document['measure']!r}, not {measure.id!r}")
    if "version" in document and str(document["version"]) != measure.version:
        raise refuse(
            f"The file is for version {document['version']!r}; the measure here is version "
            f"{measure.version!r}"
        )
    wording = document.get("wording")
    if not isinstance(wording, dict) or not wording:
        raise refuse("The file must have a 'wording:' section that maps each item id to its text")
    not_text = sorted(str(key) for key, value in wording.items() if not isinstance(value, str))
    if not_text or not all(isinstance(key, str) for key in wording):
        raise refuse(
            f"Each item's wording must be text in quotes ({', '.join(not_text) or 'item ids'})"
        )
    return {str(key): value for key, value in wording.items()}


@transaction.atomic
def load_wording(
    *,
    actor: User,
    measure_id: str,
    content: bytes,
    file_name: str,
    licence_reference: str,
    request: HttpRequest | None = None,
) -> Any:
    """Load the area's licensed wording for the newest shipped version of a measure whose wording
    is not open. Refused (nothing saved) unless it gives plain text for every item and nothing
    else. Any wording in force for that version is withdrawn; the load is recorded and audited."""
    from outcomes.measures import wording_measures
    from outcomes.models import AreaWording
    from rules.outcomes import WordingOverlayError, default_registry

    access.require(
        access.can_manage_wording(actor),
        "Only the area's coordinators and administrators can load licensed wording.",
    )
    measure = next((m for m in wording_measures() if m.id == measure_id), None)
    if measure is None:
        raise OutcomesRefused("Choose a measure whose wording is licensed", field="measure")
    reference = " ".join(licence_reference.split())
    if not reference:
        raise OutcomesRefused(
            "Enter the licence or registration reference the area holds", field="licence_reference"
        )
    wording = parse_wording_file(content, measure)
    try:
        overlaid = default_registry().with_wording(
            measure.id, wording, licence_note=reference, version=measure.version
        )
    except WordingOverlayError as error:
        names = {item.id: item.topic for item in measure.items}
        detail = "; ".join(
            f"{item_id} ({names[item_id]}): {message}"
            if item_id in names
            else f"{item_id}: {message}"
            for item_id, message in error.problems
        )
        raise OutcomesRefused(
            f"The wording does not fit {measure.name}: {detail}", field="file"
        ) from None
    checked = {item.id: item.wording for item in overlaid.get(measure.id, measure.version).items}
    now = timezone.now()
    for old in AreaWording.objects.select_for_update().filter(
        measure_id=measure.id, measure_version=measure.version, withdrawn_at__isnull=True
    ):
        old.withdrawn_at, old.withdrawn_by = now, actor
        old.save(update_fields=["withdrawn_at", "withdrawn_by"])
    loaded = AreaWording.objects.create(
        measure_id=measure.id,
        measure_version=measure.version,
        wording=checked,
        licence_reference=reference,
        file_name=" ".join(file_name.split())[:255],
        loaded_by=actor,
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=loaded,
        summary=f"Loaded licensed wording for {measure.name} {measure.version} "
        f"(licence: {reference})",
        request=request,
    )
    return loaded


@transaction.atomic
def withdraw_wording(*, actor: User, wording: Any, request: HttpRequest | None = None) -> None:
    """Stop showing a loaded wording (the measure shows its topics and notice again)."""
    access.require(
        access.can_manage_wording(actor),
        "Only the area's coordinators and administrators can withdraw licensed wording.",
    )
    if wording.withdrawn_at is None:
        wording.withdrawn_at, wording.withdrawn_by = timezone.now(), actor
        wording.save(update_fields=["withdrawn_at", "withdrawn_by"])
        record_audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=wording,
            summary=f"Withdrew the licensed wording for {wording.measure_id} "
            f"{wording.measure_version}",
            request=request,
        )
