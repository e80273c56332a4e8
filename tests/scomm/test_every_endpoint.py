"""
Every URL of the site, found by walking the URL configuration, so that a new
endpoint is covered the day it is added: a signed-out visitor or another
county's staff never gets a server error, never sees a private word, and
never changes a row of any table. Each write is sent with a form that does
change something when the county's own people send it (proved below), so a
missing permission check shows up as a changed table.
"""

import pytest
from django.test import Client

from tests.scomm import site as walk

pytestmark = pytest.mark.django_db

TOKEN_IS_THE_CREDENTIAL = {"public:unsubscribe", "reminders:unsubscribe"}
READ_STATUSES = (200, 301, 302, 400, 403, 404, 405)


def _aims_at(key: str, target: str) -> bool:
    """Whether the URL has a `target` thing to aim at (a URL naming no case has no hidden one)."""
    try:
        return walk.ROUTES[key](None, target) is not None
    except AttributeError:  # it reads the site's thing: there is one
        return True


CASES = [
    (key, target)
    for key in sorted(walk.ROUTES)
    for target in ("hidden", "shown")
    if _aims_at(key, target)
]


@pytest.fixture
def site():
    return walk.build()


def test_every_url_pattern_of_the_site_is_walked():
    patterns = set(walk.site_patterns())
    assert len(patterns) > 60
    missing = patterns - set(walk.ROUTES)
    assert not missing, f"URLs the walk does not know; add them to tests/scomm/site.py: {missing}"
    stale = set(walk.ROUTES) - patterns - {k for k in walk.ROUTES if k.startswith("^media/")}
    assert not stale, f"the walk names URLs the site no longer has: {stale}"
    assert len(walk.admin_patterns()) > 100


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def _reads_nothing_private(browser: Client, url: str) -> None:
    response = browser.get(url)
    assert response.status_code in READ_STATUSES, (url, response.status_code)
    if response.status_code == 200:
        assert walk.PRIVATE not in _body(response), url


def _changes_nothing(browser: Client, key: str, url: str, data: dict, *, own=()) -> None:
    from correspondence.models import CaseExport

    before = walk.snapshot()
    private_exports = CaseExport.objects.filter(include_private=True).count()
    posted = browser.post(url, data)
    assert posted.status_code in (200, 302, 400, 403, 404, 405), (url, posted.status_code)
    if posted.status_code == 200:
        assert walk.PRIVATE not in _body(posted), url
    # Whoever asks for a case's file gets the public version unless they may see the private one.
    assert CaseExport.objects.filter(include_private=True).count() == private_exports, url
    if key not in walk.OPEN_WRITES and key not in own:
        assert walk.changed(before, walk.snapshot()) == [], url


@pytest.mark.parametrize("key, target", CASES)
def test_a_signed_out_visitor_gets_no_error_no_secret_and_changes_nothing(site, key, target):
    url = walk.url(key, site, target)
    assert url is not None, f"{key} has no {target} thing to aim at"
    before = walk.snapshot()
    browser = Client(enforce_csrf_checks=True)
    _reads_nothing_private(browser, url)
    data = walk.payload(site)
    # Without a CSRF token, every write is refused; one-click unsubscribe
    # links (RFC 8058) carry a signed token instead, refused when forged.
    refused = (400, 404) if key in TOKEN_IS_THE_CREDENTIAL else (403, 405)
    if key.startswith("^media/"):
        refused = (403, 404)  # a file served in development only, never a private one
    assert browser.post(url, data).status_code in refused, url
    assert walk.changed(before, walk.snapshot()) == [], url
    # Even past the CSRF check, a visitor without an account changes nothing
    # (a sign-in form or a follow form may answer 200 with errors).
    _changes_nothing(Client(), key, url, data)


@pytest.mark.parametrize("key, target", CASES)
def test_another_county_s_staff_gets_nothing_private_and_changes_nothing(site, key, target):
    """Signed in, past the CSRF check, aimed at the county's things they do not act for."""
    url = walk.url(key, site, target)
    assert url is not None, f"{key} has no {target} thing to aim at"
    browser = Client()
    browser.force_login(site.neighbour)
    _reads_nothing_private(browser, url)
    _changes_nothing(browser, key, url, walk.payload(site), own=walk.OWN_WRITES)


# The writes of the walk, each with the thing it is aimed at and who may make
# it: the same form from them changes the tables, so a refusal above is the
# permission check's doing, not a bad form's.
WRITES = {
    "optouts:create": ("shown", "staff"),
    "optouts:notice": ("hidden", "staff"),
    "optouts:receipt": ("shown", "staff"),
    "optouts:event": ("shown", "staff"),
    "optouts:reopen": ("shown", "staff"),
    "optouts:action": ("shown", "staff"),
    "optouts:schedule_apply": ("shown", "admin"),
    "jurisdictions:schedule_discard": ("shown", "admin"),
    "correspondence:letter_create": ("shown", "staff"),
    "correspondence:correspondence_create": ("shown", "staff"),
    "correspondence:export_create": ("shown", "staff"),
    "correspondence:letter_edit": ("hidden", "staff"),
    "correspondence:letter_send": ("hidden", "staff"),
    "correspondence:letter_delete": ("hidden", "staff"),
    "correspondence:correspondence_publish": ("hidden", "staff"),
    "correspondence:office_edit": ("shown", "staff"),
    "reminders:snooze": ("shown", "staff"),
    "reminders:snooze_cancel": ("shown", "staff"),
    "reminders:read": ("shown", "staff"),
    "reminders:preferences": ("shown", "staff"),
}


@pytest.mark.parametrize("key", sorted(WRITES))
def test_the_walk_s_form_changes_something_when_the_county_sends_it(site, key):
    target, who = WRITES[key]
    browser = Client()
    browser.force_login(getattr(site, who))
    before = walk.snapshot()
    response = browser.post(walk.url(key, site, target), walk.payload(site))
    assert response.status_code in (200, 302), (key, response.status_code, _body(response)[:500])
    assert walk.changed(before, walk.snapshot()), key


def test_the_admin_refuses_visitors_and_other_county_staff_and_changes_nothing(site):
    visitor, neighbour = Client(), Client()
    neighbour.force_login(site.neighbour)
    data = walk.payload(site)
    for key in walk.admin_patterns():
        url = walk.admin_url(key, site)
        for browser in (visitor, neighbour):
            response = browser.get(url)
            assert response.status_code in (200, 302, 404), (url, response.status_code)
            if response.status_code == 200:  # the admin's sign-in page
                assert 'name="password"' in response.content.decode(), url
            before = walk.snapshot()
            posted = browser.post(url, data)
            assert posted.status_code in (200, 302, 404, 405), (url, posted.status_code)
            if key not in walk.OPEN_WRITES:
                assert walk.changed(before, walk.snapshot()) == [], url


def test_a_private_export_of_a_public_case_is_missing_for_whoever_may_not_see_private_items(site):
    """The case is public; its private export (drafts, private correspondence) is not."""
    from django.urls import reverse

    names = ("correspondence:export", "correspondence:export_status")
    neighbour = Client()
    neighbour.force_login(site.neighbour)
    for browser in (Client(), neighbour):
        for name in names:
            assert browser.get(reverse(name, args=[site.private_export.pk])).status_code == 404
            assert browser.get(reverse(name, args=[site.public_export.pk])).status_code == 200
        download = reverse("correspondence:export_download", args=[site.private_export.pk])
        assert browser.get(download).status_code == 404
