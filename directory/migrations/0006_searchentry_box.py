"""The box (in degrees) around each service's places on the search rows, with a GiST index on
PostgreSQL, so a distance search meets few rows before measuring; then the rows are rebuilt."""

from django.db import migrations, models

FORWARD = [
    """CREATE INDEX directory_searchentry_box ON directory_searchentry
       USING gist (box(point(min_longitude, min_latitude), point(max_longitude, max_latitude)))
       WHERE min_latitude IS NOT NULL""",
]
BACKWARD = ["DROP INDEX IF EXISTS directory_searchentry_box"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


def build(apps, schema_editor):
    from directory import search_index

    search_index.rebuild()


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_searchentry")]
    operations = [
        migrations.AddField("searchentry", "min_latitude", models.FloatField(null=True)),
        migrations.AddField("searchentry", "max_latitude", models.FloatField(null=True)),
        migrations.AddField("searchentry", "min_longitude", models.FloatField(null=True)),
        migrations.AddField("searchentry", "max_longitude", models.FloatField(null=True)),
        migrations.RunPython(run(FORWARD), run(BACKWARD)),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
