"""
Behind a proxy, the sign-in lockout counts the client's address, not the
proxy's: an attacker locks out only themself, never the real user elsewhere.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ATTACKER = "203.0.113.66"
USER = "198.51.100.7"


@pytest.fixture
def behind_one_proxy(settings):
    settings.SCOMM_PROXY_COUNT = 1


def _sign_in(client, username, password, forwarded):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_the_attacker_is_locked_out_and_the_real_user_signs_in_from_elsewhere(
    behind_one_proxy, client
):
    user = UserFactory(username="sf-counsel")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "sf-counsel", "wrong", ATTACKER)
    assert _sign_in(client, "sf-counsel", PASSWORD, ATTACKER).status_code == 429
    response = _sign_in(client, "sf-counsel", PASSWORD, USER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_made_up_addresses_in_front_of_the_proxys_do_not_dodge_the_lockout(
    behind_one_proxy, client
):
    UserFactory(username="sf-counsel")
    for i in range(settings.AXES_FAILURE_LIMIT):
        # The client writes a new address each time; the proxy appends the real one.
        _sign_in(client, "sf-counsel", "wrong", f"192.0.2.{i + 1}, {ATTACKER}")
    response = _sign_in(client, "sf-counsel", PASSWORD, f"192.0.2.200, {ATTACKER}")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_without_a_proxy_a_forged_header_is_ignored(client, settings):
    settings.SCOMM_PROXY_COUNT = 0
    UserFactory(username="sf-counsel")
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "sf-counsel", "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}",
        )
    response = client.post(
        reverse("login"),
        {"username": "sf-counsel", "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429
