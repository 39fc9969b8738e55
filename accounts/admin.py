from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import AuditEvent, User


@admin.register(User)
class HubUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Wellbeing Hub", {"fields": ("display_name",)}))  # type: ignore[misc]
    list_display = ("username", "display_name", "email", "is_staff", "is_active")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, even for staff."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "subject", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id", "actor__username", "subject__username")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
