"""Issue 11's route fuzzer over the outcomes pages: nasty ids, query values and form fields, as
anonymous and as each role; no response may be a 500. Reuses ``wellbeing_hub.tests`` (the data
set, the crawl and the sweep) and runs only the outcomes group."""

from __future__ import annotations

from wellbeing_hub.tests import test_fuzz_routes as base


class FuzzOutcomes(base.FuzzRoutes):
    # Only this app's sweep here; the other apps' sweeps run in wellbeing_hub/tests.
    test_root = test_accounts = test_directory = test_oruk_api = None
    test_budgets = test_timebank = test_participation = test_admin = None

    def test_outcomes(self) -> None:
        self.sweep("outcomes")
