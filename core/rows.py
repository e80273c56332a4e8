"""
What the long tables written in Python share (a page of 250 jurisdictions or
fifty cases): each date formatted once, each link from one reversed address,
each value escaped once.
"""

import functools
from collections.abc import Iterable
from html import escape as html_escape

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

# An id no row has, reversed once to learn what comes before and after an id.
_MARKER = 2147483647


@functools.lru_cache(maxsize=4096)
def short_date(day) -> str:
    """A date as the tables show it ("Oct 5, 2010"), or "—" for none."""
    return date_format(day, "M j, Y") if day else "—"


def address_around_id(name: str) -> tuple[str, str]:
    """The URL named `name` for one id, as (before the id, after it)."""
    before, after = reverse(name, args=[_MARKER]).split(str(_MARKER))
    return before, after


def escaped(value) -> str:
    """
    `value` as HTML, as Django's conditional_escape gives it (HTML already
    safe as it is, anything else escaped with html.escape, as Django does)
    without the lazy-text wrapper around every call, which in a table of 250
    rows costs more than the escaping.
    """
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_escape(str(value))


def html_row(template: str, *values) -> SafeString:
    """format_html(template, *values) with each value escaped by `escaped`."""
    return mark_safe(template.format(*map(escaped, values)))  # nosec B308 B703: every value escaped


def html_rows(template: str, rows: Iterable[tuple], sep: str = "\n") -> SafeString:
    """format_html_join(sep, template, rows), each value escaped by `escaped`."""
    return mark_safe(  # nosec B308 B703: every value escaped
        sep.join(template.format(*map(escaped, row)) for row in rows)
    )
