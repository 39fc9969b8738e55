"""API tokens expire and can be revoked. Tokens made before this had no expiry: each now expires
90 days after it was made (so a token older than that stops working at once)."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_expiry(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApiToken = apps.get_model("timebank", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + timedelta(days=90)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("timebank", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(name="apitoken", options={"ordering": ["-created_at", "-id"]}),
        migrations.AddField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True)
        ),
        migrations.RunPython(give_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField()
        ),
        migrations.AddField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
