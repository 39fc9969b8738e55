"""The registry the app uses: the shipped measures, plus any wording the area loaded under its own
licence (``settings.OUTCOMES_WORDING_FILES``, a list of overlay files; see docs/outcomes.md)."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings

from rules.outcomes import Measure, Registry, default_registry

# Measures a person may answer (scorable, in the order we offer them).
OFFERED = ("ons4", "swemwbs", "wemwbs", "short_health_scale")


@functools.cache
def _registry(files: tuple[str, ...]) -> Registry:
    registry = default_registry()
    for name in files:
        registry = registry.with_wording_file(Path(name))
    return registry


def registry() -> Registry:
    return _registry(tuple(getattr(settings, "OUTCOMES_WORDING_FILES", ()) or ()))


def offered() -> list[Measure]:
    found = registry()
    return [found.get(measure_id) for measure_id in OFFERED if measure_id in found.ids()]


def threshold_values(measure: Measure) -> list[tuple[str, str]]:
    """The values a follow-up threshold can be set on: the headline value, or each item."""
    if measure.headline is not None:
        spec = measure.scoring.metric or measure.scoring.raw
        assert spec is not None
        return [(spec.id, spec.label)]
    return [(item.id, item.topic) for item in measure.items]
