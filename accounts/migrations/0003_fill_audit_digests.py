"""Fill the digest of every audit event written before digests existed, with the same function
that new events use, so ``accounts.services.audit_problems`` can check the whole trail."""

from django.conf import settings
from django.db import migrations

from accounts.audit_digest import audit_digest

BATCH = 2000


def fill_digests(apps, schema_editor):  # type: ignore[no-untyped-def]
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    ip_field = AuditEvent._meta.get_field("ip_address")
    # The plain base manager: the model's own manager refuses updates (append-only).
    events = AuditEvent._base_manager.filter(digest="").order_by("pk")
    batch = []
    for event in events.iterator(chunk_size=BATCH):
        event.digest = audit_digest(
            key=settings.SECRET_KEY,
            at=event.at,
            actor_id=event.actor_id,
            subject_id=event.subject_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            summary=event.summary,
            ip_address=ip_field.get_prep_value(event.ip_address),
        )
        batch.append(event)
        if len(batch) >= BATCH:
            AuditEvent._base_manager.bulk_update(batch, ["digest"])
            batch = []
    if batch:
        AuditEvent._base_manager.bulk_update(batch, ["digest"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_security_review")]

    operations = [migrations.RunPython(fill_digests, migrations.RunPython.noop)]
