"""Email notifications: every app sends its messages through :func:`notify`.

Messages go through a background task (``send_email``). In production the task is a row in the
database queue, written in the same transaction as the change that caused it (an outbox): if the
change rolls back, no message; if it commits, the message is kept until ``manage.py db_worker``
sends it, even across a restart, and a slow or failing mail server never holds up a page. Where
tasks run at once (demo, tests), the message is handed over after the commit instead. A mail
failure is logged (and recorded against the task), never lost work.

The subject is made safe for a mail header here, once for every app: a service or member name with
a line break in it would otherwise make Django refuse the whole message (``BadHeaderError``).
"""

from __future__ import annotations

import logging
import re

import django
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

if django.VERSION >= (6, 0):
    from django.tasks import task
else:  # Django 5.2 on Python 3.11: the backport of the same framework
    from django_tasks import task

logger = logging.getLogger(__name__)

SUBJECT_MAX_CHARS = 200
_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\x0b\x0c]+")
_OTHER_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


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


def deliver(subject: str, body: str, recipients: list[str]) -> None:
    """Send one message now."""
    send_mail(clean_subject(subject), body, settings.DEFAULT_FROM_EMAIL, recipients)


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> None:
    try:
        deliver(subject, body, recipients)
    except OSError:
        logger.exception("Could not send email %r", clean_subject(subject))
        raise


def notify(subject: str, body: str, recipients: list[str]) -> None:
    """Email these recipients once the current transaction commits."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    if settings.TASKS_IN_DATABASE:
        send_email.enqueue(subject, body, recipients)
    else:
        transaction.on_commit(lambda: send_email.enqueue(subject, body, recipients))
