"""Email notifications: every app sends its messages through :func:`notify`.

Messages go through a background task (``send_email``). In production the task is a row in the
database queue, written in the same transaction as the change that caused it (an outbox): if the
change rolls back, no message; if it commits, the message is kept until ``manage.py db_worker``
sends it, even across a restart, and a slow or failing mail server never holds up a page. Where
tasks run at once (demo, tests), the message is handed over after the commit instead. A mail
failure is logged (and recorded against the task), never lost work: with the database queue the
message is queued again to try later (:data:`RETRY_DELAYS`), and given up, logged at ERROR, only
after the last try.

The subject is made safe for a mail header here, once for every app: a service or member name with
a line break in it would otherwise make Django refuse the whole message (``BadHeaderError``).

Kinds of message (:data:`KINDS`): each message says what kind it is, so people can choose which
emails they get ("Your email notifications" in their account, ``accounts.notification_views``).
A kind people may turn off carries, in its footer, a link that turns off that kind alone without
signing in (a signed token; also offered to mail programs as an RFC 8058 one-click
``List-Unsubscribe`` header). Kinds about security, safeguarding or a legal deadline cannot be
turned off and say so in their footer. A caller that does not name a kind yet is sent as before.
The choice is read when the message is queued: a person who turns a kind off stops the next
message, not one already waiting in the queue.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

try:
    from django.tasks import task
except ImportError:  # Django 5.2 on Python 3.11: the backport of the same framework
    from django_tasks import task  # type: ignore[no-redef]

logger = logging.getLogger(__name__)

SUBJECT_MAX_CHARS = 200
_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\x0b\x0c]+")
_OTHER_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

UNSUBSCRIBE_SALT = "wellbeing_hub.notifications.unsubscribe"

# Role codes (accounts.roles.Role values), spelt out here so this module imports no app at load.
_PERSON, _CARER, _PROVIDER, _BROKER = "person", "carer", "provider", "broker"
_COORDINATOR, _COMMISSIONER, _ADMIN = "coordinator", "commissioner", "administrator"
_MODERATOR, _LINK_WORKER, _SHARED_LIVES = "moderator", "link_worker", "shared_lives_worker"
_STAFF = frozenset(
    {_BROKER, _COORDINATOR, _COMMISSIONER, _ADMIN, _MODERATOR, _LINK_WORKER, _SHARED_LIVES}
)


@dataclass(frozen=True)
class Kind:
    """One kind of email: what it is about, who gets it, and whether they may turn it off."""

    code: str
    label: str  # completes "Emails about …" and names the checkbox
    who: str  # who gets it, in plain words (the checkbox's hint)
    roles: frozenset[str] | None = None  # shown to people holding one of these; None: anyone
    optional: bool = True
    always_because: str = ""  # why it cannot be turned off (mandatory kinds only)

    def applies_to(self, roles: Iterable[str]) -> bool:
        return self.roles is None or bool(self.roles & set(roles))


KINDS: tuple[Kind, ...] = (
    # --- cannot be turned off --------------------------------------------------------------------
    Kind(
        "account_security",
        "signing in and keeping your account safe",
        "Everyone with an account",
        optional=False,
        always_because="they help you keep your account and your record safe",
    ),
    Kind(
        "safeguarding",
        "safeguarding concerns and safeguarding checks that are expiring",
        "Staff who keep people safe",
        roles=_STAFF,
        optional=False,
        always_because="someone's safety may depend on them",
    ),
    Kind(
        "follow_up",
        "people on your team's follow-up who need contacting",
        "Members of a follow-up team",
        roles=_STAFF,
        optional=False,
        always_because="someone may need help and your team has a deadline to contact them",
    ),
    Kind(
        "information_requests",
        "information requests with a legal deadline",
        "Staff who answer requests for information",
        roles=frozenset({_COMMISSIONER, _COORDINATOR, _ADMIN, _MODERATOR}),
        optional=False,
        always_because="the law sets a deadline for the answer",
    ),
    # --- support plans (budgets) -----------------------------------------------------------------
    Kind(
        "support_plan",
        "your support plan: agreed, or changes asked for",
        "People with a support plan, and carers helping them",
        roles=frozenset({_PERSON, _CARER}),
    ),
    Kind(
        "plans_to_agree",
        "support plans sent for you to agree",
        "Brokers, support planners and commissioners",
        roles=frozenset({_BROKER, _COMMISSIONER}),
    ),
    Kind(
        "plan_review_due",
        "support plan reviews that are due",
        "People with a support plan and the staff who review it",
        roles=frozenset({_PERSON, _CARER, _BROKER, _COMMISSIONER}),
    ),
    Kind(
        "support_pools",
        "shared support pools: suggested, changed or stopped",
        "People sharing a service, and their broker",
        roles=frozenset({_PERSON, _CARER, _BROKER}),
    ),
    # --- time bank -------------------------------------------------------------------------------
    Kind(
        "timebank_membership",
        "your application to join the time bank",
        "People who apply to join the time bank",
    ),
    Kind(
        "timebank_requests",
        "time bank requests: someone asks for your offer or answers your request",
        "Time bank members",
    ),
    Kind(
        "timebank_exchanges",
        "time bank exchanges for you to confirm",
        "Time bank members",
    ),
    Kind(
        "timebank_rotas",
        "time bank rotas: who is coming, dates to swap and reminders",
        "Time bank members on a rota, and the people they help",
    ),
    Kind(
        "timebank_coordination",
        "time bank work: applications to join and requests nobody has answered",
        "Time bank coordinators",
        roles=frozenset({_COORDINATOR, _ADMIN}),
    ),
    # --- participatory budgeting -----------------------------------------------------------------
    Kind(
        "pb_receipt",
        "your receipt code when you vote on how money is spent",
        "People who vote online",
    ),
    # --- outcomes --------------------------------------------------------------------------------
    Kind(
        "outcomes_reminders",
        "reminders to tell us how you are doing",
        "People who agreed to tell us how they are doing",
    ),
    # --- directory, voice and connecting people (their apps pass these) ------------------------
    Kind(
        "listing_changes",
        "changes to your organisation's listings: published or refused",
        "Providers",
        roles=frozenset({_PROVIDER, _COORDINATOR, _ADMIN}),
    ),
    Kind(
        "reviews",
        "reviews of services: published, refused or replied to",
        "People who write reviews, and providers",
    ),
    Kind(
        "enquiries",
        "enquiries to services and their replies",
        "People who ask a service a question, and the service's staff",
    ),
    Kind(
        "feedback",
        "your feedback: received, moving on, and answers",
        "People who give feedback about a service",
    ),
    Kind(
        "feedback_moderation",
        "feedback waiting for moderation, or overdue",
        "Moderators and commissioners",
        roles=frozenset({_MODERATOR, _COMMISSIONER}),
    ),
    Kind(
        "referrals",
        "referrals: sent to your service, and the answers",
        "Link workers and the services they refer people to",
        roles=frozenset({_LINK_WORKER, _PROVIDER, _COORDINATOR}),
    ),
    Kind(
        "matches",
        "Shared Lives and befriending introductions",
        "Carers, befrienders, people being matched and their workers",
    ),
    Kind(
        "quality_checks",
        "quality checks you took part in: when the report is published",
        "Experts by experience",
    ),
    Kind(
        "site_feedback",
        "feedback on this website",
        "The team that runs this website",
        roles=frozenset({_COORDINATOR, _ADMIN}),
    ),
)
KINDS_BY_CODE: dict[str, Kind] = {k.code: k for k in KINDS}


def get_kind(code: str) -> Kind:
    """The kind with this code. An unknown code is a programming error, so it raises."""
    try:
        return KINDS_BY_CODE[code]
    except KeyError:
        raise ValueError(f"Unknown notification kind {code!r}; add it to KINDS") from None


def kinds_for(roles: Iterable[str]) -> list[Kind]:
    """The kinds someone holding these roles may get (anyone's kinds first)."""
    held = set(roles)
    return [k for k in KINDS if k.applies_to(held)]


def clean_subject(subject: str) -> str:
    """One line, no control characters, at most SUBJECT_MAX_CHARS characters."""
    one_line = _OTHER_CONTROLS.sub("", _LINE_BREAKS.sub(" ", subject))
    one_line = " ".join(one_line.split())
    if len(one_line) > SUBJECT_MAX_CHARS:
        one_line = one_line[: SUBJECT_MAX_CHARS - 1].rstrip() + "…"
    return one_line


def site_url(path: str) -> str:
    """The full address of a page of this site, for a link in an email."""
    return settings.SITE_URL + path


# --- unsubscribe tokens --------------------------------------------------------------------------


def unsubscribe_token(user_ids: Iterable[int], kind_code: str) -> str:
    """A token that turns off ``kind_code`` for these accounts (those sharing one address)."""
    get_kind(kind_code)
    return signing.dumps({"u": sorted(set(user_ids)), "k": kind_code}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[list[int], Kind] | None:
    """The accounts and optional kind a token names, or None when it was not made here (changed,
    cut short, or for a kind that cannot be turned off)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    ids, code = data.get("u"), data.get("k")
    if not isinstance(code, str) or code not in KINDS_BY_CODE:
        return None
    if not isinstance(ids, list) or not ids or not all(type(i) is int for i in ids):
        return None
    found = KINDS_BY_CODE[code]
    if not found.optional:
        return None
    return ids, found


def unsubscribe_url(user_ids: Iterable[int], kind_code: str) -> str:
    token = unsubscribe_token(user_ids, kind_code)
    return site_url(reverse("accounts:unsubscribe", args=[token]))


def preferences_url() -> str:
    return site_url(reverse("accounts:notifications"))


def footer(found: Kind, user_ids: list[int]) -> tuple[str, dict[str, str]]:
    """The footer for one recipient of a message of this kind, and its mail headers."""
    if not found.optional:
        text = f"We always send emails about {found.label}, because {found.always_because}." + (
            f"\nChoose which other emails you get: {preferences_url()}" if user_ids else ""
        )
        return text, {}
    if not user_ids:
        return "", {}
    link = unsubscribe_url(user_ids, found.code)
    text = (
        f"You get this email because you get emails about {found.label}.\n"
        f"To stop emails like this one: {link}\n"
        f"Choose which emails you get: {preferences_url()}"
    )
    headers = {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return text, headers


# --- sending -------------------------------------------------------------------------------------


def deliver(
    subject: str, body: str, recipients: list[str], headers: dict[str, str] | None = None
) -> None:
    """Send one message now."""
    message = EmailMessage(
        clean_subject(subject),
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        headers={name: clean_subject(value) for name, value in (headers or {}).items()},
    )
    message.send()


# How long to wait before trying again a message the mail server did not take (down for a
# restart, refusing for a while): after the first failure 1 minute, then 5, then 30. A message
# that fails the last try as well is given up and logged at ERROR for someone to look at.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
)


@task()
def send_email(
    subject: str,
    body: str,
    recipients: list[str],
    headers: dict[str, str] | None = None,
    attempt: int = 1,
) -> None:
    """Send one message; when the mail server fails, queue the next try (see RETRY_DELAYS) and
    raise, so this try is recorded as failed against its task."""
    try:
        deliver(subject, body, recipients, headers)
    except OSError:
        _retry_later(subject, body, recipients, headers, attempt)
        raise


def _retry_later(
    subject: str, body: str, recipients: list[str], headers: dict[str, str] | None, attempt: int
) -> None:
    shown = clean_subject(subject)
    if attempt > len(RETRY_DELAYS):
        logger.exception("Gave up sending email %r after %d attempts", shown, attempt)
        return
    if not send_email.get_backend().supports_defer:
        # Tasks that run at once (demo, tests) cannot wait: trying again now would hold up the page.
        logger.exception("Could not send email %r; not tried again (tasks run at once)", shown)
        return
    delay = RETRY_DELAYS[attempt - 1]
    send_email.using(run_after=timezone.now() + delay).enqueue(
        subject, body, recipients, headers, attempt=attempt + 1
    )
    logger.warning(
        "Could not send email %r (attempt %d); trying again in %d minutes",
        shown,
        attempt,
        delay // timedelta(minutes=1),
        exc_info=True,
    )


def _queue(subject: str, body: str, recipients: list[str], headers: dict[str, str]) -> None:
    args = (subject, body, recipients, headers or None)
    if settings.TASKS_IN_DATABASE:
        send_email.enqueue(*args)
    else:
        transaction.on_commit(lambda: send_email.enqueue(*args))


@dataclass(frozen=True)
class Outgoing:
    """One message ready to send: the body with its footer, to whom, and its mail headers."""

    body: str
    recipients: list[str]
    headers: dict[str, str]


def addressed(body: str, recipients: list[str], kind: str | None) -> list[Outgoing]:
    """The messages to send for ``body``: with a ``kind``, one for each address whose accounts
    have not all turned it off, each with its own footer; without one, a single message to all."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return []
    if kind is None:
        return [Outgoing(body, recipients, {})]
    found = get_kind(kind)
    from accounts import notification_preferences

    accounts = notification_preferences.accounts_for(recipients)
    turned_off = notification_preferences.turned_off(
        [uid for ids in accounts.values() for uid in ids], found.code
    )
    seen: set[str] = set()
    out = []
    for address in recipients:
        key = address.strip().lower()
        if key in seen:
            continue
        seen.add(key)
        user_ids = accounts.get(key, [])
        if found.optional and user_ids and all(uid in turned_off for uid in user_ids):
            continue
        text, headers = footer(found, user_ids)
        out.append(Outgoing(f"{body}\n\n--\n{text}" if text else body, [address], headers))
    return out


def notify(subject: str, body: str, recipients: list[str], kind: str | None = None) -> None:
    """Email these recipients once the current transaction commits.

    With a ``kind`` (a code in :data:`KINDS`), each recipient gets their own copy with a footer
    for that kind, and a recipient whose accounts have all turned the kind off gets nothing.
    Without one (callers not yet updated), the message goes to everyone, as it always did."""
    for message in addressed(body, recipients, kind):
        _queue(subject, message.body, message.recipients, message.headers)


def send_now(subject: str, body: str, recipients: list[str], kind: str) -> int:
    """Send at once, in this process, honouring each recipient's choice as :func:`notify` does;
    for a job that records each message in the same transaction as it sends it, so a mail
    failure (OSError, raised) rolls the record back and the next run retries. Returns how many
    messages were sent."""
    messages = addressed(body, recipients, kind)
    for message in messages:
        deliver(subject, message.body, message.recipients, message.headers)
    return len(messages)
