import datetime

import pytest
from playwright.sync_api import expect

from jurisdictions.services import jurisdiction_plan_update
from tests.browser.conftest import assert_accessible
from tests.factories import JurisdictionFactory, StateFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_finds_a_county_and_reads_its_history(page):
    state = StateFactory(name="California", postal_code="QC")
    target = JurisdictionFactory(state=state, name="San Francisco County")
    JurisdictionFactory(state=state, name="Santa Clara County")
    admin = UserFactory(is_superuser=True)
    jurisdiction_plan_update(
        jurisdiction_id=target.pk,
        user=admin,
        reason="ICE activated the county",
        actual_activation=datetime.date(2010, 6, 8),
        plan_status="activated",
    )

    page.goto("/jurisdictions/")
    assert_accessible(page)
    page.get_by_label("Name or FIPS code").fill("san fran")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=san+fran**")
    expect(page.get_by_role("link", name="San Francisco County")).to_be_visible()
    assert page.get_by_role("link", name="Santa Clara County").count() == 0

    page.get_by_role("link", name="San Francisco County").click()
    page.wait_for_url(f"**/jurisdictions/{target.pk}/")
    body = page.locator("main").inner_text()
    assert "June 8, 2010" in body
    assert "ICE activated the county" in body
    assert_accessible(page)


def test_a_phone_sized_screen_shows_the_list_without_sideways_scrolling(page):
    JurisdictionFactory(name="Arlington County")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/jurisdictions/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
