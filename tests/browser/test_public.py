"""The public side in a real browser: overview, map, search, filters, follow, unsubscribe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from jurisdictions.models import Jurisdiction
from public.models import Follow
from tests.browser.conftest import assert_accessible
from tests.public.conftest import draft_case, public_case  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_overview_and_the_map_lead_to_a_county(page, public_case):  # noqa: F811
    Jurisdiction.objects.filter(pk=public_case.jurisdiction_id).update(fips="06075")
    page.goto("/")
    expect(page.get_by_role("heading", name="Where every opt-out request stands")).to_be_visible()
    expect(page.locator("#open-total")).to_have_text("1")
    assert page.locator(".activity-chart rect").count() >= 1
    image = page.locator("#county-map-image")
    # The image has loaded and been drawn: the browser knows its real size.
    page.wait_for_function("document.querySelector('#county-map-image').naturalWidth > 0")
    assert image.evaluate("img => img.naturalWidth") == 975
    assert_accessible(page)
    image.click()
    page.wait_for_url(re.compile(r"/map/$"))
    expect(page.locator("#status-by-state").get_by_text("Quebecia")).to_be_visible()
    county = page.locator('#county-map a[data-fips="06075"]')
    assert county.get_attribute("class") == "c-pending"
    assert_accessible(page)
    county.locator("path").click(force=True)
    page.wait_for_url(re.compile(rf"/jurisdictions/{public_case.jurisdiction_id}/$"))
    expect(page.get_by_role("heading", name=re.compile("Marker County"))).to_be_visible()


def test_search_and_filters_are_shareable_links(page, public_case, draft_case):  # noqa: F811
    page.goto("/cases/")
    page.get_by_label("Search").fill("Hennessey")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"q=Hennessey"))
    expect(page.get_by_role("link", name=re.compile("Marker County"))).to_be_visible()
    expect(page.get_by_text("Sheriff Draft")).to_have_count(0)
    shared = page.url
    page.goto(shared)
    assert page.get_by_label("Search").input_value() == "Hennessey"
    page.goto("/cases/?stage=meeting_requested&state=XQ")
    expect(page.get_by_role("link", name=re.compile("Marker County"))).to_be_visible()
    page.goto("/jurisdictions/?q=Marker")
    expect(page.get_by_role("link", name="Marker County")).to_be_visible()


def test_follow_a_state_confirm_and_unsubscribe(page, public_case):  # noqa: F811
    page.goto("/")
    page.locator("#follow-state-form").get_by_label("State").select_option("XQ")
    page.locator("#follow-state-form").get_by_role("button", name="Follow this state").click()
    page.wait_for_url("**/follow/?state=XQ")
    page.get_by_label("Your email address").fill("ana@example.org")
    page.get_by_role("button", name="Follow").click()
    expect(page.locator("#follow-sent")).to_be_visible()
    assert_accessible(page)
    assert len(mail.outbox) == 1
    confirm = re.search(r"https?://\S+/follow/confirm/\S+/", mail.outbox[0].body).group(0)
    page.goto("/" + confirm.split("/", 3)[3])
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#follow-confirmed")).to_be_visible()
    follow = Follow.objects.get()
    assert follow.confirmed_at is not None and follow.state.postal_code == "XQ"

    from public import services

    page.goto("/" + services.unsubscribe_url(follow).split("/", 3)[3])
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("#unsubscribed")).to_be_visible()
    assert not Follow.objects.exists()


def test_follow_a_case_with_a_bad_address_says_why(page, public_case):  # noqa: F811
    page.goto(f"/follow/?case={public_case.pk}")
    page.get_by_label("Your email address").fill("nobody")
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_text("Enter a valid email address.", exact=True)).to_be_visible()
    assert_accessible(page)
    assert not Follow.objects.exists()
