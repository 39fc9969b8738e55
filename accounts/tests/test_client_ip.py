"""The client's address behind a reverse proxy (issue 11): taken from the configured header, the
address TRUSTED_PROXY_COUNT places from the right (so a client's own header cannot spoof it),
validated, and REMOTE_ADDR otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.services import client_ip
from directory.tests import factories as f

rf = RequestFactory()


def _ip(header: str | None = None, remote: str = "10.0.0.1") -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if header is not None:
        extra["HTTP_X_FORWARDED_FOR"] = header
    return client_ip(rf.get("/", **extra))  # type: ignore[arg-type]


@override_settings(CLIENT_IP_HEADER="")
def test_without_a_header_setting_the_header_is_ignored() -> None:
    assert _ip("203.0.113.9") == "10.0.0.1"


@override_settings(CLIENT_IP_HEADER="X-Forwarded-For", TRUSTED_PROXY_COUNT=1)
def test_one_proxy_the_rightmost_address_is_the_client() -> None:
    assert _ip("203.0.113.9") == "203.0.113.9"
    # A client that sends its own header cannot choose its address: our proxy appends the real one.
    assert _ip("198.51.100.1, 203.0.113.9") == "203.0.113.9"
    assert _ip("1.1.1.1,2.2.2.2,  203.0.113.9 ") == "203.0.113.9"


@override_settings(CLIENT_IP_HEADER="X-Forwarded-For", TRUSTED_PROXY_COUNT=2)
def test_two_proxies_the_second_from_the_right() -> None:
    # client -> CDN (appends client) -> load balancer (appends CDN) -> app
    assert _ip("203.0.113.9, 192.0.2.50") == "203.0.113.9"
    assert _ip("6.6.6.6, 203.0.113.9, 192.0.2.50") == "203.0.113.9"
    # Fewer entries than proxies: the header did not come through both; do not trust it.
    assert _ip("203.0.113.9") == "10.0.0.1"


@override_settings(CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR", TRUSTED_PROXY_COUNT=1)
def test_the_header_may_be_named_as_in_request_meta() -> None:
    assert _ip("203.0.113.9") == "203.0.113.9"


@override_settings(CLIENT_IP_HEADER="X-Forwarded-For", TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(
    "header",
    [
        "",
        " ",
        "203.0.113.9,",
        "not-an-address",
        "203.0.113.9:443",
        "999.1.1.1",
        "fe80::1%eth0",
        "<script>",
        "203.0.113.9 198.51.100.1",
    ],
)
def test_a_malformed_header_falls_back_to_remote_addr(header: str) -> None:
    assert _ip(header) == "10.0.0.1"


@override_settings(CLIENT_IP_HEADER="X-Forwarded-For", TRUSTED_PROXY_COUNT=1)
def test_ipv6_is_accepted_and_normalised() -> None:
    assert _ip("2001:DB8:0:0::1") == "2001:db8::1"
    assert _ip("[2001:db8::1]") == "2001:db8::1"


@override_settings(CLIENT_IP_HEADER="X-Forwarded-For", TRUSTED_PROXY_COUNT=0)
def test_no_trusted_proxy_means_the_header_is_not_trusted() -> None:
    assert _ip("203.0.113.9") == "10.0.0.1"


def test_a_missing_or_bad_remote_addr_is_no_address() -> None:
    assert _ip(remote="") is None
    assert _ip(remote="unix:/run/app.sock") is None
    assert client_ip(None) is None


@pytest.mark.django_db
@override_settings(
    CLIENT_IP_HEADER="X-Forwarded-For",
    TRUSTED_PROXY_COUNT=1,
    LOGIN_FAILURE_LIMIT=100,
    LOGIN_ADDRESS_FAILURE_LIMIT=2,
)
def test_behind_a_proxy_one_address_is_locked_not_everyone() -> None:
    """Every request reaches the app from the proxy's REMOTE_ADDR; locking on it would lock out
    everyone. The address lock follows the client's address from the header instead."""
    f.user(username="kim")
    proxy: dict[str, Any] = {"REMOTE_ADDR": "10.0.0.1"}
    url = reverse("accounts:sign-in")
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    for name in ("x1", "x2"):
        attacker.post(url, {"username": name, "password": "wrong"})
    assert attacker.post(url, {"username": "x3", "password": "wrong"}).status_code == 429
    # Spoofing a header does not get the attacker a fresh address.
    spoofed = Client(HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.66", **proxy)
    assert spoofed.post(url, {"username": "x4", "password": "wrong"}).status_code == 429
    # Someone else behind the same proxy signs in.
    other = Client(HTTP_X_FORWARDED_FOR="198.51.100.23", **proxy)
    response = other.post(url, {"username": "kim", "password": "a-long-test-password"})
    assert response.status_code == 302
    # And the audit trail records the client's address, not the proxy's.
    assert set(AuditEvent.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.66",
        "198.51.100.23",
    }
