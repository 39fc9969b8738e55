"""The registry the app uses: the shipped measures, plus the licensed wording the area loaded on the
*Licensed question wording* page (:class:`outcomes.models.AreaWording`, recorded with who loaded it,
when and under which licence; see docs/outcomes.md). The shipped files never hold licensed text."""

from __future__ import annotations

import threading

from rules.outcomes import Measure, Registry, default_registry
from rules.outcomes.errors import UnknownMeasureError, WordingOverlayError

# Measures a person may answer (scorable, in the order we offer them).
OFFERED = ("ons4", "swemwbs", "wemwbs", "short_health_scale")

_lock = threading.Lock()
_built: dict[tuple[tuple[int, object], ...], Registry] = {}


def registry() -> Registry:
    """The shipped registry with every wording in force laid over it. Built once per set of
    wordings in force (a load or a withdrawal changes the set), so other processes see a change
    on their next request."""
    from outcomes.models import AreaWording

    in_force = tuple(
        AreaWording.objects.filter(withdrawn_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "loaded_at")
    )
    found = _built.get(in_force)
    if found is not None:
        return found
    built = default_registry()
    for wording in AreaWording.objects.filter(pk__in=[pk for pk, _ in in_force]).order_by("pk"):
        try:
            built = built.with_wording(
                wording.measure_id,
                wording.wording,
                licence_note=wording.licence_reference,
                version=wording.measure_version,
            )
        except (UnknownMeasureError, WordingOverlayError):
            # Checked when it was loaded; a measure version no longer shipped keeps its topics.
            continue
    with _lock:
        _built.clear()
        _built[in_force] = built
    return built


def offered() -> list[Measure]:
    found = registry()
    return [found.get(measure_id) for measure_id in OFFERED if measure_id in found.ids()]


def wording_measures() -> list[Measure]:
    """Measures whose wording the area may load: offered, and not openly licensed (SWEMWBS,
    WEMWBS, the Short Health Scale). Shipped versions, so the topics are shown, not a loaded text."""
    shipped = default_registry()
    return [
        shipped.get(measure_id)
        for measure_id in OFFERED
        if measure_id in shipped.ids() and shipped.get(measure_id).licence.wording != "open"
    ]


def threshold_values(measure: Measure) -> list[tuple[str, str]]:
    """The values a follow-up threshold can be set on: the headline value, or each item."""
    if measure.headline is not None:
        spec = measure.scoring.metric or measure.scoring.raw
        assert spec is not None
        return [(spec.id, spec.label)]
    return [(item.id, item.topic) for item in measure.items]
