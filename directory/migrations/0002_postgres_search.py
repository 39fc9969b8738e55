"""PostgreSQL full-text and trigram search for services.

A generated tsvector column (name weighted above the rest, English stemming) with a GIN index, and a
trigram GIN index on the name for typo-tolerant matching. On SQLite nothing is added: the search
falls back to word matching on ``search_document`` (see directory.selectors).
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE directory_service ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
         setweight(to_tsvector('english', coalesce(search_document, '')), 'B')
       ) STORED""",
    "CREATE INDEX directory_service_search_vector ON directory_service USING gin (search_vector)",
    "CREATE INDEX directory_service_name_trgm ON directory_service USING gin (name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_service_name_trgm",
    "DROP INDEX IF EXISTS directory_service_search_vector",
    "ALTER TABLE directory_service DROP COLUMN IF EXISTS search_vector",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
