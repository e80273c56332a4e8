"""
Kept pages: whole pages for signed-out visitors, and the parts of pages,
maps and files that many requests share.

Advocates and the public read the same pages over and over. A view says once,
beside itself, what it shows and what it varies on:

    @pagecache.cached_page(kinds=("cases", "plan"), params=("state", "page"), search=("q",))
    def case_list(request): ...

and everything kept for it follows from that declaration:

- a signed-out visitor with no session gets the whole page from the cache
  (AnonymousPageCacheMiddleware), kept for at most SCOMM_PAGE_CACHE_SECONDS;
- a signed-in user gets the shared parts (core/fragments.py, `kept`) from
  copies keyed by the page's path, its declared parameters and, unless the
  page declares it shows public facts only, the viewer's visibility scope,
  worked out here, not by the view;
- every copy, whole or a part, is keyed by the origin it was asked at
  (scheme and host, core/origin.py): its links name that host;
- every copy is keyed by the generations of the kinds of data it shows
  (cases, plan, letters). A service that changes one says so with
  `changed()`; nothing else renews a copy, so a follow, a reminder or a
  history row costs no page a rebuild.

Pages that set a cookie or hold a CSRF token (forms) are never kept whole,
nor is anything for a signed-in user.
"""

import functools
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string

from core.cache import available as cache_available
from core.generations import (  # noqa: F401 - the page cache's names, as before
    GENERATION_KEY,
    KINDS,
    _known,
    changed,
    generation,
    generations,
)
from core.origin import request_origin

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


def _find(key: str) -> tuple[Any, bool]:
    """The copy under `key` (or another request's, once built), or whether this request builds it."""
    value = cache.get(key)
    if value is not None:
        return value, False
    if claim(key):
        return None, True
    if not cache_available():  # nobody can be building it: build it here at once
        return None, False
    return wait_for(key), False


def _keep_seconds() -> int:
    # Ten times as long as a whole page: the generation retires a copy on any
    # change made through a service; the limit bounds a change made around them.
    return settings.SCOMM_PAGE_CACHE_SECONDS * 10


def kept(key: str, build: Callable[[], Any]) -> Any:
    """
    The value kept under `key` (which carries the generation), built once by
    one request when missing, or built every time with the page cache off.
    """
    if not settings.SCOMM_PAGE_CACHE_SECONDS:
        return build()
    value, claimed = _find(key)
    if value is not None:
        return value
    if not claimed:  # the builder is slow or gone: build it here rather than wait longer
        return build()
    try:
        value = build()
        cache.set(key, value, _keep_seconds())
        return value
    finally:
        release(key)


def kept_stream(
    key: str, chunks: Callable[[], Iterable], store: Callable[[list], Any]
) -> tuple[Any, Iterator | None]:
    """
    `kept` for a long file: (the kept copy, None) when there is one, else
    (None, the chunks) to stream at once; the request that claimed the build
    keeps `store(all the chunks)` once the last one is sent, and the others
    wait for that copy as they would for any other.
    """
    if not settings.SCOMM_PAGE_CACHE_SECONDS:
        return None, iter(chunks())
    value, claimed = _find(key)
    if value is not None:
        return value, None

    def stream():
        built = []
        try:
            for chunk in chunks():
                built.append(chunk)
                yield chunk
            if claimed:
                cache.set(key, store(built), _keep_seconds())
        finally:
            if claimed:
                release(key)

    return None, stream()


# --- the declaration beside a view ---------------------------------------

# Longer values, and any free-text search, are built but never kept: every
# made-up URL would otherwise hold a copy of a page in memory.
LONGEST_VALUE = 40
# What a parameter is cut to when read, kept or not.
LONGEST_READ = 100
EVERYONE = "everyone"


def _default_scope(user) -> str:
    """Without a project rule, a signed-in user shares nothing private with anybody."""
    return f"user:{user.pk}" if getattr(user, "is_authenticated", False) else "public"


@functools.cache
def _scope_function(path: str | None) -> Callable[[Any], str]:
    return import_string(path) if path else _default_scope


def visibility_scope(user) -> str:
    """
    The name of what `user` may see beyond the public, by the project's rule
    (settings.SCOMM_PAGE_SCOPE, a dotted path: core knows no app). Viewers
    with the same scope may be served the same copy of a private page.
    """
    return _scope_function(getattr(settings, "SCOMM_PAGE_SCOPE", None))(user)


@dataclass(frozen=True)
class CachedPage:
    """What a kept page shows and varies on: see cached_page."""

    kinds: tuple[str, ...]
    params: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    private: bool = True
    whole: bool = True

    def bind(self, request) -> "PageRequest":
        return PageRequest(self, request)


class PageRequest:
    """One request for a declared page: its canonical query, whether it is kept, its keys."""

    def __init__(self, page: CachedPage, request):
        self.page = page
        self.request = request
        self.query = QueryDict(mutable=True)
        for name in page.params:
            value = request.GET.get(name, "")
            if value:
                self.query[name] = value[:LONGEST_READ]
        # Parts are kept for a plain read of the page's own questions.
        self.keep = (
            bool(settings.SCOMM_PAGE_CACHE_SECONDS)
            and request.method in ("GET", "HEAD")
            and not any(self.query.get(name) for name in page.search)
            and all(len(request.GET.get(name, "")) <= LONGEST_VALUE for name in page.params)
        )
        # A whole page is kept only for a URL that is exactly one of the
        # page's own: one copy per question, however many ways to ask it.
        self.exact = all(
            name in page.params and len(values) == 1 for name, values in request.GET.lists()
        )

    @functools.cached_property
    def generations(self) -> dict[str, int]:
        """
        Read once per request, however many parts the page keeps: a page
        whose parts were built across a change shows the data of one moment
        in each, and pays one round trip, not one per part.
        """
        return generations(user=getattr(self.request, "user", None))

    @functools.cached_property
    def scope(self) -> str:
        if not self.page.private:
            return EVERYONE
        return visibility_scope(self.request.user)

    def key(self, part: str, kinds: Iterable[str] | None = None) -> str:
        """
        The key of `part` of this page: the generations of the kinds it shows
        (the page's, or the fewer given), then what the page varies on: the
        viewer's scope, the origin (scheme and host), the path and the query.
        """
        kinds = _known(kinds) if kinds is not None else self.page.kinds
        if not set(kinds) <= set(self.page.kinds):
            raise ValueError(f"{part} shows kinds its page does not declare: {kinds}")
        # The generations first: read with the user's roles, which the scope needs.
        current = generation(*kinds, known=self.generations)
        page = (request_origin(self.request), self.request.path, self.query.urlencode())
        varies = "\x1f".join((self.scope, *page))
        digest = hashlib.blake2b(varies.encode(), digest_size=16).hexdigest()
        return f"scomm:{part}:{current}:{digest}"

    def kept(self, part: str, build: Callable[[], Any], *, kinds=None) -> Any:
        """`build()`, or the copy of `part` kept for this page's key."""
        if not self.keep:
            return build()
        return kept(self.key(part, kinds), build)

    def kept_stream(
        self, part: str, chunks: Callable[[], Iterable], store: Callable[[list], Any], *, kinds=None
    ) -> tuple[Any, Iterator | None]:
        if not self.keep:
            return None, iter(chunks())
        return kept_stream(self.key(part, kinds), chunks, store)


def cached_page(
    *,
    kinds: Iterable[str],
    params: Iterable[str] = (),
    search: Iterable[str] = (),
    private: bool = True,
    whole: bool = True,
):
    """
    Declare a view's kept copies, beside the view.

    kinds: the kinds of data the page shows (KINDS); a change of another
        kind leaves its copies alone.
    params: the query parameters the page understands, in a fixed order;
        `request.cached_page.query` holds them, cut to length, and no others.
    search: those of `params` that are free text: a page asked with one is
        built, never kept.
    private: whether the page may show what only some viewers may see
        (drafts, internal notes). Then every kept part is keyed by the
        viewer's visibility scope; `private=False` says the page shows public
        facts only, and shares one copy among everyone.
    whole: whether signed-out visitors get the whole response from the page
        cache; False for a response that keeps its own body (a file, an image).

    Works on a view function or a view class (a feed); the view reads the
    bound declaration as `request.cached_page`.
    """
    page = CachedPage(
        kinds=_known(kinds),
        params=tuple(params),
        search=tuple(search),
        private=private,
        whole=whole,
    )
    if not set(page.search) <= set(page.params):
        raise ValueError("Search parameters must be among the page's parameters.")

    def bound(request) -> None:
        current = getattr(request, "cached_page", None)
        if current is None or current.page is not page:
            request.cached_page = page.bind(request)

    def decorator(view):
        if isinstance(view, type):
            call = view.__call__

            @functools.wraps(call)
            def __call__(self, request, *args, **kwargs):
                bound(request)
                return call(self, request, *args, **kwargs)

            view.__call__ = __call__
            view.cached_page = page
            return view

        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            bound(request)
            return view(request, *args, **kwargs)

        wrapped.cached_page = page
        return wrapped

    return decorator


def declared(path: str) -> CachedPage | None:
    """The declaration of the view at `path`, if it has one."""
    try:
        view = resolve(path).func
    except Resolver404:
        return None
    page = getattr(view, "cached_page", None)
    return page if isinstance(page, CachedPage) else None


# --- whole pages for signed-out visitors ---------------------------------


def _signed_out_read(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (settings.SCOMM_PAGE_CACHE_SECONDS and _signed_out_read(request)):
            return self.get_response(request)
        page = declared(request.path_info)
        if page is None or not page.whole:
            return self.get_response(request)
        bound = page.bind(request)
        if not (bound.keep and bound.exact):
            return self.get_response(request)
        # No session: the visitor is nobody, whatever runs after this.
        from django.contrib.auth.models import AnonymousUser

        bound.scope = visibility_scope(AnonymousUser()) if page.private else EVERYONE
        request.cached_page = bound
        encoding = "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else "identity"
        key = bound.key(f"page:{encoding}:{request.method}")
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
            seconds = settings.SCOMM_PAGE_CACHE_SECONDS
            cache.set(key, (200, list(response.headers.items()), response.content), seconds)
            response.headers["X-Page-Cache"] = "miss"
        return response
