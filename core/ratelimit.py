"""
Limits on what a visitor can make the site do: so many requests per
address in a period, counted in a cache every web process shares.

A limit is a rate, "3/minute" (second, minute, hour or day; empty: no
limit). The period is counted in six buckets and the window slides a bucket
at a time: a request counts for at most one period, and a burst at the turn
of a window is not let through twice (no span shorter than five sixths of
the period ever holds more than the rate allows). A refused request is not
counted, so Retry-After, never longer than the period, is true for whoever
waits that long. The counters live in the cache SCOMM_LIMITS_CACHE names: the
default cache (Redis) on the production stack, a folder of files shared by
every process on the embedded default. A limit that cannot be counted (the
cache is down) lets the request through: a broken cache must not close the
site, and the lockout of sign-in is kept in the database by django-axes.

Anonymous visitors send no files: no public form takes one, so a body over
a few kilobytes from a visitor who is not signed in is refused before
anything reads it (AnonymousBodyMiddleware).
"""

import contextlib
import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.shortcuts import render

try:
    import fcntl
except ImportError:  # pragma: no cover - not on the supported systems
    fcntl = None

logger = logging.getLogger(__name__)

NAMESPACE = "limit"
# A period is counted in this many buckets: the window slides a bucket at a time.
BUCKETS = 6
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds; 0 when allowed


ALLOWED = Verdict(True)


class RateLimited(Exception):
    """A request refused by a limit; `message` says when to try again, in words."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def parse_rate(text: str | None) -> Rate | None:
    """'3/minute' -> Rate(3, 60); empty -> None (no limit)."""
    if not text:
        return None
    try:
        count, unit = str(text).split("/", 1)
        seconds = _UNITS[unit.strip().lower()[:1]]
        rate = Rate(int(count), seconds)
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"A rate is 'N/second', 'N/minute', 'N/hour' or 'N/day', not {text!r}."
        ) from None
    if rate.count < 1:
        raise ImproperlyConfigured(f"A rate allows at least one request, not {text!r}.")
    return rate


def in_words(seconds: int) -> str:
    """'40 seconds', '3 minutes', '5 hours': when to come back, rounded up."""
    for size, unit in ((3600, "hour"), (60, "minute")):
        if seconds >= size * 1.5 or (unit == "minute" and seconds >= 90):
            amount = math.ceil(seconds / size)
            return f"{amount} {unit}{'s' if amount != 1 else ''}"
    seconds = max(1, int(seconds))
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _cache():
    return caches[getattr(settings, "SCOMM_LIMITS_CACHE", "default")]


@contextlib.contextmanager
def _exclusive(cache):
    """
    Counting is atomic in Redis and in the local-memory cache; the file-based
    cache reads and writes, so processes take turns on a lock file beside it.
    """
    if fcntl is None or not isinstance(cache, FileBasedCache):
        yield
        return
    cache._createdir()
    with open(f"{cache._dir}/.limits.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _key(scope: str, ident: str, bucket: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"{NAMESPACE}:{scope}:{digest}:{bucket}"


def _retry_after(*, rate: Rate, counts: list[int], into_bucket: float) -> int:
    """
    Seconds until one more request fits: the oldest buckets leave the window
    one by one (`counts` oldest first, the current one last, holding only
    accepted requests). Never more than the rate's period.
    """
    size = rate.seconds / BUCKETS
    total = sum(counts)
    wait = size - into_bucket
    for count in counts:
        total -= count
        if total + 1 <= rate.count:
            break
        wait += size
    return max(1, math.ceil(wait))


def hit(scope: str, ident: str, rate: Rate | None, *, now: float | None = None) -> Verdict:
    """
    Count one request of `ident` (an address, a hashed email) against
    `rate` in `scope`; refused when it would go over. Never raises.
    """
    if rate is None:
        return ALLOWED
    now = time.time() if now is None else now
    size = rate.seconds / BUCKETS
    bucket = int(now // size)
    keys = [_key(scope, ident, b) for b in range(bucket - BUCKETS + 1, bucket)]
    key = _key(scope, ident, bucket)
    try:
        cache = _cache()
        with _exclusive(cache):
            cache.add(key, 0, timeout=rate.seconds + math.ceil(size) + 1)
            current = int(cache.incr(key))
            kept = cache.get_many(keys)
            counts = [int(kept.get(k) or 0) for k in keys]
            if sum(counts) + current <= rate.count:
                return ALLOWED
            cache.decr(key)
    except Exception as exc:  # noqa: BLE001 - a broken cache lets the request through
        logger.warning("Limit %s not counted, request allowed: %r", scope, exc)
        return ALLOWED
    into_bucket = now - bucket * size
    return Verdict(
        False, _retry_after(rate=rate, counts=[*counts, current - 1], into_bucket=into_bucket)
    )


def check(scope: str, ident: str, rate: Rate | None, *, message: str) -> None:
    """`hit`, raising RateLimited; `message` may name {wait}, the time to wait in words."""
    verdict = hit(scope, ident, rate)
    if not verdict.allowed:
        raise RateLimited(
            message.format(wait=in_words(verdict.retry_after)), retry_after=verdict.retry_after
        )


def too_many_requests(request, exc: RateLimited):
    """The page for a refused request: 429, the reason in words and a Retry-After header."""
    response = render(request, "429.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


class AnonymousBodyMiddleware:
    """
    Refuses a body larger than SCOMM_ANONYMOUS_MAX_BODY_BYTES from a visitor
    who is not signed in: no public form takes a file, and Django would
    otherwise spool a multipart body of any size to disk to read it. Django
    reads no further than Content-Length, so the header is the body's size.
    Placed after the authentication middleware and before anything reads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        largest = settings.SCOMM_ANONYMOUS_MAX_BODY_BYTES
        if largest and request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > largest and not request.user.is_authenticated:
                return HttpResponse(
                    f"This request is too large: at most {largest // 1024} KB "
                    "when not signed in, and no attachments.",
                    status=413,
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)
