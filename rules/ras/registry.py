"""The configuration versions shipped in rules/ras/data/, looked up by id or by date.

The Django app stores the version id with each agreed budget and recomputes with
``load_version(id)``, so a later configuration never changes an agreed figure.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from rules.ras.config import RasConfig, load_config
from rules.ras.errors import ConfigError, UnknownVersionError

DATA_DIR = Path(__file__).parent / "data"


@functools.cache
def _registry(data_dir: Path = DATA_DIR) -> dict[str, RasConfig]:
    versions: dict[str, RasConfig] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        config = load_config(path)
        if config.version_id in versions:
            raise ConfigError(
                path.name, [("meta.id", f"duplicate version id {config.version_id!r}")]
            )
        versions[config.version_id] = config
    return versions


def available_versions() -> list[tuple[str, dt.date]]:
    """(version id, effective from) for every shipped configuration, oldest first."""
    return sorted(
        ((config.version_id, config.meta.effective_from) for config in _registry().values()),
        key=lambda item: (item[1], item[0]),
    )


def load_version(version_id: str) -> RasConfig:
    """The configuration with this exact version id."""
    try:
        return _registry()[version_id]
    except KeyError:
        known = ", ".join(version for version, _ in available_versions())
        raise UnknownVersionError(
            f"No RAS configuration with version id {version_id!r} (known: {known})"
        ) from None


def version_in_force(on: dt.date) -> RasConfig:
    """The newest configuration whose effective_from is on or before ``on``."""
    current = [config for config in _registry().values() if config.meta.effective_from <= on]
    if not current:
        raise UnknownVersionError(f"No RAS configuration is in force on {on.isoformat()}")
    return max(current, key=lambda config: config.meta.effective_from)
