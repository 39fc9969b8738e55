"""Migration 0008: personal budgets, direct payments and time credits become yes / no / not known.
The demo area's answers (its generator sets every fact) are kept; elsewhere a "no" that only ever
meant "nobody said" becomes not known, and the search rows stop calling a service with no cost
options free."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("directory", "0007_bounded_text_and_one_line_names")]
AFTER = [("directory", "0008_honest_facts_and_imports")]


def _migrate(targets: list[tuple[str, str]]) -> StateApps:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_demo_keeps_its_answers_and_other_nos_become_not_known() -> None:
    apps = _migrate(BEFORE)
    Organization = apps.get_model("directory", "Organization")
    Identifier = apps.get_model("directory", "OrganizationIdentifier")
    Service = apps.get_model("directory", "Service")
    SearchEntry = apps.get_model("directory", "SearchEntry")
    CostOption = apps.get_model("directory", "CostOption")
    demo = Organization.objects.create(id="demo", name="Demo org", description="d")
    Identifier.objects.create(
        id="i",
        organization=demo,
        identifier_scheme="wellbeing-hub-demo",
        identifier_type="demo",
        identifier="1",
    )
    feed = Organization.objects.create(id="feed", name="Feed org", description="d")
    Service.objects.create(id="d1", organization=demo, name="Demo no", accepts_time_credits=False)
    Service.objects.create(id="f1", organization=feed, name="Feed no", accepts_time_credits=False)
    Service.objects.create(
        id="f2", organization=feed, name="Feed yes", accepts_personal_budgets=True
    )
    CostOption.objects.create(id="c", service_id="f2", amount=0)
    document = json.dumps({"id": "f1", "x_accepts_time_credits": False})
    SearchEntry.objects.create(service_id="f1", name="Feed no", tags=" free ", document=document)
    SearchEntry.objects.create(service_id="f2", name="Feed yes", tags=" pb free ", document="{}")

    apps = _migrate(AFTER)
    Service = apps.get_model("directory", "Service")
    SearchEntry = apps.get_model("directory", "SearchEntry")
    assert Service.objects.get(pk="d1").accepts_time_credits is False  # the demo said no
    assert Service.objects.get(pk="f1").accepts_time_credits is None  # nobody said
    assert Service.objects.get(pk="f1").accepts_personal_budgets is None
    assert Service.objects.get(pk="f2").accepts_personal_budgets is True
    assert SearchEntry.objects.get(pk="f1").tags.split() == []  # no cost given: not free
    assert "x_accepts_time_credits" not in json.loads(SearchEntry.objects.get(pk="f1").document)
    assert SearchEntry.objects.get(pk="f2").tags.split() == ["pb", "free"]  # said 0: free
