from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.audit_digest import audit_digest
from accounts.roles import Role


class User(AbstractUser):
    """A person with an account. Roles are groups named after :class:`accounts.roles.Role`."""

    display_name = models.CharField(
        "name you would like us to use", max_length=150, blank=True, default=""
    )

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name() or self.username

    def roles(self) -> set[str]:
        cached: set[str] | None = getattr(self, "_role_cache", None)
        if cached is None:
            cached = set(self.groups.values_list("name", flat=True))
            if self.is_superuser:
                cached.add(Role.ADMINISTRATOR)
            self._role_cache = cached
        return cached

    def role_labels(self) -> list[str]:
        return sorted(Role(r).label for r in self.roles() if r in Role.values)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """The audit trail's queryset: reads and inserts only."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError("The audit trail is append-only: events are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("The audit trail is append-only: events are never deleted.")


class AuditDigestField(models.CharField[str, str]):
    """The event's HMAC-SHA256 digest, computed from the other fields as the row is inserted
    (by ``save()``, ``bulk_create`` or any writer that asks each field for its ``pre_save``
    value). Declared after the other fields, so their own ``pre_save`` (the time) has run."""

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        # Django asks for ``add=False`` only to write an UPDATE, which the trail never allows.
        if not add:
            raise ValueError("The audit trail is append-only: events are never changed.")
        digest: str = model_instance.compute_digest()  # type: ignore[attr-defined]
        setattr(model_instance, self.attname, digest)
        return digest


class AuditEvent(models.Model):
    """Who saw or changed whose record, and when. Append-only: never edited or deleted by the app.
    Each event carries a digest of its content (see :mod:`accounts.audit_digest`), so a change
    made behind the application's back, or in a restored backup, can be found with
    :func:`accounts.services.audit_problems`."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"
        SIGN_IN = "sign-in", "Signed in"
        SIGN_IN_FAILED = "sign-in-failed", "Failed sign-in"
        ERASE_REQUEST = "erase-request", "Erasure requested"
        ERASE_WITHDRAW = "erase-withdraw", "Erasure request withdrawn"
        ERASE = "erase", "Erased"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: deleting a person would rewrite their events (SET NULL) behind the digest; people
    # are erased (anonymised), not deleted.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_actions"
    )
    subject = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_about_me",
        help_text="The person whose data this was, if any.",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True, default="")
    summary = models.CharField(max_length=300, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    digest = AuditDigestField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="HMAC-SHA256 of the other fields, keyed with SECRET_KEY.",
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"

    def save(self, **kwargs: Any) -> None:  # Django 6 takes keyword arguments only
        """Insert a new event; never update one. Always an INSERT: given the id of a stored event,
        Django would otherwise try an UPDATE of that row first (its id has no default), so a new
        event built with an old id would rewrite the old one. The time is set by ``auto_now_add``
        as the row is inserted, whatever the event says (no backdating)."""
        if not self._state.adding:
            raise ValueError("The audit trail is append-only: events are never changed.")
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("The audit trail is append-only: events are never deleted.")

    def compute_digest(self, key: str | None = None) -> str:
        ip_field = self._meta.get_field("ip_address")
        assert isinstance(ip_field, models.GenericIPAddressField)
        ip = ip_field.get_prep_value(self.ip_address)
        return audit_digest(
            key=settings.SECRET_KEY if key is None else key,
            at=self.at,
            actor_id=self.actor_id,
            subject_id=self.subject_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            summary=self.summary,
            ip_address=ip,
        )


class SignInCounter(models.Model):
    """Sign-in attempts per key (a username or an address) in the current window. Counted with one
    atomic upsert *before* the password is checked (:func:`accounts.services.begin_sign_in`), so
    parallel guesses cannot overtake the count; a window older than LOGIN_LOCKOUT_SECONDS starts
    again at one."""

    bucket = models.CharField(max_length=80, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.bucket}: {self.attempts} since {self.window_start:%Y-%m-%d %H:%M:%S}"


class ErasureRequest(models.Model):
    """A request to erase a person: recorded by one staff member, carried out only when a
    different staff member confirms it (or withdrawn)."""

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="erasure_requests")
    reason = models.TextField(
        max_length=1000,
        help_text="How and when the person asked (for example 'Letter received 1 December'). "
        "Do not copy personal details here.",
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [("confirm_erasurerequest", "Can confirm an erasure request")]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("requested_by")),
                name="erasure_confirmed_by_someone_else",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True, confirmed_at__isnull=True)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="erasure_confirmed_by_and_at",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(withdrawn_at__isnull=True),
                name="erasure_confirmed_or_withdrawn",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(confirmed_at__isnull=True, withdrawn_at__isnull=True),
                name="one_open_erasure_request_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Erasure request {self.pk} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None and self.withdrawn_at is None

    @property
    def status(self) -> str:
        if self.confirmed_at is not None:
            return "confirmed: erased"
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "waiting for a second staff member"


class NotificationPreference(models.Model):
    """Whether a person wants emails of one kind (``wellbeing_hub.notifications.KINDS``). No row
    means yes: every kind is sent until the person turns it off, on their "Your email
    notifications" page or with the link in an email's footer."""

    class Via(models.TextChoices):
        PAGE = "page", "Your email notifications page"
        LINK = "link", "The link in an email"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    email = models.BooleanField("send by email", default=True)
    changed_at = models.DateTimeField(auto_now=True)
    changed_via = models.CharField(max_length=10, choices=Via.choices, default=Via.PAGE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'email' if self.email else 'none'}"
