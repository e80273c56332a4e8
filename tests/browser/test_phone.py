"""The public side on a phone: a state chosen from a list, and a map a finger can use."""

import pytest
from playwright.sync_api import expect

from jurisdictions.models import Jurisdiction
from tests.browser.conftest import assert_accessible
from tests.public.conftest import public_case  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def test_a_state_is_chosen_by_name_and_its_downloads_follow(page, public_case):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto("/cases/")
    page.get_by_label("State").select_option(label="Quebecia")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**state=XQ**")
    expect(page.get_by_role("link", name="Marker County, XQ")).to_be_visible()
    assert page.locator("#case-downloads a").first.get_attribute("href").endswith("?state=XQ")


def test_an_unknown_state_is_said_so(page, public_case):  # noqa: F811
    page.goto("/cases/?state=North+Carolina")
    assert "No state has the postal code" in page.get_by_role("alert").first.inner_text()


def test_the_map_zooms_to_a_state_whose_counties_can_be_tapped(page, public_case):  # noqa: F811
    Jurisdiction.objects.filter(pk=public_case.jurisdiction_id).update(fips="77001")
    page.set_viewport_size(PHONE)
    page.goto("/map/")
    page.get_by_label("Zoom to a state").select_option(label="Quebecia")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**state=XQ**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Counties of Quebecia")
    link = page.locator(".county-links a", has_text="Marker County")
    box = link.bounding_box()
    assert box["height"] >= 44  # a finger's width
    link.click()
    page.wait_for_url(f"**/jurisdictions/{public_case.jurisdiction_id}/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1


def test_a_real_states_counties_fill_a_phone_screen(page, public_case):  # noqa: F811
    from tests.factories import JurisdictionFactory, StateFactory

    state = StateFactory(postal_code="SD", name="South Dakota", fips="46")
    JurisdictionFactory(state=state, name="Shannon County", fips="46113")
    page.set_viewport_size(PHONE)
    page.goto("/map/?state=SD")
    county = page.locator('.county-map a[data-fips="46102"]')
    box = county.bounding_box()
    assert box["width"] >= 20 and box["height"] >= 15  # not the 2 px of the whole map
    assert_accessible(page)
