"""Writes for social prescribing referrals: each transactional and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import grant_role, record_audit
from connect import selectors
from connect.models import (
    CommunityPot,
    FundingAward,
    Invitation,
    OnwardReferral,
    Referral,
    ReferringOrganisation,
    ServiceReferralTerms,
    WellbeingCheck,
)
from directory import referral_selectors
from rules.connect.funding import credits_problem, grant_problem
from rules.connect.parameters import answer_due, is_overdue
from rules.ledger.errors import LedgerError
from rules.ledger.units import Money
from wellbeing_hub.notifications import notify, site_url

ONS4 = "ons4"
INVITATION_DAYS = 28
MAX_WAIT_DAYS = 365

# Link workers hold the caseload. Coordinators keep oversight of the referrals (they assign work and
# cover absences); brokers no longer see social prescribing records (least privilege).
LINK_WORKER_ROLES = (Role.LINK_WORKER, Role.COORDINATOR)


class ConnectError(ValueError):
    """A change the rules do not allow; the message names the field and says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def is_link_worker(user: User) -> bool:
    return user.is_authenticated and user.groups.filter(name__in=LINK_WORKER_ROLES).exists()


def can_refer_for(user: User, organisation: ReferringOrganisation) -> bool:
    return user.is_authenticated and organisation.staff.filter(pk=user.pk).exists()


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def make_referral(
    *,
    actor: User,
    person: User,
    source: str,
    reason: str,
    what_matters: str = "",
    organisation: ReferringOrganisation | None = None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    if organisation is not None and source not in (
        Referral.Source.GP_PRACTICE,
        Referral.Source.HOSPITAL,
    ):
        organisation = None
    if source not in Referral.Source.values:
        raise ConnectError("source", "Choose who is making the referral")
    if not reason.strip():
        raise ConnectError("reason", "Enter the reason for the referral")
    if source in (Referral.Source.GP_PRACTICE, Referral.Source.HOSPITAL):
        if organisation is None or not can_refer_for(actor, organisation):
            raise ConnectError("organisation", "Choose an organisation you refer for")
    elif source == Referral.Source.LINK_WORKER and not is_link_worker(actor):
        raise ConnectError("source", "Only a link worker can make a link worker referral")
    elif source == Referral.Source.SELF and actor.pk != person.pk:
        raise ConnectError("source", "A self-referral must be made by the person themselves")
    referral = Referral.objects.create(
        person=person,
        source=source,
        referring_organisation=organisation,
        referred_by=actor,
        reason=reason.strip(),
        what_matters=what_matters.strip(),
        received_on=today or _today(),
        link_worker=actor if source == Referral.Source.LINK_WORKER else None,
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=referral,
        subject=person,
        summary="Social prescribing referral made",
        request=request,
    )
    return referral


_STATUS_DATE = {
    Referral.Status.CONTACTED: "contacted_on",
    Referral.Status.FIRST_CONVERSATION: "first_conversation_on",
    Referral.Status.CONNECTED: "connected_on",
    Referral.Status.DECLINED: "declined_on",
    Referral.Status.CLOSED: "closed_on",
}


@transaction.atomic
def set_status(
    *,
    actor: User,
    referral: Referral,
    status: str,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    if status not in _STATUS_DATE:
        raise ConnectError(
            "status", "Choose contacted, first conversation, connected, declined or closed"
        )
    if referral.status in (Referral.Status.CLOSED, Referral.Status.DECLINED):
        raise ConnectError("status", "This referral is already closed")
    day = on or _today()
    if day < referral.received_on:
        raise ConnectError("on", "The date must be on or after the day the referral was received")
    if referral.link_worker_id is None:
        referral.link_worker = actor
    setattr(referral, _STATUS_DATE[status], day)
    referral.status = status
    referral.save()
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=referral,
        subject=referral.person,
        summary=f"Status set to {referral.get_status_display()}",
        request=request,
    )
    return referral


@transaction.atomic
def record_consent(
    *,
    actor: User,
    referral: Referral,
    share_back: bool,
    onward: bool,
    outcomes: bool,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    referral.consent_share_back = share_back
    referral.consent_onward = onward
    referral.consent_outcomes = outcomes
    referral.consent_recorded_on = on or _today()
    referral.save()
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=referral,
        subject=referral.person,
        summary=f"Consent: share back {share_back}, onward {onward}, outcomes {outcomes}",
        request=request,
    )
    return referral


@transaction.atomic
def set_service_terms(
    *,
    actor: User,
    service_id: str,
    takes_referrals: bool,
    typical_wait_days: int | None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> ServiceReferralTerms:
    if not referral_selectors.acts_for_service(actor, service_id):
        raise ConnectError("service", "You do not act for this service")
    if typical_wait_days is not None and not 0 <= typical_wait_days <= MAX_WAIT_DAYS:
        raise ConnectError(
            "typical_wait_days",
            f"Enter the typical wait as a number of days from 0 to {MAX_WAIT_DAYS}, or leave it "
            "empty if you do not know",
        )
    terms, _ = ServiceReferralTerms.objects.update_or_create(
        service_id=service_id,
        defaults={
            "takes_referrals": takes_referrals,
            "typical_wait_days": typical_wait_days,
            "updated_on": today or _today(),
        },
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=terms,
        summary=(
            f"{referral_selectors.service_name(service_id)}: "
            f"{'taking' if takes_referrals else 'not taking'} referrals, typical wait "
            f"{'not known' if typical_wait_days is None else f'{typical_wait_days} days'}"
        ),
        request=request,
    )
    return terms


@transaction.atomic
def refer_onward(
    *,
    actor: User,
    referral: Referral,
    service_id: str,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> OnwardReferral:
    if not referral.consent_onward:
        raise ConnectError("service", "Record the person's consent to onward referral first")
    if referral_selectors.referrable_service(service_id) is None:
        raise ConnectError("service", "Choose a service that is listed in the directory")
    terms = ServiceReferralTerms.objects.filter(service_id=service_id).first()
    if terms is not None and not terms.takes_referrals:
        raise ConnectError("service", "This service is not taking referrals; choose another")
    day = today or _today()
    onward = OnwardReferral.objects.create(
        referral=referral, service_id=service_id, sent_on=day, answer_due=answer_due(day)
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=onward,
        subject=referral.person,
        summary=f"Referred on to {referral_selectors.service_name(service_id)}",
        request=request,
    )
    notify(
        "A new social prescribing referral",
        f"A link worker has referred someone to {referral_selectors.service_name(service_id)}. "
        f"Please accept or decline by {onward.answer_due:%d %B %Y}, or it is declined "
        f"automatically: {site_url(reverse('connect:provider_inbox'))}",
        referral_selectors.service_contact_emails(service_id),
        kind="referrals",
    )
    return onward


def _tell_link_worker(onward: OnwardReferral, what: str) -> None:
    worker = onward.referral.link_worker
    if worker is not None:
        link = site_url(reverse("connect:referral", args=[onward.referral_id]))
        ended = onward.status != OnwardReferral.Status.ACCEPTED
        notify(
            "An onward referral was answered",
            f"Your referral to {referral_selectors.service_name(onward.service_id)} was {what}. "
            + ("The person may need another option: " if ended else "See the referral: ")
            + link,
            [worker.email],
            kind="referrals",
        )


@transaction.atomic
def answer_onward(
    *,
    actor: User,
    onward: OnwardReferral,
    accept: bool,
    reason: str = "",
    decline_reason: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> OnwardReferral:
    if not referral_selectors.acts_for_service(actor, onward.service_id):
        raise ConnectError("service", "You do not act for this service")
    if onward.status != OnwardReferral.Status.SENT:
        raise ConnectError("decision", "This referral has already been answered or withdrawn")
    if not accept:
        if decline_reason not in OnwardReferral.DeclineReason.values:
            raise ConnectError("decline_reason", "Choose why the service cannot take this referral")
        if decline_reason == OnwardReferral.DeclineReason.OTHER and not reason.strip():
            raise ConnectError("reason", "Enter why the service cannot take this referral")
    onward.status = OnwardReferral.Status.ACCEPTED if accept else OnwardReferral.Status.DECLINED
    onward.answered_on = today or _today()
    onward.answer_reason = reason.strip()
    onward.decline_reason = "" if accept else decline_reason
    onward.save()
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=onward,
        subject=onward.referral.person,
        summary=onward.get_status_display(),
        request=request,
    )
    _tell_link_worker(onward, "accepted" if accept else "declined")
    return onward


@transaction.atomic
def mark_attended(
    *,
    actor: User,
    onward: OnwardReferral,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> OnwardReferral:
    if not (is_link_worker(actor) or referral_selectors.acts_for_service(actor, onward.service_id)):
        raise ConnectError("onward", "Only the link worker or the service can record attendance")
    if onward.status != OnwardReferral.Status.ACCEPTED:
        raise ConnectError("onward", "Only an accepted referral can be marked attended")
    day = on or _today()
    if onward.answered_on and day < onward.answered_on:
        raise ConnectError("onward", "The person cannot attend before the service accepted them")
    onward.status = OnwardReferral.Status.ATTENDED
    onward.attended_on = day
    onward.save()
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=onward,
        subject=onward.referral.person,
        summary="Attended",
        request=request,
    )
    return onward


@transaction.atomic
def withdraw_onward(
    *, person: User, onward: OnwardReferral, request: HttpRequest | None = None
) -> OnwardReferral:
    if onward.referral.person_id != person.pk:
        raise ConnectError("referral", "You can only withdraw your own referrals")
    if onward.status not in (OnwardReferral.Status.SENT, OnwardReferral.Status.ACCEPTED):
        raise ConnectError("referral", "This referral has already ended")
    onward.status = OnwardReferral.Status.WITHDRAWN
    onward.save()
    record_audit(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        target=onward,
        subject=person,
        summary="Withdrawn by the person",
        request=request,
    )
    _tell_link_worker(onward, "withdrawn by the person")
    return onward


def decline_overdue(today: dt.date | None = None) -> int:
    """Run daily: decline every onward referral left unanswered past its due day, and tell the link
    worker. Returns how many were declined."""
    day = today or _today()
    count = 0
    pending = OnwardReferral.objects.filter(status=OnwardReferral.Status.SENT, answer_due__lt=day)
    for onward in pending.select_related("referral__link_worker"):
        if not is_overdue(onward.sent_on, day):
            continue
        with transaction.atomic():
            onward.status = OnwardReferral.Status.AUTO_DECLINED
            onward.answered_on = day
            onward.answer_reason = "No answer from the service in time"
            onward.save()
            record_audit(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                target=onward,
                subject=onward.referral.person,
                summary="Declined automatically: no answer in time",
            )
            _tell_link_worker(
                onward, "declined automatically because the service did not answer in time"
            )
        count += 1
    return count


# --- who is referred: an existing account by email, or an invited one -----------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unique_username(email: str) -> str:
    stem = "".join(ch for ch in email.split("@")[0].lower() if ch.isalnum())[:20] or "person"
    while True:
        candidate = f"{stem}-{secrets.token_hex(3)}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


def find_or_invite_person(
    *, actor: User, name: str, email: str, request: HttpRequest | None = None
) -> tuple[User, str | None]:
    """The person being referred, found by email address. One active account with that address:
    that account (the name given is not used to change it). None: an account is made with no
    password, and a one-time token (returned, only its hash kept) lets them set one. Two or more
    accounts share the address: refused, as we cannot tell which person is meant."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ConnectError(
            "email", "Enter the person's email address, like name@example.com"
        ) from None
    matches = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    if len(matches) == 1:
        return matches[0], None
    if len(matches) > 1:
        raise ConnectError(
            "email",
            "More than one account uses this email address: ask the link worker team to make "
            "this referral",
        )
    if not name.strip():
        raise ConnectError("name", "Enter the person's name")
    person = User.objects.create_user(
        username=_unique_username(email), email=email, display_name=name.strip()[:150]
    )
    person.set_unusable_password()
    person.save()
    grant_role(person, Role.PERSON)
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        person=person,
        token_hash=_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=person,
        subject=person,
        summary="Account made for a person referred for social prescribing (invited to set a "
        "password)",
        request=request,
    )
    return person, token


@transaction.atomic
def refer(
    *,
    actor: User,
    source: str,
    reason: str,
    what_matters: str,
    consent: dict[str, bool],
    consent_on: dt.date | None,
    organisation: ReferringOrganisation | None = None,
    name: str = "",
    email: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """A referral from a form: the person (yourself for a self-referral, otherwise found or
    invited by email), the referral and the consent the person gave, with its date."""
    day = today or _today()
    if consent_on is not None and consent_on > day:
        raise ConnectError("consent_on", "The date consent was given must be today or earlier")
    if any(consent.values()) and consent_on is None:
        raise ConnectError("consent_on", "Enter the date the person gave consent")
    token = None
    if source == Referral.Source.SELF:
        person = actor
    else:
        if not reason.strip():
            raise ConnectError("reason", "Enter the reason for the referral")
        person, token = find_or_invite_person(actor=actor, name=name, email=email, request=request)
        if person.pk == actor.pk:
            raise ConnectError("email", "To refer yourself, use the self-referral page")
    referral = make_referral(
        actor=actor,
        person=person,
        source=source,
        reason=reason,
        what_matters=what_matters,
        organisation=organisation,
        today=day,
        request=request,
    )
    if consent_on is not None:
        record_consent(
            actor=actor,
            referral=referral,
            share_back=consent.get("share_back", False),
            onward=consent.get("onward", False),
            outcomes=consent.get("outcomes", False),
            on=consent_on,
            request=request,
        )
    who = (
        referral.referring_organisation.name
        if referral.referring_organisation
        else "A social prescribing link worker"
        if source == Referral.Source.LINK_WORKER
        else ""
    )
    if token is not None:
        notify(
            "You have been referred to a social prescribing link worker",
            f"{who} has referred you to a link worker, who will contact you to talk about what "
            "matters to you.\n\nTo see your referral online, set a password here (the link works "
            f"once, for {INVITATION_DAYS} days):\n"
            f"{site_url(reverse('connect:welcome', args=[token]))}",
            [person.email],
            kind="account_security",
        )
    elif source != Referral.Source.SELF:
        notify(
            "You have been referred to a social prescribing link worker",
            f"{who} has referred you to a link worker, who will contact you. You can see the "
            f"referral when you sign in: {site_url(reverse('connect:mine'))}",
            [person.email],
        )
    return referral


def invitation_for(token: str) -> Invitation | None:
    found = Invitation.objects.select_related("person").filter(token_hash=_hash(token)).first()
    if found is None or found.used_at is not None or found.expires_at <= timezone.now():
        return None
    return found


@transaction.atomic
def accept_invitation(*, token: str, password: str, request: HttpRequest | None = None) -> User:
    invitation = invitation_for(token)
    if invitation is None:
        raise ConnectError("token", "This link has expired or been used. Ask your link worker")
    person = invitation.person
    try:
        validate_password(password, person)
    except ValidationError as error:
        raise ConnectError("password", " ".join(error.messages)) from None
    person.set_password(password)
    person.save()
    invitation.used_at = timezone.now()
    invitation.save()
    record_audit(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        target=person,
        subject=person,
        summary="Set a password from a social prescribing invitation",
        request=request,
    )
    return person


# --- wellbeing at both ends (ONS4, kept by the outcomes app) -------------------------------------


def wellbeing_stage_open(referral: Referral, stage: str) -> str | None:
    """Why this stage's ONS4 cannot be recorded now, or None."""
    done = {w.stage for w in referral.wellbeing.all()}
    if stage not in WellbeingCheck.Stage.values:
        return "Choose the first conversation or closing"
    if stage in done:
        return "The answers for this stage are already recorded"
    if referral.status == Referral.Status.DECLINED:
        return "This referral was declined"
    if (
        stage == WellbeingCheck.Stage.CLOSING
        and WellbeingCheck.Stage.FIRST_CONVERSATION not in done
    ):
        return "Answer the first conversation questions first"
    return None


@transaction.atomic
def record_wellbeing(
    *,
    actor: User,
    referral: Referral,
    stage: str,
    answers: dict[str, object],
    answered_on: dt.date,
    request: HttpRequest | None = None,
) -> WellbeingCheck:
    """The person's own ONS4 answers at the first conversation or at closing, scored and kept by
    the outcomes app. ONS4 is only ever answered by the person themselves, but most people answer
    it in conversation with their link worker: the link worker holding the person's open referral
    may record the answers, kept as given "with help" (``AnsweredBy.WITH_HELP``, recorded by the
    worker). Anyone else is refused, and so is the worker once the referral is closed or declined."""
    from outcomes import services as outcomes

    if actor.pk == referral.person_id:
        answered_by = None  # the outcomes app marks it the person's own
    elif is_link_worker(actor) and selectors.on_open_caseload(actor, referral.person_id):
        answered_by = "with_help"
    else:
        raise ConnectError(
            "stage",
            "Only the person, or the link worker holding their open referral, can record "
            "their wellbeing answers",
        )
    problem = wellbeing_stage_open(referral, stage)
    if problem:
        raise ConnectError("stage", problem)
    if answered_on < referral.received_on:
        raise ConnectError(
            "answered_on", "The date must be on or after the day the referral was received"
        )
    answer_set, _score = outcomes.record_answers(
        person=referral.person,
        actor=actor,
        measure_id=ONS4,
        answers=answers,
        answered_on=answered_on,
        occasion="start" if stage == WellbeingCheck.Stage.FIRST_CONVERSATION else "chosen",
        answered_by=answered_by,
        request=request,
    )
    check = WellbeingCheck.objects.create(
        referral=referral, stage=stage, answer_set_id=answer_set.pk, answered_on=answered_on
    )
    helped = f", answered with help from {actor.get_full_name()}" if answered_by else ""
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=check,
        subject=referral.person,
        summary=f"Wellbeing (ONS4) recorded {check.get_stage_display().lower()}{helped}",
        request=request,
    )
    return check


# --- funding follows the referral ---------------------------------------------------------------


def pot_remaining_pence(pot: CommunityPot) -> int:
    spent = FundingAward.objects.filter(pot=pot).aggregate(total=Sum("amount_pence"))["total"]
    return pot.total_pence - int(spent or 0)


def _pounds_to_pence(amount: Decimal | str | None) -> int:
    try:
        return Money.from_pounds(Decimal(str(amount)) if amount is not None else "").units
    except (LedgerError, InvalidOperation, ValueError):
        raise ConnectError(
            "amount", "Enter the amount in pounds and pence, like 25 or 25.50"
        ) from None


def award_funding(
    *,
    actor: User,
    referral: Referral,
    pot: CommunityPot,
    purpose: str,
    key: str,
    amount: Decimal | str | None = None,
    hours: int | None = None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> tuple[FundingAward, bool]:
    """Attach a micro-grant or time credits from a community pot to a referral, exactly once:
    the same ``key`` again (a second click, a retry) returns the first award and posts nothing
    (``created`` False). Time credits go through the time bank's own ledger
    (``timebank.services.issue_credits``) with the same key, so they are issued once there too."""
    if not is_link_worker(actor):
        raise ConnectError("pot", "Only a link worker can attach funding")
    if not key or len(key) > 90 or not key.replace("-", "").isalnum():
        raise ConnectError("pot", "This form has expired. Reload the page and try again")
    if not purpose.strip():
        raise ConnectError("purpose", "Say what the funding is for, like 'art class materials'")
    if referral.status in (Referral.Status.DECLINED, Referral.Status.CLOSED):
        raise ConnectError("pot", "Funding can only be attached to an open referral")
    day = today or _today()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                locked = CommunityPot.objects.select_for_update().get(pk=pot.pk)
                existing = FundingAward.objects.filter(key=key).first()
                if existing is not None:
                    if existing.referral_id != referral.pk or existing.pot_id != pot.pk:
                        raise ConnectError(
                            "pot", "This form was already used. Reload the page and try again"
                        )
                    return existing, False
                if not locked.active:
                    raise ConnectError("pot", "This pot is closed: choose another")
                if locked.kind == CommunityPot.Kind.MONEY:
                    award = _award_money(actor, referral, locked, purpose, key, amount, day)
                else:
                    award = _award_time(actor, referral, locked, purpose, key, hours, day)
                record_audit(
                    actor=actor,
                    action=AuditEvent.Action.CREATE,
                    target=award,
                    subject=referral.person,
                    summary=f"Funding from {locked.name}: "
                    + (
                        str(Money(award.amount_pence))
                        if award.amount_pence
                        else f"{award.minutes // 60} hours of time credits"
                    ),
                    request=request,
                )
                return award, True
        except IntegrityError:
            continue  # the same key stored by a concurrent request: look again
    found = FundingAward.objects.filter(key=key, referral=referral).first()
    if found is None:
        raise ConnectError("pot", "This could not be recorded. Try again")
    return found, False


def _award_money(
    actor: User,
    referral: Referral,
    pot: CommunityPot,
    purpose: str,
    key: str,
    amount: Decimal | str | None,
    day: dt.date,
) -> FundingAward:
    pence = _pounds_to_pence(amount)
    problem = grant_problem(
        amount_pence=pence,
        max_award_pence=pot.max_award_pence,
        remaining_pence=pot_remaining_pence(pot),
    )
    if problem:
        raise ConnectError("amount", problem)
    return FundingAward.objects.create(
        key=key,
        referral=referral,
        pot=pot,
        amount_pence=pence,
        purpose=purpose.strip()[:300],
        awarded_on=day,
        awarded_by=actor,
    )


def _award_time(
    actor: User,
    referral: Referral,
    pot: CommunityPot,
    purpose: str,
    key: str,
    hours: int | None,
    day: dt.date,
) -> FundingAward:
    from timebank import selectors as timebank_selectors
    from timebank import services as timebank

    if hours is None:
        raise ConnectError("hours", "Enter the number of hours of time credits, like 5")
    minutes = hours * 60
    problem = credits_problem(minutes=minutes, max_award_minutes=pot.max_award_minutes)
    if problem:
        raise ConnectError("hours", problem)
    member = timebank_selectors.member_for(referral.person)
    if member is None or member.status != "approved":
        raise ConnectError(
            "pot",
            "The person is not an approved time bank member yet: ask them to join the time bank "
            "first, or choose a micro-grant",
        )
    issuer: Any = (
        timebank_selectors.approved_members().filter(pk=pot.timebank_issuer_id).first()
        if pot.timebank_issuer_id
        else None
    )
    if issuer is None:
        raise ConnectError("pot", "This pot has no time bank organisation to issue its credits")
    try:
        txn = timebank.issue_credits(
            by=actor,
            organisation=issuer,
            member=member,
            minutes=minutes,
            reason=f"Social prescribing: {purpose.strip()[:100]}",
            idempotency_key=f"connect-{key}",
        )
    except timebank.TimebankRefused as refused:
        raise ConnectError("pot", str(refused)) from None
    return FundingAward.objects.create(
        key=key,
        referral=referral,
        pot=pot,
        minutes=minutes,
        purpose=purpose.strip()[:300],
        awarded_on=day,
        awarded_by=actor,
        timebank_transaction_id=txn.pk,
    )
