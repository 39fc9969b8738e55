"""The search read model (``directory.models.SearchEntry``, kept in step by
``directory.search_index``).

On PostgreSQL: ``tag_array`` generated from ``tags`` with a GIN index (every tag filter is one
index condition), ``vector`` (the service's weighted tsvector, copied so a text search reads only
the narrow rows) with a GIN index, and a trigram index on the name for typo-tolerant matching.
The rows are built by 0006 (derived data: the current code builds them).
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = [
    """ALTER TABLE directory_searchentry ADD COLUMN tag_array text[]
         GENERATED ALWAYS AS (string_to_array(btrim(tags), ' ')) STORED""",
    "ALTER TABLE directory_searchentry ADD COLUMN vector tsvector",
    # Keep the rows narrow: the stored ORUK record lives in the TOAST table (it is read only for
    # the 20 rows of a page); what searches read stays in the row.
    "ALTER TABLE directory_searchentry SET (toast_tuple_target = 256)",
    "ALTER TABLE directory_searchentry ALTER COLUMN document SET STORAGE EXTERNAL",
    "ALTER TABLE directory_searchentry ALTER COLUMN name SET STORAGE MAIN",
    "ALTER TABLE directory_searchentry ALTER COLUMN tags SET STORAGE MAIN",
    "ALTER TABLE directory_searchentry ALTER COLUMN tag_array SET STORAGE MAIN",
    "ALTER TABLE directory_searchentry ALTER COLUMN vector SET STORAGE MAIN",
    "CREATE INDEX directory_searchentry_tags ON directory_searchentry USING gin (tag_array)",
    "CREATE INDEX directory_searchentry_vector ON directory_searchentry USING gin (vector)",
    "CREATE INDEX directory_searchentry_name_trgm ON directory_searchentry "
    "USING gin (name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_searchentry_name_trgm",
    "DROP INDEX IF EXISTS directory_searchentry_vector",
    "DROP INDEX IF EXISTS directory_searchentry_tags",
    "ALTER TABLE directory_searchentry DROP COLUMN IF EXISTS vector",
    "ALTER TABLE directory_searchentry DROP COLUMN IF EXISTS tag_array",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


def build(apps, schema_editor):
    """The rows are built by migration 0006, once they have every column the code writes."""


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_postgres_nearest_index")]
    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="directory.service",
                    ),
                ),
                ("name", models.CharField(max_length=250)),
                ("tags", models.TextField(default=" ")),
                ("document", models.TextField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["name", "service"], name="directory_searchentry_name")
                ],
            },
        ),
        migrations.CreateModel(
            name="SearchIndexVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(run(FORWARD), run(BACKWARD)),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
