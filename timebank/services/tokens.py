"""API tokens for the JSON exchange endpoint: made, revoked and checked on every request."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from timebank.models import ApiToken
from timebank.permissions import may_hold_api_token, may_revoke_token
from timebank.services._common import (
    TimebankRefused,
    _column,
    _converted,
    _prepared_cursor,
    has_forbidden_characters,
)

API_TOKEN_DAYS = 90
"""How long a new API token lasts unless ``settings.TIMEBANK_API_TOKEN_DAYS`` says otherwise."""
TOKEN_LAST_USED_PRECISION = timedelta(minutes=5)
"""A token's "last used" time is written at most this often (not on every API request)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_days() -> int:
    """How many days a new API token lasts (``settings.TIMEBANK_API_TOKEN_DAYS``, default 90)."""
    days = getattr(settings, "TIMEBANK_API_TOKEN_DAYS", API_TOKEN_DAYS)
    return max(1, int(days))


@transaction.atomic
def issue_api_token(
    *, user: User, days: int | None = None, request: HttpRequest | None = None
) -> str:
    """A new token for the JSON exchange endpoint; shown once, only its hash is kept. It expires
    after ``days`` (default :func:`api_token_days`)."""
    if not may_hold_api_token(user):
        raise TimebankRefused(
            "Only approved time bank members and coordinators can make API tokens."
        )
    token = secrets.token_urlsafe(32)
    lasts = api_token_days() if days is None else days
    if isinstance(lasts, bool) or not isinstance(lasts, int) or not 0 < lasts <= 366:
        raise TimebankRefused("A token lasts from 1 to 366 days.")
    row = ApiToken.objects.create(
        user=user,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=lasts),
    )
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE,
        target=row,
        subject=user,
        summary=f"Created a time bank API token (expires {timezone.localdate(row.expires_at)})",
        request=request,
    )
    return token


@transaction.atomic
def revoke_api_token(*, by: User, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    """Stop a token working at once. Its owner or a coordinator may; revoking twice is harmless."""
    if not may_revoke_token(by, token):
        raise TimebankRefused("Only the token's owner, or a coordinator, can revoke it.")
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=token,
        subject=token.user,
        summary="Revoked a time bank API token"
        + ("" if token.user_id == by.pk else f" of {token.user.get_full_name()}"),
        request=request,
    )
    return token


@functools.cache
def _token_statement(vendor: str) -> tuple[str, tuple[str, ...]]:
    """The SQL of :func:`user_for_token` and the user's fields it reads, built once."""
    # Table and column names come from the models' metadata; every value is a parameter.
    qn = connection.ops.quote_name
    token_meta, user_meta = ApiToken._meta, User._meta
    through = User.groups.through._meta
    group_meta = Group._meta
    user_pk = _column(user_meta.pk)
    fields = tuple(f.attname for f in user_meta.concrete_fields)
    columns = ", ".join(f"u.{_column(f)}" for f in user_meta.concrete_fields)

    def token_column(name: str) -> str:
        return f"t.{_column(token_meta.get_field(name))}"

    sql = (
        f"SELECT {columns}, {token_column('id')}, {token_column('last_used_at')}, "  # noqa: S608
        f"g.{_column(group_meta.get_field('name'))} "
        f"FROM {qn(token_meta.db_table)} t "
        f"JOIN {qn(user_meta.db_table)} u ON u.{user_pk} = {token_column('user')} "
        f"LEFT JOIN {qn(through.db_table)} ug ON ug.{_column(through.get_field('user'))} = u.{user_pk} "
        f"LEFT JOIN {qn(group_meta.db_table)} g ON g.{_column(group_meta.pk)} = "
        f"ug.{_column(through.get_field('group'))} "
        f"WHERE {token_column('token_hash')} = %s "
        f"AND u.{_column(user_meta.get_field('is_active'))} = %s "
        f"AND {token_column('revoked_at')} IS NULL AND {token_column('expires_at')} > %s"
    )
    return sql, fields


def user_for_token(token: str) -> User | None:
    """The active user the token belongs to (``None`` when the token is unknown, expired or
    revoked), with their roles loaded in the same query (so the role check of the request that
    follows needs no query of its own).

    Written out as SQL (one row per role) because every API request starts here. The token's
    "last used" time is written only when the stored one is older than
    :data:`TOKEN_LAST_USED_PRECISION`, so a busy partner system costs one small update every few
    minutes, not one per request.
    """
    if not token or len(token) > 200 or has_forbidden_characters(token):
        return None
    sql, fields = _token_statement(connection.vendor)
    now = timezone.now()
    expires_param = ApiToken._meta.get_field("expires_at").get_db_prep_value(now, connection)
    with _prepared_cursor() as cursor:
        cursor.execute(sql, [hash_token(token), True, expires_param])
        rows = cursor.fetchall()
    if not rows:
        return None
    user = User.from_db(connection.alias, fields, _converted(User, fields, rows[0][:-3]))
    token_id, last_used = _converted(ApiToken, ("id", "last_used_at"), rows[0][-3:-1])
    if last_used is None or now - last_used >= TOKEN_LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token_id).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_LAST_USED_PRECISION)
        ).update(last_used_at=now)
    roles = {row[-1] for row in rows if row[-1]}
    if user.is_superuser:  # as User.roles() does
        roles.add(Role.ADMINISTRATOR)
    user._role_cache = roles
    return user
