"""The search rows' change log (``SearchChange``) and the version's token, so each server process
patches its in-memory copy with what changed instead of rebuilding it."""

import secrets

from django.db import migrations, models


def start_log(apps, schema_editor):  # type: ignore[no-untyped-def]
    SearchIndexVersion = apps.get_model("directory", "SearchIndexVersion")
    SearchChange = apps.get_model("directory", "SearchChange")
    token = secrets.randbits(62)
    row, _ = SearchIndexVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    row.version += 1
    row.token = token
    row.save()
    # Copies made before this have no history to check: every process rebuilds once.
    SearchChange.objects.create(seq=row.version, token=token, kind="all", service_id="")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0011_postcodes"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchindexversion",
            name="token",
            field=models.BigIntegerField(default=0),
        ),
        migrations.CreateModel(
            name="SearchChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField(db_index=True)),
                ("token", models.BigIntegerField()),
                ("kind", models.CharField(default="service", max_length=10)),
                ("service_id", models.CharField(blank=True, default="", max_length=250)),
            ],
        ),
        migrations.RunPython(start_log, migrations.RunPython.noop),
    ]
