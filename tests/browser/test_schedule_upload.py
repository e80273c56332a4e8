"""An administrator loads a deployment schedule in a real browser: upload, preview, apply."""

import datetime

import pytest
from playwright.sync_api import expect

from jurisdictions.models import Jurisdiction, ScheduleVersion
from jurisdictions.schedules.services import schedule_check_run
from tests.factories import PASSWORD, UserFactory
from tests.jurisdictions.test_schedule_support import csv_bytes, directory

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    ["CA", "Los Angeles County", "06037", "8/27/2010", ""],
    ["California", "San Francisco", "", "June 8, 2010", "6/8/2010"],
    ["VA", "Arlington", "51013", "2010-09-21", ""],
]


@pytest.fixture
def admin(db):
    return UserFactory(username="ada", is_staff=True, is_superuser=True)


def test_an_admin_uploads_previews_and_applies_a_schedule(page, admin, tmp_path):
    places = directory()
    Jurisdiction.objects.filter(pk=places["la"].pk).update(
        scheduled_activation=datetime.date(2010, 9, 28), plan_status="scheduled"
    )
    path = tmp_path / "ice-2010-09.csv"
    path.write_bytes(csv_bytes(ROWS, bom=True))

    login(page, "ada", PASSWORD)
    page.goto("/admin/jurisdictions/scheduleversion/")
    page.get_by_role("link", name="Upload a schedule").click()
    page.wait_for_url("**/jurisdictions/schedules/upload/")
    assert_accessible(page)

    page.get_by_label("Schedule file (CSV or Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Check this file").click()
    page.wait_for_selector("#schedule-counts")
    expect(page.locator("#count-new")).to_have_text("2")
    expect(page.locator("#count-changed")).to_have_text("1")
    expect(page.locator("#count-errors")).to_have_text("0")
    changed = page.locator("#schedule-changed").inner_text()
    assert "Los Angeles County, CA" in changed and "Sep 28, 2010 → Aug 27, 2010" in changed
    assert "earlier" in changed
    assert_accessible(page)

    page.get_by_role("button", name="Apply this schedule").click()
    page.wait_for_selector("#schedule-applied")
    assert (
        "Schedule applied: 2 new, 1 changed, 0 unchanged" in page.locator(".messages").inner_text()
    )
    assert Jurisdiction.objects.get(pk=places["la"].pk).scheduled_activation == datetime.date(
        2010, 8, 27
    )

    page.goto(f"/jurisdictions/{places['la'].pk}/")
    version = ScheduleVersion.objects.get()
    assert (
        f"Deployment schedule “ice-2010-09.csv” (no. {version.pk}), row 2"
        in page.locator(".timeline").inner_text()
    )


def test_a_bad_file_gets_a_clear_message_at_the_field(page, admin, tmp_path):
    directory()
    path = tmp_path / "minutes.pdf"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    login(page, "ada", PASSWORD)
    page.goto("/jurisdictions/schedules/upload/")
    page.get_by_label("Schedule file (CSV or Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Check this file").click()
    error = page.locator("#file-error")
    error.wait_for()
    assert "“minutes.pdf” is not a spreadsheet" in error.inner_text()
    assert_accessible(page)
    assert not ScheduleVersion.objects.exists()


def test_the_progress_bar_follows_a_check_running_elsewhere(page, admin):
    """As with a real worker: the page polls until the check is done, then shows the preview."""
    directory()
    content = csv_bytes(ROWS)
    version = ScheduleVersion.objects.create(
        file_name="ice.csv",
        sha256="0" * 64,
        size=len(content),
        content=content,
        uploaded_by=admin,
        rows_total=3,
    )
    login(page, "ada", PASSWORD)
    page.goto(f"/jurisdictions/schedules/{version.pk}/")
    expect(page.locator("#schedule-progress")).to_be_visible()
    assert_accessible(page)
    schedule_check_run(version_id=version.pk)
    page.wait_for_selector("#schedule-counts", timeout=15_000)
    expect(page.locator("#count-new")).to_have_text("3")
    expect(page.locator("#schedule-progress")).to_have_count(0)


def test_a_row_putting_back_a_removed_county_waits_for_a_tick(page, admin, tmp_path):
    from optouts.models import OptOutRequest

    places = directory()
    Jurisdiction.objects.filter(pk=places["arlington"].pk).update(
        plan_status="removed", scheduled_activation=datetime.date(2010, 9, 21)
    )
    case = OptOutRequest.objects.create(
        jurisdiction=places["arlington"],
        requesting_official="Sheriff Beth Arthur",
        requesting_body="sheriff",
        stage="resolved",
        outcome="removed",
        opened_on=datetime.date(2010, 9, 1),
        closed_on=datetime.date(2010, 10, 1),
    )
    path = tmp_path / "ice-2010-11.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["VA", "Arlington", "51013", "11/2/2010", ""],
                ["CA", "Los Angeles County", "06037", "8/27/2010", ""],
            ]
        )
    )
    login(page, "ada", PASSWORD)
    page.goto("/jurisdictions/schedules/upload/")
    page.get_by_label("Schedule file (CSV or Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Check this file").click()
    page.wait_for_selector("#schedule-counts")
    expect(page.locator("#count-held")).to_have_text("1")
    held = page.locator("#schedule-held").inner_text()
    assert "Arlington County, VA" in held and "Removed from plan → Scheduled" in held
    assert f"request no. {case.pk}" in held
    assert "Arlington" not in page.locator("#schedule-new").inner_text()
    assert page.get_by_label("Apply row 2, Arlington County, VA, over the resolution").count() == 1
    assert_accessible(page)

    page.get_by_role("button", name="Apply this schedule").click()
    page.wait_for_selector("#schedule-applied")
    assert (
        "1 row held back over a resolution was not applied"
        in page.locator(".messages").inner_text()
    )
    arlington = Jurisdiction.objects.get(pk=places["arlington"].pk)
    assert arlington.plan_status == "removed"
    assert arlington.scheduled_activation == datetime.date(2010, 9, 21)
    assert Jurisdiction.objects.get(pk=places["la"].pk).scheduled_activation == datetime.date(
        2010, 8, 27
    )
