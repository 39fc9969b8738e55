"""PostgreSQL: a GiST index on each location's point on the earth (the cube and earthdistance
extensions from contrib), so "nearest first" walks outwards from a point instead of measuring and
sorting every location. Nothing is added on SQLite."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS cube",
    "CREATE EXTENSION IF NOT EXISTS earthdistance",
    """CREATE INDEX directory_location_earth ON directory_location
       USING gist (ll_to_earth(latitude::float8, longitude::float8))
       WHERE latitude IS NOT NULL AND longitude IS NOT NULL""",
    "CREATE INDEX directory_service_active_name ON directory_service (name, id) "
    "WHERE status = 'active'",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_service_active_name",
    "DROP INDEX IF EXISTS directory_location_earth",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_schedule_attending_type_text")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
