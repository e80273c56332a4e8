"""
What a browser or a proxy may keep of an answer to a signed-in user.

A signed-in page carries that user's name, their bell and, for a
jurisdiction's staff and counsel, drafts and internal notes: no shared cache
(a proxy, a CDN, a company's gateway) may keep it and hand it to the next
person. Every answer to a signed-in user, a page, a file, a refusal or a
redirect, says so with `Cache-Control: private`, added to whatever the view
said (a `no-store` stays).

An answer that says it is `public` keeps its word: the view declared its body
the same for everyone (the map image, the icon), so a shared copy is
harmless and worth keeping. The public outputs' validators (ETag,
Last-Modified, public/conditional.py) are left as they are: a browser still
asks again with them and gets a 304.

A visitor who is not signed in is not looked up: answers to them are what
the page cache keeps (core.pagecache), and it keeps nothing marked private.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    has_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES
    if not has_cookie and isinstance(user, SimpleLazyObject):
        # No session yet and nobody signed in during this request: the
        # session is not read for nothing (reading it would add Vary: Cookie).
        return False
    if getattr(user, "is_authenticated", False):
        return True
    # A view that answers everyone alike (the API) may have set its own
    # anonymous user: the session still says who is signed in.
    session = getattr(request, "session", None)
    return has_cookie and session is not None and SESSION_KEY in session


class SignedInPrivateMiddleware:
    """`Cache-Control: private` on every answer to a signed-in user (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request) and not _declared_public(response):
            patch_cache_control(response, private=True)
        return response


def _declared_public(response) -> bool:
    directives = {
        d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",")
    }
    return "public" in directives
