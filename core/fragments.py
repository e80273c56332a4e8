"""
The shared parts of pages, kept as rendered HTML.

Most of a page is the same for everyone who may see the same cases: the
figures of the overview, a page of the case list, the jurisdiction table. A
signed-in user never gets a page from the page cache (it carries their name,
their reminders and CSRF tokens), but its shared part comes from here, and
only their own header and forms are built for them.

A fragment is keyed by the page-cache generation (any saved case, event,
letter or jurisdiction starts a new one), today's date (days waiting and days
left change at midnight), the template and what the caller says the fragment
varies on: the query string and, where drafts or internal notes may show,
the user's visibility scope (optouts.permissions.visibility_scope).

Fragments are rendered without the request: no CSRF token, user or message
can reach HTML that another person will be served.
"""

import functools
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from . import pagecache


@functools.cache
def templates_digest() -> str:
    """What the project's templates hold: a new release never serves an old fragment."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fragment_key(template_name: str, vary: Iterable = ()) -> str:
    parts = "\x1f".join(str(v) for v in vary)
    digest = hashlib.blake2b(parts.encode(), digest_size=16).hexdigest()
    today = timezone.localdate().isoformat()
    return (
        f"scomm:fragment:{templates_digest()}:{pagecache.generation()}:{today}:"
        f"{template_name}:{digest}"
    )


def canonical_query(query: QueryDict, names: Iterable[str], *, longest: int = 100) -> QueryDict:
    """
    Only the parameters a page understands, in a fixed order and cut to
    length: one key per page however its URL is dressed up, and no
    stranger's parameters carried into the links of a kept copy.
    """
    clean = QueryDict(mutable=True)
    for name in names:
        value = query.get(name, "")
        if value:
            clean[name] = value[:longest]
    return clean


def cached_fragment(
    template_name: str, build: Callable[[], dict], *, vary: Iterable = (), keep: bool = True
) -> SafeString:
    """
    `template_name` rendered with `build()`, or the copy kept since the last
    change. `keep=False` builds without keeping: free-text searches are
    rarely asked twice, and each would hold memory for nothing.
    """

    def render() -> str:
        return render_to_string(template_name, build())

    # Not kept: no key to work out (it reads the generation from the cache).
    if not (settings.SCOMM_PAGE_CACHE_SECONDS and keep):
        return mark_safe(render())  # nosec B308 B703: a template's own output
    html = pagecache.kept(fragment_key(template_name, vary), render)
    return mark_safe(html)  # nosec B308 B703: rendered by our template, escaped there
