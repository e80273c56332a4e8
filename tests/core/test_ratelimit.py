import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from core import ratelimit
from core.ratelimit import AnonymousBodyMiddleware, Rate, hit, in_words, parse_rate

MINUTE = Rate(3, 60)
T0 = 1_700_000_040.0  # the start of a minute: 1_700_000_040 is a multiple of 60


def test_rates_are_read_from_their_setting():
    assert parse_rate("3/minute") == Rate(3, 60)
    assert parse_rate("120/m") == Rate(120, 60)
    assert parse_rate("5/day") == Rate(5, 86400)
    assert parse_rate("") is None and parse_rate(None) is None
    for wrong in ("3", "three/minute", "3/fortnight", "0/minute"):
        with pytest.raises(ImproperlyConfigured):
            parse_rate(wrong)


def test_the_fourth_request_in_a_minute_is_refused_and_told_when_to_come_back():
    assert [hit("t", "a", MINUTE, now=T0 + i).allowed for i in range(3)] == [True] * 3
    refused = hit("t", "a", MINUTE, now=T0 + 3)
    assert not refused.allowed
    # The first request leaves the window a minute after its bucket began.
    assert refused.retry_after == 57
    # Another address is counted apart.
    assert hit("t", "b", MINUTE, now=T0 + 3).allowed


def test_a_refused_request_is_not_counted_so_retry_after_is_true():
    for i in range(3):
        hit("t", "a", MINUTE, now=T0 + 20 + i)
    waits = [hit("t", "a", MINUTE, now=T0 + 30 + i).retry_after for i in range(5)]
    assert all(0 < wait <= 60 for wait in waits)
    first = waits[0]
    assert not hit("t", "a", MINUTE, now=T0 + 30 + first - 1).allowed
    assert hit("t", "a", MINUTE, now=T0 + 30 + first).allowed


def test_a_burst_at_the_turn_of_a_minute_is_not_let_through_twice():
    for i in range(3):
        assert hit("t", "a", MINUTE, now=T0 + 59.7 + i / 10).allowed
    assert not hit("t", "a", MINUTE, now=T0 + 60.1).allowed
    assert not hit("t", "a", MINUTE, now=T0 + 100).allowed
    # A request counts for one minute at most.
    assert hit("t", "a", MINUTE, now=T0 + 120).allowed


def test_no_rate_means_no_limit():
    assert all(hit("t", "a", None).allowed for _ in range(50))


@pytest.mark.parametrize(
    "seconds, words",
    [
        (1, "1 second"),
        (40, "40 seconds"),
        (89, "89 seconds"),
        (90, "2 minutes"),
        (3599, "60 minutes"),
        (5400, "2 hours"),
        (86400, "24 hours"),
    ],
)
def test_when_to_come_back_in_words(seconds, words):
    assert in_words(seconds) == words


def test_a_cache_that_is_down_lets_requests_through(monkeypatch, caplog):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

            return fail

    monkeypatch.setattr(ratelimit, "_cache", lambda: Down())
    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        assert all(hit("t", "a", MINUTE, now=T0).allowed for _ in range(10))
    assert "request allowed" in caplog.text


def _hits_in_another_process(count: int, rate: str) -> subprocess.Popen:
    """Another web process: the same settings and cache, its own memory."""
    code = (
        "import django; django.setup()\n"
        "from core import ratelimit\n"
        f"ratelimit.NAMESPACE = {ratelimit.NAMESPACE!r}\n"
        f"rate = ratelimit.parse_rate({rate!r})\n"
        f"print(sum(ratelimit.hit('t', 'a', rate).allowed for _ in range({count})))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scomm.settings",
        "REDIS_URL": settings.REDIS_URL,
    }
    limits = settings.CACHES.get("limits")
    if limits:
        env["SCOMM_LIMITS_DIR"] = str(limits["LOCATION"])
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_every_process_counts_in_the_same_place():
    other = _hits_in_another_process(2, "3/hour")
    assert other.communicate(timeout=60)[0].strip() == "2"
    assert hit("t", "a", Rate(3, 3600)).allowed
    assert not hit("t", "a", Rate(3, 3600)).allowed


def test_processes_counting_at_once_let_through_exactly_the_limit():
    processes = [_hits_in_another_process(40, "50/hour") for _ in range(2)]
    allowed = [int(p.communicate(timeout=120)[0]) for p in processes]
    assert sum(allowed) == 50, allowed


def _middleware(request):
    return AnonymousBodyMiddleware(lambda r: HttpResponse("read"))(request)


def test_a_visitor_not_signed_in_may_not_send_a_large_body(settings, django_user_model):
    settings.SCOMM_ANONYMOUS_MAX_BODY_BYTES = 64 * 1024
    big = {"email": "a@example.org", "file": "x" * 70_000}
    request = RequestFactory().post("/follow/", big)
    request.user = AnonymousUser()
    refused = _middleware(request)
    assert refused.status_code == 413
    assert "64 KB" in refused.content.decode()
    # A small form, and a signed-in user's upload, go through.
    small = RequestFactory().post("/follow/", {"email": "a@example.org"})
    small.user = AnonymousUser()
    assert _middleware(small).status_code == 200
    signed_in = RequestFactory().post("/follow/", big)
    signed_in.user = django_user_model(username="staff")
    assert _middleware(signed_in).status_code == 200


def test_a_redis_that_cannot_be_reached_lets_requests_through(monkeypatch):
    import socket

    from core.cache import RedisCache

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    unreachable = RedisCache(f"redis://127.0.0.1:{port}/0", {})
    monkeypatch.setattr(ratelimit, "_cache", lambda: unreachable)
    assert all(hit("t", "a", MINUTE).allowed for _ in range(5))
