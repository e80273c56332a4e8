"""Every main page: WCAG 2.1 AA by axe-core, usable with the keyboard, readable on a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.factories import (
    PASSWORD,
    JurisdictionFactory,
    MembershipFactory,
    case_with_notice_sent,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sent_case():
    jurisdiction = JurisdictionFactory(name="Keyboard County")
    staff = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    return case_with_notice_sent(jurisdiction=jurisdiction, user=staff), staff


def public_pages(case):
    return [
        "/",
        "/cases/",
        f"/cases/{case.pk}/",
        "/jurisdictions/",
        f"/jurisdictions/{case.jurisdiction_id}/",
        "/map/",
        "/data/",
        f"/follow/?case={case.pk}",
        "/accounts/login/",
    ]


def test_every_public_page_passes_axe_and_fits_a_phone(page, sent_case):
    case, _ = sent_case
    for url in public_pages(case):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        assert_accessible(page)
        page.set_viewport_size({"width": 375, "height": 740})
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{url} scrolls sideways by {overflow}px on a phone"


def test_the_pages_of_a_signed_in_user_pass_axe(page, sent_case):
    case, staff = sent_case
    login(page, staff.username, PASSWORD)
    for url in ["/", f"/cases/{case.pk}/", "/cases/new/", "/reminders/"]:
        page.goto(url)
        assert_accessible(page)


def test_the_keyboard_alone_reaches_the_content_and_files_a_search(page, sent_case):
    page.goto("/cases/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab to the search field, type, and submit with Enter: no mouse.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q":
            break
    else:
        pytest.fail("the search field cannot be reached with Tab")
    page.keyboard.type("Keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=Keyboard**")
    expect(page.get_by_role("link", name="Keyboard County").first).to_be_visible()
    # Every focusable element shows where the focus is.
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; })()"
    )
    assert outline


def test_a_failed_submit_starts_at_a_summary_linking_to_each_field(page, sent_case):
    case, _ = sent_case
    page.goto(f"/follow/?case={case.pk}")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Follow").click()
    page.wait_for_load_state()
    focused = page.evaluate("document.activeElement.dataset.errorSummary !== undefined")
    assert focused, "the focus is not on the error summary"
    link = page.locator("[data-error-summary] a").first
    target = link.get_attribute("href")
    assert target.startswith("#id_")
    link.click()
    assert page.evaluate("'#' + document.activeElement.id") == target
    assert_accessible(page)


def test_every_help_text_is_the_one_its_field_points_to(page, sent_case):
    case, staff = sent_case
    login(page, staff.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    described = page.locator("[aria-describedby]")
    assert described.count() > 0
    for i in range(described.count()):
        for ref in described.nth(i).get_attribute("aria-describedby").split():
            assert page.locator(f"#{ref}").count() == 1, ref


def test_radio_groups_are_fieldsets_with_a_legend(page, sent_case):
    case, staff = sent_case
    login(page, staff.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    radios = page.locator("input[type=radio]")
    assert radios.count() > 0
    for i in range(radios.count()):
        legend = radios.nth(i).evaluate(
            "r => { const f = r.closest('fieldset'); return f && f.querySelector('legend') "
            "&& f.querySelector('legend').textContent.trim(); }"
        )
        assert legend, radios.nth(i).get_attribute("name")


def test_the_site_has_a_favicon(page, sent_case):
    response = page.goto("/favicon.ico")
    assert response.status == 200
    assert "image" in response.headers["content-type"]


def test_every_html_page_of_the_site_passes_axe_signed_out_and_signed_in(page):
    """
    Every URL of the site (the walk of tests/scomm/site.py, aimed at real
    things of a seeded site) as a visitor, as the county's staff and as an
    admin: each HTML page passes axe-core. Feeds, files and JSON are left out
    by their content type; the error pages are checked once each per role.
    """
    from tests.scomm import site as walk

    site = walk.build()
    checked, errors_seen = [], set()
    for role in ("visitor", "staff", "admin"):
        if role != "visitor":
            page.context.clear_cookies()
            login(page, getattr(site, role).username, PASSWORD)
        for key in walk.site_patterns():
            if key in ("logout", "login") and role != "visitor":
                continue
            for target in ("hidden", "shown"):
                url = walk.url(key, site, target)
                if url is None:
                    continue
                response = page.request.get(url, max_redirects=0)
                kind = response.headers.get("content-type", "")
                if 300 <= response.status < 400 or "text/html" not in kind or not response.body():
                    continue  # a redirect, a file, a feed, or a write answering GET with 405
                if response.status != 200:
                    if (role, response.status) in errors_seen:
                        continue
                    errors_seen.add((role, response.status))
                page.goto(url)
                assert_accessible(page)
                checked.append((role, url))
    pages = {url for _, url in checked}
    assert len(checked) > 60 and len(pages) > 30, checked
