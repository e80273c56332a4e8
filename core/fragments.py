"""
The shared parts of pages, kept as rendered HTML.

Most of a page is the same for everyone who may see the same cases: the
figures of the overview, a page of the case list, the jurisdiction table. A
signed-in user never gets a page from the page cache (it carries their name,
their reminders and CSRF tokens), but its shared part comes from here, and
only their own header and forms are built for them.

A fragment is kept under its page's declaration (core.pagecache.cached_page):
the generations of the kinds the page shows, the page's path and declared
parameters and, for a page that may show private data, the viewer's
visibility scope. Here it adds today's date (days waiting and days left
change at midnight), the template and the templates' release. A view passes
no key of its own.

Fragments are rendered without the request: no user or message can reach
HTML that another person will be served. A fragment holding forms
(`forms=True`) is rendered with a stand-in for the CSRF token, and each
request's own token takes its place in the hidden inputs as it is served.
"""

import functools
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe


@functools.cache
def templates_digest() -> str:
    """What the project's templates hold: a new release never serves an old fragment."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fragment_part(template_name: str) -> str:
    """What tells one fragment of a page from another, and from yesterday's."""
    today = timezone.localdate().isoformat()
    return f"fragment:{templates_digest()}:{today}:{template_name}"


# What a kept fragment's forms hold in place of a CSRF token. Only the whole
# hidden input is replaced: text typed by a user is escaped, so its quotes
# can never spell it.
CSRF_STAND_IN = "scomm-csrf-token-stand-in"
_STAND_IN_INPUT = f'name="csrfmiddlewaretoken" value="{CSRF_STAND_IN}"'


def with_csrf_token(request, html: str) -> str:
    """A fragment's forms given this request's CSRF token."""
    if _STAND_IN_INPUT not in html:
        return html
    return html.replace(_STAND_IN_INPUT, f'name="csrfmiddlewaretoken" value="{get_token(request)}"')


def cached_fragment(
    request,
    template_name: str,
    build: Callable[[], dict],
    *,
    kinds: Iterable[str] | None = None,
    variant: str = "",
    forms: bool = False,
) -> SafeString:
    """
    `template_name` rendered with `build()`, or the copy kept since the last
    change of what it shows: `kinds`, when the fragment shows fewer kinds of
    data than its page, else the page's. A search or a form post is built,
    not kept, as the page's declaration decides. `variant` names what else
    the fragment depends on (the viewer's roles for the case, say); with
    `forms`, its forms get this request's CSRF token.
    """
    page = getattr(request, "cached_page", None)
    if page is None:
        raise ImproperlyConfigured(
            f"{template_name} is kept for a view without core.pagecache.cached_page: "
            "declare what the page shows and varies on."
        )

    def render() -> str:
        context = build()
        if forms:
            context["csrf_token"] = CSRF_STAND_IN
        return render_to_string(template_name, context)

    part = fragment_part(template_name) + (f":{variant}" if variant else "")
    html = page.kept(part, render, kinds=kinds)
    if forms:
        html = with_csrf_token(request, html)
    return mark_safe(html)  # nosec B308 B703: rendered by a project template, escaped there
