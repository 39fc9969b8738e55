"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared/ folder (seeds, data, standards) that sits beside the repository."""
    path = Path(os.environ.get("WELLBEING_SHARED", REPO.parent / "shared"))
    if not path.is_dir():
        pytest.fail(f"shared/ not found at {path}; set WELLBEING_SHARED")
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of the pure rule packages are marked ``pure`` (they need no database), and tests
    marked ``postgres`` are skipped unless the database is PostgreSQL."""
    for item in items:
        if "/rules/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.pure)
    if any(item.get_closest_marker("postgres") for item in items):
        from django.conf import settings

        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            skip = pytest.mark.skip(reason="needs PostgreSQL: run under scripts/with-postgres.sh")
            for item in items:
                if item.get_closest_marker("postgres"):
                    item.add_marker(skip)
