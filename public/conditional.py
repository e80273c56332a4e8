"""
Conditional GET for the public outputs (the feeds, the CSV, the calendars and
the API): feed readers, calendar apps and scripts poll them, and a copy they
already hold costs a 304 with no body instead of the whole file again.

Two middleware, because the response passes two places that matter:

- ValidatorsMiddleware, inside GZipMiddleware, gives every successful GET of
  a public output an ETag and a Last-Modified. The ETag is a digest of the
  body before it is compressed: Django pads compressed bodies against BREACH,
  so the compressed bytes differ at every request, while the digest of the
  body follows exactly what the reader receives, whatever made it change (a
  case, the plan, a new day's "days waiting", a new release). The page cache
  keeps these headers with the copy it keeps.
- NotModifiedMiddleware, before the page cache, answers 304 when the
  request's If-None-Match or If-Modified-Since matches the response's
  validators, for a response just built as for a copy the page cache served
  without reaching the view.

Last-Modified is the moment this URL's body was first seen with its current
digest, remembered in the cache. A body that changes back to an earlier one
is a new modification, so the time only moves forward; a forgotten record
gives the current time, which costs a reader one full response and never
hides a change from it.

A streamed response (the CSV the first time it is built) carries neither: its
digest is known only after its last byte. The next request gets the kept
copy, with both.
"""

import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.middleware.http import ConditionalGetMiddleware
from django.utils.http import http_date

# How long the moment a body was first seen is remembered.
SEEN_SECONDS = 30 * 24 * 60 * 60


def is_public_output(path: str) -> bool:
    """The URL paths of the public outputs: the same as those open to other origins (CORS)."""
    return re.match(settings.CORS_URLS_REGEX, path) is not None


def body_digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=16).hexdigest()


def last_modified(key: str, digest: str, now: float | None = None) -> int:
    """
    The moment (whole seconds) the body at `key` was first seen with `digest`.
    A new digest is at least a second later than the one it replaces, so a
    reader's If-Modified-Since from the previous body never matches it.
    """
    now = int(now if now is not None else time.time())
    record_key = f"scomm:last-modified:{hashlib.blake2b(key.encode(), digest_size=16).hexdigest()}"
    record = cache.get(record_key)
    if record is not None and record[0] == digest:
        return record[1]
    moment = max(now, record[1] + 1) if record is not None else now
    cache.set(record_key, (digest, moment), SEEN_SECONDS)
    return moment


class ValidatorsMiddleware:
    """ETag and Last-Modified on every successful GET of a public output (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.streaming
            and is_public_output(request.path_info)
        ):
            digest = body_digest(response.content)
            encoding = response.get("Content-Encoding", "identity")
            response.headers["ETag"] = f'"{digest}"'
            key = f"{request.get_host()}\x1f{request.get_full_path()}\x1f{encoding}"
            response.headers["Last-Modified"] = http_date(last_modified(key, digest))
        return response


class NotModifiedMiddleware(ConditionalGetMiddleware):
    """
    A 304 with no body when the client's copy is current, for any response
    that carries validators; it adds none of its own (ValidatorsMiddleware
    does, for the public outputs only).
    """

    def needs_etag(self, response):
        return False
