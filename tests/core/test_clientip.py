import pytest
from django.test import RequestFactory

from core.clientip import client_ip, client_key


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_with_no_proxy_the_header_is_ignored(settings):
    settings.SCOMM_PROXY_COUNT = 0
    assert client_ip(_request("192.0.2.10", "203.0.113.5")) == "192.0.2.10"


def test_behind_one_proxy_the_client_is_the_address_the_proxy_appended(settings):
    settings.SCOMM_PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.1", "203.0.113.5")) == "203.0.113.5"


@pytest.mark.parametrize(
    "forwarded",
    ["198.51.100.99, 203.0.113.5", "1.1.1.1,2.2.2.2, 203.0.113.5", "not-an-ip, 203.0.113.5"],
)
def test_made_up_addresses_left_of_the_proxys_are_never_read(settings, forwarded):
    settings.SCOMM_PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.1", forwarded)) == "203.0.113.5"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    settings.SCOMM_PROXY_COUNT = 2
    # The client wrote 6.6.6.6; the outer proxy appended the client, the inner one the outer proxy.
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.1")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", [None, "", " , "])
def test_a_request_that_did_not_come_through_every_proxy_is_its_remote_address(settings, forwarded):
    settings.SCOMM_PROXY_COUNT = 2 if forwarded is None else 1
    assert client_ip(_request("192.0.2.10", forwarded)) == "192.0.2.10"
    settings.SCOMM_PROXY_COUNT = 2
    assert client_ip(_request("192.0.2.10", "203.0.113.5")) == "192.0.2.10"


def test_a_value_that_is_no_address_falls_back_to_the_remote_address(settings):
    settings.SCOMM_PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.1", "203.0.113.5, <script>")) == "10.0.0.1"


def test_ports_are_dropped_and_ipv6_is_written_one_way(settings):
    settings.SCOMM_PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.1", "203.0.113.5:51234")) == "203.0.113.5"
    assert client_ip(_request("10.0.0.1", "[2001:DB8:0::1]:443")) == "2001:db8::1"
    assert client_ip(_request("10.0.0.1", "2001:db8:0:0::1")) == "2001:db8::1"


def test_limits_count_an_ipv6_client_by_its_64_network(settings):
    settings.SCOMM_PROXY_COUNT = 0
    one = client_key(_request("2001:db8:1:2::1"))
    other = client_key(_request("2001:db8:1:2:ffff::9"))
    assert one == other == "2001:db8:1:2::/64"
    assert client_key(_request("2001:db8:1:3::1")) != one
    assert client_key(_request("::ffff:192.0.2.7")) == "192.0.2.7"
    assert client_key(_request("192.0.2.7")) == "192.0.2.7"
