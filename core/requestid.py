"""
A request id on every request, its response and every log line it causes,
so that an operator can find the log of the request a user reports.

The id comes from the proxy's X-Request-ID header when it is well formed
(1 to 64 letters, digits, '-', '_', '.' or ':'), else a new one is made. It
goes back in the response's X-Request-ID header, and RequestIdFilter puts it
on every log record written while the request runs ("-" outside a request),
for the formatter's %(request_id)s: Django's one line per request error
("Internal Server Error: /cases/17/") carries it.
"""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current() -> str:
    """The id of the request being served, or "-"."""
    return _current.get()


def from_header(value: str | None) -> str:
    """The proxy's id when it is well formed, else a new one."""
    if value and WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First of all: every response, a kept page too, carries the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = from_header(request.headers.get(HEADER))
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, for the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
