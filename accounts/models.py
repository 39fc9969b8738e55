from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

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


class AuditEvent(models.Model):
    """Who saw or changed whose record, and when. Append-only: never edited or deleted by the app."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"
        SIGN_IN = "sign-in", "Signed in"
        SIGN_IN_FAILED = "sign-in-failed", "Failed sign-in"
        ERASE = "erase", "Erased"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_actions"
    )
    subject = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_about_me",
        help_text="The person whose data this was, if any.",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True, default="")
    summary = models.CharField(max_length=300, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"
