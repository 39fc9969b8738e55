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
