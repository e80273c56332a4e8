"""
The public outputs' links on other apps' pages: the feed a feed reader finds
in a page's <head> (<link rel="alternate">), and calendar subscriptions.
"""

from django import template
from django.urls import reverse

from jurisdictions.models import State

from .. import services

register = template.Library()


def _is_public(case) -> bool:
    public = case.is_public
    return bool(public() if callable(public) else public)


def _state_code(code) -> str | None:
    """A state's postal code as the feeds spell it, or None when no state has it."""
    code = str(code or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        return None
    return State.objects.filter(postal_code=code).values_list("postal_code", flat=True).first()


@register.inclusion_tag("public/_feed_alternates.html")
def feed_alternates(*, case=None, jurisdiction=None, state=None):
    """
    The feeds of what a page is about: a case's own feed (once it is public),
    its jurisdiction's state's, or a state's. A jurisdiction has no feed of
    its own, so its page offers its state's. A state code that names no state
    (a hand-typed ?state=) offers nothing rather than a feed that is a 404.
    """
    feeds = []
    if case is not None:
        if _is_public(case):
            feeds.append(
                (
                    f"Opt-out request of {case.jurisdiction}",
                    reverse("public:feed_case", args=[case.pk]),
                )
            )
        jurisdiction = case.jurisdiction
    if jurisdiction is not None:
        state = jurisdiction.state
        feeds.append(
            (
                f"Opt-out requests in {state.name}",
                reverse("public:feed_state", args=[state.postal_code]),
            )
        )
    elif state:
        code = _state_code(state)
        if code:
            feeds.append((f"Opt-out requests in {code}", reverse("public:feed_state", args=[code])))
    return {"feeds": feeds}


@register.simple_tag
def webcal_url(path: str) -> str:
    """
    `path` on the site's own address (SCOMM_SITE_URL) as a webcal:// link, the
    scheme calendar apps open as a subscription rather than a one-off import.
    """
    url = services.absolute(path)
    return "webcal://" + url.split("://", 1)[-1]
