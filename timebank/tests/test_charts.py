"""The time bank's report draws its charts with the shared bar chart (no copy of its own)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


def test_report_charts_use_the_shared_include(client: Client) -> None:
    a, b = tb.member(), tb.member()
    tb.exchange(a, b, 90)
    client.force_login(tb.coordinator())
    html = client.get(reverse("timebank:reports")).content.decode()
    assert 'aria-labelledby="chart-months-title chart-months-desc"' in html
    # The shared include's value column heading, and the time shown beside the bar.
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Time</th>' in html
    )
    assert html.count("1 hour 30 minutes") >= 2


def test_an_empty_period_says_so(client: Client) -> None:
    client.force_login(tb.coordinator())
    html = client.get(reverse("timebank:reports")).content.decode()
    assert "No exchanges in this period." in html


def test_no_copy_of_the_chart_is_left_in_the_time_bank() -> None:
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    from timebank import views
    from wellbeing_hub.charts import bar_chart

    assert views._bars([("March", 90)]) == bar_chart([("March", 90, "1 hour 30 minutes")])
    with pytest.raises(TemplateDoesNotExist):
        get_template("timebank/includes/bar_chart.html")
