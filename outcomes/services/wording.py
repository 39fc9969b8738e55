"""The area's licensed question wording: an uploaded file is checked, loaded for a measure whose
wording is not open, and withdrawn."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from outcomes import access
from outcomes.services._common import (
    OutcomesRefused,
)

MAX_WORDING_FILE_BYTES = 64 * 1024
_WORDING_FILE_KEYS = {"measure", "version", "wording", "licence_note"}


def parse_wording_file(content: bytes, measure: Any) -> dict[str, str]:
    """The ``{item id: text}`` in an uploaded wording file, or OutcomesRefused (field ``file``)
    saying what is wrong. Checks the file's shape here; ``Registry.with_wording`` checks the items
    (every item, nothing extra, plain text)."""
    import yaml

    def refuse(message: str) -> OutcomesRefused:
        return OutcomesRefused(message, field="file")

    if not content.strip():
        raise refuse("The file is empty. Choose the wording file for this measure")
    if len(content) > MAX_WORDING_FILE_BYTES:
        raise refuse(f"The file must be smaller than {MAX_WORDING_FILE_BYTES // 1024} KB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("The file must be saved as UTF-8 text") from None
    if "\x00" in text:
        raise refuse("The file must be text, not a binary file")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise refuse(f"The file is not valid YAML{where}. Check the example below") from None
    if not isinstance(document, dict):
        raise refuse("The file must have a 'wording:' section that maps each item id to its text")
    extra = sorted(str(key) for key in document if key not in _WORDING_FILE_KEYS)
    if extra:
        raise refuse(f"The file has sections we do not use: {', '.join(extra)}. Remove them")
    if "measure" in document and document["measure"] != measure.id:
        raise refuse(f"The file is for {document['measure']!r}, not {measure.id!r}")
    if "version" in document and str(document["version"]) != measure.version:
        raise refuse(
            f"The file is for version {document['version']!r}; the measure here is version "
            f"{measure.version!r}"
        )
    wording = document.get("wording")
    if not isinstance(wording, dict) or not wording:
        raise refuse("The file must have a 'wording:' section that maps each item id to its text")
    not_text = sorted(str(key) for key, value in wording.items() if not isinstance(value, str))
    if not_text or not all(isinstance(key, str) for key in wording):
        raise refuse(
            f"Each item's wording must be text in quotes ({', '.join(not_text) or 'item ids'})"
        )
    return {str(key): value for key, value in wording.items()}


@transaction.atomic
def load_wording(
    *,
    actor: User,
    measure_id: str,
    content: bytes,
    file_name: str,
    licence_reference: str,
    request: HttpRequest | None = None,
) -> Any:
    """Load the area's licensed wording for the newest shipped version of a measure whose wording
    is not open. Refused (nothing saved) unless it gives plain text for every item and nothing
    else. Any wording in force for that version is withdrawn; the load is recorded and audited."""
    from outcomes.measures import wording_measures
    from outcomes.models import AreaWording
    from rules.outcomes import WordingOverlayError, default_registry

    access.require(
        access.can_manage_wording(actor),
        "Only the area's coordinators and administrators can load licensed wording.",
    )
    measure = next((m for m in wording_measures() if m.id == measure_id), None)
    if measure is None:
        raise OutcomesRefused("Choose a measure whose wording is licensed", field="measure")
    reference = " ".join(licence_reference.split())
    if not reference:
        raise OutcomesRefused(
            "Enter the licence or registration reference the area holds", field="licence_reference"
        )
    wording = parse_wording_file(content, measure)
    try:
        overlaid = default_registry().with_wording(
            measure.id, wording, licence_note=reference, version=measure.version
        )
    except WordingOverlayError as error:
        names = {item.id: item.topic for item in measure.items}
        detail = "; ".join(
            f"{item_id} ({names[item_id]}): {message}"
            if item_id in names
            else f"{item_id}: {message}"
            for item_id, message in error.problems
        )
        raise OutcomesRefused(
            f"The wording does not fit {measure.name}: {detail}", field="file"
        ) from None
    checked = {item.id: item.wording for item in overlaid.get(measure.id, measure.version).items}
    now = timezone.now()
    for old in AreaWording.objects.select_for_update().filter(
        measure_id=measure.id, measure_version=measure.version, withdrawn_at__isnull=True
    ):
        old.withdrawn_at, old.withdrawn_by = now, actor
        old.save(update_fields=["withdrawn_at", "withdrawn_by"])
    loaded = AreaWording.objects.create(
        measure_id=measure.id,
        measure_version=measure.version,
        wording=checked,
        licence_reference=reference,
        file_name=" ".join(file_name.split())[:255],
        loaded_by=actor,
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=loaded,
        summary=f"Loaded licensed wording for {measure.name} {measure.version} "
        f"(licence: {reference})",
        request=request,
    )
    return loaded


@transaction.atomic
def withdraw_wording(*, actor: User, wording: Any, request: HttpRequest | None = None) -> None:
    """Stop showing a loaded wording (the measure shows its topics and notice again)."""
    access.require(
        access.can_manage_wording(actor),
        "Only the area's coordinators and administrators can withdraw licensed wording.",
    )
    if wording.withdrawn_at is None:
        wording.withdrawn_at, wording.withdrawn_by = timezone.now(), actor
        wording.save(update_fields=["withdrawn_at", "withdrawn_by"])
        record_audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=wording,
            summary=f"Withdrew the licensed wording for {wording.measure_id} "
            f"{wording.measure_version}",
            request=request,
        )
