"""Issue 11: bad input gets a clear 4xx, never a 500. Every route of the project, as anonymous and
as each role, with nasty path ids, query parameters, form fields and JSON bodies; no response may
be 500 or more and no exception may leave a view. See ``fuzz_support`` for what is sent.

One test per app (URL namespace), so a failure list reads per app. Each test collects every
failure of its routes before failing, one line per distinct finding:
``METHOD path as role [parameter='value'] -> Exception: message at app/file.py:line in function``.

While an app still has known 500s its test is ``xfail(strict=False)`` with the list in the reason
(``KNOWN_500S``); the lead removes the entry once the app is fixed. The test still runs.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from django.core.cache import cache
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wellbeing_hub.tests import fuzz_support as fz

# Known 500s per app at the time of writing (issue 11). Remove an app's entry once it is fixed.
KNOWN_500S: dict[str, str] = {}


def known(group: str) -> Callable[[Any], Any]:
    reason = KNOWN_500S.get(group)
    if reason is None:
        return lambda test: test
    return pytest.mark.xfail(strict=False, reason=f"known 500s (issue 11): {reason}")


_STATE: dict[str, fz.Fuzzer] = {}

NASTY_TEXT = st.one_of(
    st.sampled_from(fz.NASTY),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | NASTY_TEXT.filter(lambda s: len(s) < 1000),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
EXCHANGE_KEYS = (
    "idempotency_key",
    "giver",
    "receiver",
    "minutes",
    "start",
    "description",
    "request",
    "confirm",
)
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=30,
    suppress_health_check=list(HealthCheck),
)


class FuzzRoutes(TestCase):
    """Shares one data set (``setUpTestData``) and one crawl across the per-app tests."""

    _request_logger_level: ClassVar[int]

    @classmethod
    def setUpTestData(cls) -> None:
        started = time.perf_counter()
        dataset = fz.build_dataset()
        fuzzer = fz.Fuzzer(dataset, fz.routes())
        built = time.perf_counter()
        fuzzer.crawl()
        if os.environ.get("FUZZ_VERBOSE"):
            print(
                f"data {built - started:.1f}s, crawl {time.perf_counter() - built:.1f}s "
                f"({fuzzer.requests} requests), API tokens for {sorted(dataset.tokens)}"
            )
        _STATE["fuzzer"] = fuzzer
        cache.clear()

    @classmethod
    def setUpClass(cls) -> None:
        # Every 4xx would be logged as a warning: thousands of lines.
        cls._request_logger_level = logging.getLogger("django.request").level
        logging.getLogger("django.request").setLevel(logging.CRITICAL)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        logging.getLogger("django.request").setLevel(cls._request_logger_level)
        _STATE.clear()

    def setUp(self) -> None:
        self.fuzzer = _STATE["fuzzer"]
        self.fuzzer.clients.clear()  # sessions made in another test were rolled back
        self.fuzzer.failures = []

    def tearDown(self) -> None:
        cache.clear()  # the sign-in throttle counts the fuzzer's attempts

    # --- the sweep ---------------------------------------------------------------------------

    def sweep(self, group: str) -> None:
        fuzzer = self.fuzzer
        mine = [r for r in fuzzer.routes if r.group == group]
        self.assertTrue(mine, f"no routes in {group}")
        verbose = os.environ.get("FUZZ_VERBOSE")
        for route in mine:
            started, before = time.perf_counter(), fuzzer.requests
            fuzzer.fuzz_route(route)
            if verbose:
                print(
                    f"{route.name}: {fuzzer.requests - before} requests "
                    f"{time.perf_counter() - started:.2f}s {fuzzer.last}"
                )
        started, before = time.perf_counter(), fuzzer.requests
        self.random_queries(group, mine)
        if verbose:
            print(f"hypothesis: {fuzzer.requests - before} {time.perf_counter() - started:.2f}s")
        if fuzzer.failures:
            pytest.fail(fz.summarise(fuzzer.failures), pytrace=False)

    def random_queries(self, group: str, mine: list[fz.Route]) -> None:
        """Hypothesis (derandomised): the forms and query keys the sweep found, one or two
        fields at a time with values drawn from the nasty list, random text, numbers and dates
        (the other fields as the page filled them); and random keys and path values."""
        fuzzer = self.fuzzer
        targets = [t for t in fuzzer.targets if t.group == group and t.names]
        keys = st.sampled_from(fz.ADMIN_GET_KEYS if group == "admin" else fz.GET_KEYS)
        roles = st.just("administrator") if group == "admin" else st.sampled_from(fz.ROLES)

        @settings(SETTINGS, max_examples=40)
        @given(data=st.data())
        def fields(data: st.DataObject) -> None:
            target = data.draw(st.sampled_from(targets))
            chosen = data.draw(
                st.lists(st.sampled_from(target.names), min_size=1, max_size=2, unique=True)
            )
            values = {name: data.draw(NASTY_TEXT) for name in chosen}
            form: dict[str, Any] = {k: list(v) for k, v in target.base} | values
            shown = json.dumps(values, ensure_ascii=True)[:120]
            fuzzer.send(
                group,
                target.role,
                target.method,
                target.path,
                parameter="*hypothesis",
                value=shown,
                data=form,
            )

        @settings(SETTINGS, max_examples=20)
        @given(
            route=st.sampled_from(mine),
            role=roles,
            query=st.dictionaries(keys | st.text(max_size=6), NASTY_TEXT, max_size=4),
            path_value=st.one_of(st.none(), NASTY_TEXT.filter(lambda s: s != "")),
        )
        def anything(
            route: fz.Route, role: str, query: dict[str, str], path_value: str | None
        ) -> None:
            kwargs = dict(fuzzer.real_kwargs(route, role))
            if path_value is not None and route.params:
                kwargs[route.params[0][0]] = urllib.parse.quote(path_value, safe="")
            shown = json.dumps(query, ensure_ascii=True)[:120]
            fuzzer.send(
                group,
                role,
                "GET",
                route.path(kwargs),
                parameter="*hypothesis",
                value=shown,
                data=query,
            )

        if targets:
            fields()
        anything()

    # --- one test per app --------------------------------------------------------------------

    @known("root")
    def test_root(self) -> None:
        self.sweep("root")

    @known("accounts")
    def test_accounts(self) -> None:
        self.sweep("accounts")

    @known("directory")
    def test_directory(self) -> None:
        self.sweep("directory")

    @known("oruk-api")
    def test_oruk_api(self) -> None:
        self.sweep("oruk-api")

    @known("budgets")
    def test_budgets(self) -> None:
        self.sweep("budgets")

    @known("timebank")
    def test_timebank(self) -> None:
        fuzzer = self.fuzzer
        for name in ("timebank:api-exchanges", "timebank:api-exchange-confirm"):
            fuzzer.fuzz_json(fuzzer.by_name[name], fz.json_bodies(), fz.raw_json_bodies())
        self.random_json()
        self.sweep("timebank")

    @known("participation")
    def test_participation(self) -> None:
        self.sweep("participation")

    @known("admin")
    def test_admin(self) -> None:
        self.sweep("admin")

    @known("session")
    def test_session(self) -> None:
        self.sweep("session")

    @known("evidence")
    def test_evidence(self) -> None:
        self.sweep("evidence")

    @known("voice")
    def test_voice(self) -> None:
        self.sweep("voice")

    @known("connect")
    def test_connect(self) -> None:
        self.sweep("connect")

    @known("sharedlives")
    def test_sharedlives(self) -> None:
        self.sweep("sharedlives")

    @known("befriending")
    def test_befriending(self) -> None:
        self.sweep("befriending")

    def random_json(self) -> None:
        """Hypothesis (derandomised): exchange bodies with the real keys and nasty values."""
        fuzzer = self.fuzzer
        route = fuzzer.by_name["timebank:api-exchanges"]
        token = fuzzer.dataset.tokens["coordinator"]

        @SETTINGS
        @given(
            body=st.dictionaries(st.sampled_from(EXCHANGE_KEYS), JSON_VALUES, max_size=8)
            | JSON_VALUES
        )
        def run(body: Any) -> None:
            encoded = json.dumps(body).encode()
            fuzzer.send(
                "timebank",
                "coordinator",
                "POST",
                route.template,
                parameter="*hypothesis-json",
                value=encoded[:80].decode("utf-8", "replace"),
                data=encoded,
                content_type="application/json",
                extra={"HTTP_AUTHORIZATION": f"Bearer {token}"},
            )

        run()


# Apps whose routes are swept by their own fuzz tests rather than here.
SWEPT_ELSEWHERE = {"outcomes": "outcomes/tests/test_fuzz.py"}


def test_every_route_is_covered() -> None:
    """The walk finds every app's routes, and every group of routes has a sweep here (or in the
    app's own fuzz test), so a new app cannot go unfuzzed."""
    groups = {route.group for route in fz.routes()}
    swept = {
        name.removeprefix("test_").replace("_", "-")
        for name in vars(FuzzRoutes)
        if name.startswith("test_")
    }
    assert {"root", "accounts", "directory", "oruk-api", "budgets", "admin"} <= groups
    assert groups - swept - set(SWEPT_ELSEWHERE) == set()


@pytest.mark.django_db
def test_the_fuzzer_reports_an_exception_with_its_request_and_frame() -> None:
    """The harness itself: a view that int()s a query value is caught, with the request that
    broke it and the project frame where it broke."""
    from django.test import override_settings

    with override_settings(ROOT_URLCONF="wellbeing_hub.tests.fuzz_support"):
        routes = fz.routes()
        fuzzer = fz.Fuzzer(fz.Dataset(users={}, tokens={}), routes)
        fuzzer.real["broken"] = {"*": {"thing": "x"}}
        fuzzer.fuzz_route(fuzzer.by_name["broken"])
    assert routes[0].template == "/broken/{thing}/"
    report = fz.summarise(fuzzer.failures)
    assert fuzzer.failures and {f.path.split("/")[1] for f in fuzzer.failures} == {"broken"}
    assert "GET /broken/x/ as anonymous [n=" in report
    assert "ValueError: invalid literal for int()" in report
    assert "wellbeing_hub/tests/fuzz_support.py" in report and "in _broken_view" in report
