"""Settings for the test suite: the normal settings in test mode (DATABASE_URL still chooses the
database, so the same suite runs on SQLite and on PostgreSQL)."""

import os

os.environ.setdefault("WELLBEING_ENV", "test")

from wellbeing_hub.settings import *  # noqa: F403
