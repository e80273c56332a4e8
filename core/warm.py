"""
Pages kept warm: after a change, the pages most visitors read first are
built again at once by a worker, so that the first visitor after a change
is served a kept copy instead of waiting for the page to be built.

A change that says what it changed (core.generations.changed) retires every
kept copy that showed it. Once it commits, `warm_soon()` queues one
`core.tasks.pages_warm` for the burst (later changes while it waits add
nothing; one made while it runs queues the next), and the task asks the
site for each of SCOMM_WARM_PAGES as a signed-out browser would, at the
site's own address (SCOMM_SITE_URL), through the whole middleware: the page
cache keeps what it builds exactly as it keeps a visitor's copy, and the
shared parts of those pages (the overview's figures, the map) are kept for
signed-in users too. While it builds a page, a visitor asking for it waits
for that copy instead of building another (core.pagecache).

Best effort, like every cache: a broker that is down or a page that fails
is logged, never raised to the writer; the page is then built by its first
visitor, as it would be without this. On with a cache the site and its
workers share (SCOMM_WARM_PAGES, on with Redis); off with the page cache off.
"""

import functools
import io
import logging
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http.request import split_domain_port, validate_host
from django.urls import NoReverseMatch, reverse

from core.generations import generation

logger = logging.getLogger(__name__)

QUEUED_KEY = "scomm:warm:queued"
LAST_KEY = "scomm:warm:last"
# A queued warm-up that never started (a lost task) stops holding back the
# next one after this long.
QUEUED_SECONDS = 60
# Changes made within this long of each other are warmed once.
DELAY_SECONDS = 1


def enabled() -> bool:
    return bool(
        getattr(settings, "SCOMM_WARM_PAGES", False)
        and settings.SCOMM_PAGE_CACHE_SECONDS
        and getattr(settings, "SCOMM_WARM_PAGE_NAMES", ())
    )


def warm_soon() -> None:
    """After a commit that changed what pages show: one warm-up queued for the burst."""
    if not enabled():
        return
    try:
        if not cache.add(QUEUED_KEY, 1, timeout=QUEUED_SECONDS):
            return  # one is queued and has not started: it will show this change too
        from core.tasks import pages_warm

        pages_warm.apply_async(countdown=DELAY_SECONDS, retry=False)
    except Exception as exc:  # noqa: BLE001 - pages are then built by their first visitor
        cache.delete(QUEUED_KEY)
        logger.warning("Pages not warmed after a change: %r", exc)


def paths() -> list[str]:
    """The paths of SCOMM_WARM_PAGE_NAMES (URL names), those that resolve."""
    found = []
    for name in settings.SCOMM_WARM_PAGE_NAMES:
        try:
            found.append(reverse(name))
        except NoReverseMatch:
            logger.warning("Page to keep warm not found: %s", name)
    return found


@functools.cache
def _handler():
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()


def _environ(origin: str, path: str) -> dict:
    """A signed-out browser's GET of `path` at `origin`, accepting gzip as browsers do."""
    url = urlsplit(origin)
    scheme = url.scheme or "http"
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": url.hostname or "localhost",
        "SERVER_PORT": str(url.port or (443 if scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": url.netloc,
        "HTTP_ACCEPT": "text/html,*/*",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        # Behind a proxy that says how it was asked (SECURE_PROXY_SSL_HEADER).
        "HTTP_X_FORWARDED_PROTO": scheme,
        "HTTP_USER_AGENT": "scomm-warm",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def get(path: str, origin: str | None = None) -> int:
    """Ask the site for `path` as a signed-out browser; the response's status."""
    origin = origin or settings.SITE_URL
    if settings.SECURE_SSL_REDIRECT and origin.startswith("http://"):
        origin = "https://" + origin.removeprefix("http://")  # where every visitor ends up
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(int(line.split(" ", 1)[0]))

    # The request runs inside this task: its connection is the task's, not a
    # request's to close (as Django's test client does).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = _handler()(_environ(origin, path), start_response)
        try:
            for _chunk in response:  # a file is kept once its last chunk is read
                pass
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return status[0] if status else 0


def site_problem() -> str:
    """Why the pages cannot be asked for at SCOMM_SITE_URL: "" when they can."""
    host = urlsplit(settings.SITE_URL).netloc
    if not validate_host(split_domain_port(host)[0], settings.ALLOWED_HOSTS):
        # Asked there, every page would be refused (and logged as a bad Host).
        return f"{host} is not in ALLOWED_HOSTS (SCOMM_SITE_URL)."
    return ""


def each_page() -> Iterator[tuple[str, int, float]]:
    """
    Each page to keep warm, asked for in turn: (path, status, milliseconds).
    A page that fails is logged and counted a 500; the others are still asked.
    """
    for path in paths():
        started = time.perf_counter()
        try:
            status = get(path)
        except Exception:  # noqa: BLE001 - one page's failure leaves the others warm
            logger.exception("Page not warmed: %s", path)
            status = 500
        yield path, status, (time.perf_counter() - started) * 1000


def warm_pages() -> dict[str, int]:
    """Build every page to keep warm that is not kept already; each path's status."""
    # From now on a change queues the next warm-up: this one may have read too early.
    cache.delete(QUEUED_KEY)
    if not enabled():
        return {}
    problem = site_problem()
    if problem:
        logger.warning("Pages not warmed: %s", problem)
        return {}
    warmed_for = generation()  # read before the pages: they show this moment or later
    done = {path: status for path, status, _ms in each_page()}
    failed = {path: status for path, status in done.items() if status != 200}
    if failed:
        logger.warning("Pages not warmed: %s", failed)
    cache.set(LAST_KEY, {"generation": warmed_for, "pages": done}, timeout=None)
    return done


def last() -> dict | None:
    """The last warm-up: the generations it was built for (core.generations) and each status."""
    return cache.get(LAST_KEY)
