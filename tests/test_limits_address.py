"""Which address a rate limit counts (dailypapers/core/ratelimits.py client_ip)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from dailypapers.core.ratelimits import _key, client_ip


def request(remote="192.0.2.1", forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    made = RequestFactory().post("/subscribe", REMOTE_ADDR=remote, **headers)
    made.user = AnonymousUser()
    return made


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(request(forwarded="203.0.113.5")) == "192.0.2.1"


@pytest.mark.parametrize(
    "forwarded, counted",
    [
        ("203.0.113.5", "203.0.113.5"),
        ("10.0.0.1, 203.0.113.5", "203.0.113.5"),  # a hop the client wrote: ignored
        ("10.0.0.1,203.0.113.5 ", "203.0.113.5"),
        ("2001:db8::1", "2001:db8::1"),
        ("", "192.0.2.1"),  # no header: the proxy's own address
        ("203.0.113.5, not-an-address", "192.0.2.1"),  # a broken proxy: its own address
    ],
)
def test_behind_a_proxy_the_last_forwarded_address_counts(settings, forwarded, counted):
    settings.BEHIND_PROXY = True
    assert client_ip(request(forwarded=forwarded)) == counted


def test_an_ipv6_subscriber_counts_as_one_address_per_64(settings):
    settings.BEHIND_PROXY = False
    assert _key("vote", request("2001:db8:1:2::1")) == _key("vote", request("2001:db8:1:2:ffff::9"))
    assert _key("vote", request("2001:db8:1:2::1")) != _key("vote", request("2001:db8:1:3::1"))
