"""Shared builders for the RAS tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent.parent / "data"


def v1_document() -> dict[str, Any]:
    """A fresh, editable copy of the v1 configuration document."""
    with (DATA / "illustrative-ras-v1.yaml").open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    return copy.deepcopy(document)


def worked_example() -> dict[str, Any]:
    example = v1_document()["worked_example_illustrative"]
    return {
        "answers": example["answers"],
        "informal_support": example["informal_support"],
        "carer": example["carer"],
    }


def all_a() -> dict[str, Any]:
    return {"answers": {domain["id"]: "A" for domain in v1_document()["domains"]}}
