"""
Following by email cannot be turned into a mail bomb: one client address
asks only so often, and one email address gets only so many confirmations a
day, however many targets and client addresses name it.
"""

import pytest
from django.core import mail
from django.urls import reverse

from core import ratelimit
from public.models import Follow
from tests.factories import JurisdictionFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


@pytest.fixture
def targets():
    return [JurisdictionFactory() for _ in range(8)]


@pytest.fixture
def follow(client, django_capture_on_commit_callbacks):
    def post(email, target, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("public:follow"), {"email": email, "jurisdiction": target.pk}, **extra
            )

    return post


def _sent_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def _assert_refused(response, words):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 86400
    body = response.content.decode()
    assert words in body and "Try again in" in body


def test_the_fourth_request_from_one_address_in_a_minute_is_refused(follow, targets, settings):
    settings.SCOMM_FOLLOW_RATE_PER_CLIENT = "3/minute"
    answers = [follow("victim@example.org", t, REMOTE_ADDR="192.0.2.10") for t in targets[:4]]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    _assert_refused(answers[3], "Too many requests to follow from your address")
    assert int(answers[3]["Retry-After"]) <= 60
    assert Follow.objects.count() == 3  # the refused request saved nothing
    assert len(_sent_to("victim@example.org")) == 3
    # Another client address is counted apart.
    assert follow("ana@example.org", targets[4], REMOTE_ADDR="192.0.2.11").status_code == 200


def test_one_email_address_gets_at_most_n_confirmations_a_day_from_many_addresses(
    follow, targets, settings
):
    settings.SCOMM_FOLLOW_CONFIRMATIONS_PER_DAY = 5
    answers = [
        follow(email, t, REMOTE_ADDR=f"198.51.100.{i + 1}")
        for i, (email, t) in enumerate(
            zip(["victim@example.org", "VICTIM@example.org"] * 4, targets, strict=True)
        )
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    _assert_refused(answers[5], "as many confirmation emails as it may get in a day")
    assert len(mail.outbox) == 5
    assert Follow.objects.count() == 5  # no follow is left waiting without its email
    # Someone else still gets their confirmation.
    assert follow("ana@example.org", targets[7], REMOTE_ADDR="198.51.100.99").status_code == 200
    assert len(_sent_to("ana@example.org")) == 1


def test_one_email_address_is_named_in_so_many_requests_at_most(follow, targets, settings):
    settings.SCOMM_FOLLOW_RATE_PER_EMAIL = "2/hour"
    settings.SCOMM_FOLLOW_CONFIRMATIONS_PER_DAY = 0  # no limit: this one is counted alone
    answers = [
        follow("victim@example.org", t, REMOTE_ADDR=f"203.0.113.{i + 1}")
        for i, t in enumerate(targets[:3])
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    _assert_refused(answers[2], "named in many requests to follow")
    assert Follow.objects.count() == 2


def test_behind_a_proxy_each_client_is_counted_apart_and_forged_addresses_do_not_help(
    follow, targets, settings
):
    settings.SCOMM_PROXY_COUNT = 1
    settings.SCOMM_FOLLOW_RATE_PER_CLIENT = "3/minute"
    attacker = "203.0.113.66"
    answers = [
        follow(
            f"v{i}@example.org",
            t,
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, {attacker}",
        )
        for i, t in enumerate(targets[:4])
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    # Every client comes from the proxy's address; the others are not held back.
    for i, t in enumerate(targets[4:7]):
        answer = follow(
            "ana@example.org", t, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        )
        assert answer.status_code == 200


def test_a_cache_that_is_down_does_not_stop_following(follow, targets, monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("Redis is down")

            return fail

    monkeypatch.setattr(ratelimit, "_cache", lambda: Down())
    answers = [follow("ana@example.org", t, REMOTE_ADDR="192.0.2.10") for t in targets[:5]]
    assert [a.status_code for a in answers] == [200] * 5
    assert len(mail.outbox) == 5


def test_a_refused_follow_costs_the_database_next_to_nothing(
    follow, targets, settings, django_assert_max_num_queries
):
    settings.SCOMM_FOLLOW_RATE_PER_CLIENT = "1/minute"
    assert follow("ana@example.org", targets[0]).status_code == 200
    for target in targets[1:4]:
        # Reading the target for the page's heading, nothing else.
        with django_assert_max_num_queries(1):
            assert follow("ana@example.org", target).status_code == 429
