"""Email notifications: every app sends its messages through :func:`notify`.

A message is handed over only after the change that caused it is committed, so a rolled-back change
sends nothing, and a mail failure is logged, never lost work. The subject is made safe for a mail
header here, once for every app: a service or member name with a line break in it would otherwise
make Django refuse the whole message (``BadHeaderError``).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

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


def deliver(subject: str, body: str, recipients: list[str]) -> None:
    """Send one message now."""
    send_mail(clean_subject(subject), body, settings.DEFAULT_FROM_EMAIL, recipients)


def notify(subject: str, body: str, recipients: list[str]) -> None:
    """Email these recipients once the current transaction commits."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return

    def send() -> None:
        try:
            deliver(subject, body, recipients)
        except OSError:
            logger.exception("Could not send email %r", clean_subject(subject))

    transaction.on_commit(send)
