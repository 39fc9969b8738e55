"""The service page shows the social prescribing referral terms the provider gave link workers
(``connect``): taking referrals yes / no / not known, and the typical wait or "Not known"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from connect.models import ServiceReferralTerms
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def _terms(client: Client, service_id: str) -> tuple[str, str]:
    html = client.get(reverse("directory:service", args=[service_id])).content.decode()
    found = dict(
        re.findall(
            r'<dt class="govuk-summary-list__key">(Taking referrals|Typical wait)</dt>'
            r'<dd class="govuk-summary-list__value">([^<]*)</dd>',
            html,
        )
    )
    return found["Taking referrals"], found["Typical wait"]


def test_nothing_said_is_not_known(client: Client) -> None:
    svc = f.service()
    assert _terms(client, svc.pk) == ("Not known", "Not known")


@pytest.mark.parametrize(
    ("takes", "wait", "shown"),
    [
        (True, 14, ("Yes", "14 days")),
        (True, 1, ("Yes", "1 day")),
        (True, 0, ("Yes", "0 days")),
        (True, None, ("Yes", "Not known")),
        (False, None, ("No", "Not known")),
    ],
)
def test_the_terms_the_provider_gave(
    client: Client, takes: bool, wait: int | None, shown: tuple[str, str]
) -> None:
    svc = f.service()
    ServiceReferralTerms.objects.create(
        service_id=svc.pk, takes_referrals=takes, typical_wait_days=wait
    )
    assert _terms(client, svc.pk) == shown
