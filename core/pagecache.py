"""
The public pages, cached for anonymous visitors.

Advocates and the public read the same pages over and over; a signed-out
visitor with no session gets a copy of the page kept for at most
SCOMM_PAGE_CACHE_SECONDS. Any change to a case, an event, a letter or a
jurisdiction starts a new generation of the cache, so a visitor never waits
more than that for a change made through the site, and sees at once what
was saved through a form. Pages that set a cookie or hold a CSRF token
(forms) are never cached, nor is anything for a signed-in user.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve

GENERATION_KEY = "scomm:pages:generation"
WATCHED_APPS = {"jurisdictions", "optouts", "correspondence", "public"}


# What a page can show, each with a generation of its own. A service that
# changes one says so with changed(); a page's copies are keyed by the
# generations of the kinds it shows.
KINDS = ("cases", "plan", "letters")


def changed(*kinds: str) -> None:
    """
    A service changed what pages of these kinds show: their kept copies are
    stale from now on, and again once the change commits (a page built
    between the write and the commit read the old rows and must not outlive
    them).
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown kinds of page data: {sorted(unknown)}")
    for kind in kinds:
        _bump(kind)
    transaction.on_commit(lambda: [_bump(kind) for kind in kinds])


def pages_changed(**kwargs) -> None:
    """Start a new generation of every kind: every cached page is stale from now on."""
    sender = kwargs.get("sender")
    if sender is not None and sender._meta.app_label not in WATCHED_APPS:
        return
    changed(*KINDS)


def _key(kind: str) -> str:
    return f"{GENERATION_KEY}:{kind}"


def _bump(kind: str) -> None:
    try:
        cache.incr(_key(kind))
    except ValueError:
        cache.set(_key(kind), 1, timeout=None)


def generation(*kinds: str) -> str:
    """
    The generations of `kinds` (all of them by default), read in one round
    trip: part of every cache key that must follow the data.
    """
    kinds = kinds or KINDS
    found = cache.get_many([_key(k) for k in kinds])
    missing = {_key(k): 1 for k in kinds if _key(k) not in found}
    if missing:
        for key in missing:
            cache.add(key, 1, timeout=None)
        found = cache.get_many([_key(k) for k in kinds])
    return ".".join(str(found.get(_key(k), 0)) for k in kinds)


# While one request builds a missing copy, the others asking for it wait for
# that copy (up to BUILD_WAIT_SECONDS) instead of all building it at once
# after every change.
BUILD_LOCK_SECONDS = 60
BUILD_WAIT_SECONDS = 5.0
BUILD_POLL_SECONDS = 0.05


def claim(key: str) -> bool:
    """Whether this request is the one to build what `key` will hold."""
    return cache.add(f"{key}:building", 1, timeout=BUILD_LOCK_SECONDS)


def release(key: str) -> None:
    cache.delete(f"{key}:building")


def wait_for(key: str) -> Any:
    """The value another request is building under `key`, or None if it takes too long."""
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(BUILD_POLL_SECONDS)
        value = cache.get(key)
        if value is not None:
            return value
    return None


def kept(key: str, build: Callable[[], Any]) -> Any:
    """
    The value kept under `key` (which carries the generation), built once by
    one request when missing, or built every time with the page cache off.
    Kept ten times as long as a whole page: the generation retires it on any
    change made through the site; the limit bounds a change made around it.
    """
    seconds = settings.SCOMM_PAGE_CACHE_SECONDS
    if not seconds:
        return build()
    value = cache.get(key)
    if value is not None:
        return value
    if claim(key):
        try:
            value = build()
            cache.set(key, value, seconds * 10)
            return value
        finally:
            release(key)
    value = wait_for(key)
    # The builder is slow or gone: build it here rather than wait longer.
    return value if value is not None else build()


def connect() -> None:
    post_save.connect(pages_changed, dispatch_uid="scomm-pagecache-save")
    post_delete.connect(pages_changed, dispatch_uid="scomm-pagecache-delete")


# The query parameters of the cached pages' filters and pages. A request
# with any other, a longer value or a free-text search is built, not kept:
# otherwise every made-up URL would hold a copy of a page in memory.
CACHED_PARAMETERS = {
    "page",
    "state",
    "stage",
    "outcome",
    "order",
    "activated_while_pending",
    "status",
}
LONGEST_VALUE = 20


def _cacheable_request(request) -> bool:
    if not (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    ):
        return False
    for name, values in request.GET.lists():
        if name not in CACHED_PARAMETERS or len(values) > 1 or len(values[0]) > LONGEST_VALUE:
            return False
    try:
        return resolve(request.path_info).view_name in settings.SCOMM_PAGE_CACHE_VIEWS
    except Resolver404:
        return False


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.SCOMM_PAGE_CACHE_SECONDS
        if not seconds or not _cacheable_request(request):
            return self.get_response(request)
        encoding = "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else "identity"
        key = f"scomm:page:{generation()}:{encoding}:{request.method}:{request.get_full_path()}"
        hit = cache.get(key)
        if hit is not None:
            status, headers, content = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "no-store" not in response.get("Cache-Control", "")
            and "private" not in response.get("Cache-Control", "")
        ):
            cache.set(key, (200, list(response.headers.items()), response.content), seconds)
            response.headers["X-Page-Cache"] = "miss"
        return response
