"""The audit trail's tamper evidence: an HMAC-SHA256 of one event's fields, keyed with SECRET_KEY.

Kept apart from the model (plain values in, hex digest out) so the data migration that fills the
digests of older events uses exactly this function. Changing the message layout would flag every
stored event: add a new version prefix instead, and verify both.

A digest shows that an event is as it was written by someone holding the key. It does not show
that no event was deleted (ids have gaps anyway: PostgreSQL's sequences skip on a rollback), and
anyone who has SECRET_KEY can write a matching digest: keep the key out of the database backups.
"""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime
from hashlib import sha256

VERSION = "v1"


def _when(at: datetime | None) -> str | None:
    if at is None:
        return None
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def audit_digest(
    *,
    key: str,
    at: datetime | None,
    actor_id: int | None,
    subject_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    ip_address: str | None,
) -> str:
    """Hex HMAC-SHA256 over the fields, serialised as a JSON list (unambiguous: no separator a
    field could contain). ``ip_address`` as the database stores it (IPv6 compressed, lower case)."""
    message = json.dumps(
        [
            VERSION,
            _when(at),
            actor_id,
            subject_id,
            action,
            object_type,
            object_id,
            summary,
            ip_address or None,
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hmac.new(key.encode(), message.encode(), sha256).hexdigest()
