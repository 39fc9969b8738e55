"""Create the database cache table the production settings name.

Django's ``createcachetable`` is a separate command that deployments forget (every sign-in failed
with a server error because of it); as a migration, ``migrate`` creates everything the settings
need. It does nothing where the cache is not a database cache (demo and tests use local memory).
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
