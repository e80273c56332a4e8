"""Tables on a phone: stacked rows keep their column names; a row of figures keeps its columns."""

import pytest
from playwright.sync_api import expect

from optouts.status import ORDER
from tests.browser.conftest import assert_accessible
from tests.public.conftest import public_case  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def before(locator):
    """The text a cell's ::before shows, as the browser computes it."""
    return locator.evaluate("el => getComputedStyle(el, '::before').content")


def test_the_case_list_names_each_cell_on_a_phone(page, public_case):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto("/cases/")
    table = page.locator("table.table").first
    expect(table.get_by_role("link", name="Marker County, XQ")).to_be_visible()
    expect(table.locator("thead")).to_be_hidden()
    headers = table.locator("thead th").all_inner_texts()
    assert "Days waiting" in headers and "Opened" in headers
    for label in ("Days waiting", "Opened"):
        cell = table.locator(f'tbody td[data-label="{label}"]').first
        expect(cell).to_be_visible()
        assert label in before(cell)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert_accessible(page)


def test_the_status_totals_keep_their_headings_on_a_phone(page, public_case):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto("/")
    totals = page.locator("#status-totals")
    headers = totals.locator("thead th")
    assert headers.count() == len(ORDER)
    for i in range(headers.count()):
        expect(headers.nth(i)).to_be_visible()
    figures = totals.locator("tbody td")
    assert figures.count() == len(ORDER)
    # Too narrow for six columns: each figure sits beside its heading, none out of reach.
    for i in range(len(ORDER)):
        heading, figure = headers.nth(i).bounding_box(), figures.nth(i).bounding_box()
        assert figure["x"] > heading["x"] and abs(figure["y"] - heading["y"]) < 1
    assert totals.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    # A wider phone has room for the columns: the figures stay one row, each under its heading.
    page.set_viewport_size({"width": 600, "height": 800})
    expect(page.locator("#outcome-table thead")).to_be_hidden()
    first, second = (figures.nth(i).bounding_box() for i in (0, 1))
    assert abs(first["y"] - second["y"]) < 1 and first["x"] < second["x"]
    assert figures.nth(1).bounding_box()["x"] >= headers.nth(1).bounding_box()["x"]
    assert totals.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    page.set_viewport_size(PHONE)
    # Stacked tables on the same page still name their cells.
    outcome = page.locator('#outcome-table td[data-label="Requests"]').first
    assert "Requests" in before(outcome)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert_accessible(page)


def test_the_map_page_labels_each_state_figure_on_a_phone(page, public_case):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto("/map/")
    by_state = page.locator("#status-by-state")
    expect(by_state.get_by_text("Quebecia")).to_be_visible()
    expect(by_state.locator("thead")).to_be_hidden()
    pending = by_state.locator('tbody td[data-label="Opt-out pending"]')
    assert pending.inner_text() == "1"
    assert "Opt-out pending" in before(pending)
    expect(page.locator("#status-totals thead th").first).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert_accessible(page)
