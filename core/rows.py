"""
What the long tables written in Python share (a page of 250 jurisdictions or
fifty cases): each date formatted once, each link from one reversed address.
"""

import functools

from django.urls import reverse
from django.utils.dateformat import format as date_format

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
