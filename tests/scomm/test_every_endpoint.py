"""
Every URL of the site, found by walking the URL configuration, so that a new
endpoint is covered the day it is added: a signed-out visitor never gets a
server error, never sees a private word, and never changes anything.
"""

import uuid

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from correspondence.models import Letter
from optouts.models import CaseEvent, Delivery, OptOutRequest
from public.models import Follow
from tests.factories import JurisdictionFactory, MembershipFactory
from tests.public.conftest import MARKER, draft_case, public_case  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's own admin, signed-in staff only: tested in tests/optouts/test_admin.py
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _parameters(pattern: URLPattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None and converters:
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


# Parameters of every named URL (a URL's own; the prefixes of includes take none).
TOKEN_IS_THE_CREDENTIAL = {"public:unsubscribe", "reminders:unsubscribe"}
PARAMETERS = {name: _parameters(entry) for name, entry in _walk(get_resolver().url_patterns)}
ENDPOINTS = sorted(PARAMETERS)


def _url(name: str, private_case: OptOutRequest) -> str:
    """The URL aimed at the private (draft) case wherever it takes a case."""
    values = {
        "pk": private_case.pk,
        "case_pk": private_case.pk,
        "jurisdiction_pk": private_case.jurisdiction_id,  # a jurisdiction is public: a 403
        "delivery_pk": 0,  # no such copy of the notice
        "kind": "sheriff",
        "token": "not-a-real-token",
        "postal_code": "XQ",
        "action": "withdraw",
    }
    kwargs = {key: values[key] for key in PARAMETERS[name]}
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        kwargs["pk"] = uuid.uuid4()  # exports are named by a UUID
        return reverse(name, kwargs=kwargs)


def test_the_walk_finds_the_whole_site():
    assert len(ENDPOINTS) > 40
    for expected in ("home", "optouts:detail", "correspondence:letter_pdf", "public:map_svg"):
        assert expected in ENDPOINTS


def _counts():
    return (
        OptOutRequest.objects.count(),
        CaseEvent.objects.count(),
        Delivery.objects.count(),
        Letter.objects.count(),
        Follow.objects.count(),
    )


def _reads_nothing_private(browser: Client, url: str) -> None:
    response = browser.get(url)
    assert response.status_code in (200, 301, 302, 400, 403, 404, 405), (url, response.status_code)
    if response.status_code == 200:
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode(errors="replace")
        assert MARKER not in body, url
        assert "Sheriff Draft" not in body, url


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_signed_out_visitor_gets_no_error_no_secret_and_changes_nothing(
    name,
    public_case,  # noqa: F811
    draft_case,  # noqa: F811
):
    url = _url(name, draft_case)
    before = _counts()
    browser = Client(enforce_csrf_checks=True)
    _reads_nothing_private(browser, url)
    forged = {"summary": "Forged", "email": "x@example.org", "kind": "zip", "version": "1"}
    # Without a CSRF token, every write is refused; one-click unsubscribe
    # links (RFC 8058) carry a signed token instead, refused when forged.
    refused = (400, 404) if name in TOKEN_IS_THE_CREDENTIAL else (403, 405)
    assert browser.post(url, forged).status_code in refused, url
    # Even past the CSRF check, a visitor without an account changes nothing
    # here (a sign-in form or a follow form may answer 200 with errors).
    posted = Client().post(url, forged)
    assert posted.status_code in (200, 302, 400, 403, 404, 405), (url, posted.status_code)
    assert _counts() == before, url


@pytest.mark.parametrize("name", ENDPOINTS)
def test_another_county_s_staff_gets_nothing_of_a_draft_and_changes_nothing(
    name,
    public_case,  # noqa: F811
    draft_case,  # noqa: F811
):
    """Signed in, past the CSRF check, aimed at a draft of a county they do not act for."""
    neighbour = MembershipFactory(jurisdiction=JurisdictionFactory(name="Neighbour County")).user
    browser = Client()
    browser.force_login(neighbour)
    url = _url(name, draft_case)
    before = _counts()
    _reads_nothing_private(browser, url)
    forged = {"summary": "Forged", "email": "x@example.org", "kind": "zip", "version": "1"}
    posted = browser.post(url, forged)
    assert posted.status_code in (200, 302, 400, 403, 404, 405), (url, posted.status_code)
    assert _counts() == before, url
