"""`make test` collects tests from pyproject's ``testpaths``: every project app must be listed,
or its tests silently never run in CI (evidence, voice and connect once went unrun that way)."""

import tomllib
from pathlib import Path

from django.apps import apps

REPO = Path(__file__).resolve().parents[2]


def test_every_project_app_with_tests_is_collected() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    collected = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    project_apps = {
        Path(app.path).name
        for app in apps.get_app_configs()
        if Path(app.path).parent == REPO and (Path(app.path) / "tests").is_dir()
    }
    assert project_apps, "no project apps found: the test itself is wrong"
    assert project_apps - collected == set()
    assert "rules" in collected
