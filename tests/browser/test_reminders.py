import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from optouts.models import Stage
from reminders import services
from reminders.emails import unsubscribe_token
from reminders.models import ReminderPreference, ReminderSnooze
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD
from tests.reminders.conftest import make_case, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
days = datetime.timedelta


@pytest.fixture
def people():
    return make_people()


@pytest.fixture
def stalled(people):
    """Two stalled cases of the staff member's jurisdiction, reminded by the sweep."""
    j = people["jurisdiction"]
    draft = make_case(stage=Stage.DRAFT, entered=TODAY - days(9), jurisdiction=j)
    notice = make_case(stage=Stage.NOTICE_SENT, entered=TODAY - days(16), jurisdiction=j)
    for pk in services.reminders_sweep(enqueue=False):
        services.reminder_send(reminder_id=pk)
    return {"draft": draft, "notice": notice}


def test_the_bell_counts_unread_reminders_and_the_page_reads_them(page, people, stalled):
    login(page, people["staff"].username, PASSWORD)
    page.goto("/")
    expect(page.locator("#reminders-unread")).to_have_text("2")
    attention = page.locator("#needs-attention-list")
    assert "Draft untouched" in attention.inner_text()
    assert "No meeting requested after the notice" in attention.inner_text()
    assert_accessible(page)

    page.locator("#reminders-bell").click()
    page.wait_for_url("**/reminders/")
    rows = page.locator("#notifications tbody tr")
    expect(rows).to_have_count(2)
    assert page.locator("#notifications").get_by_text("New:").count() == 2
    assert_accessible(page)

    page.reload()
    expect(page.locator("#reminders-unread")).to_have_count(0)
    assert page.locator("#notifications").get_by_text("New:").count() == 0

    page.get_by_label("One email a day with all of them").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Email preference saved: one email a day" in page.locator(".messages").inner_text()
    assert ReminderPreference.objects.get(user=people["staff"]).delivery == "digest"


def test_counsel_snoozes_a_case_with_a_reason_and_a_bad_date_is_explained(page, people, stalled):
    case = stalled["draft"]
    login(page, people["counsel"].username, PASSWORD)
    page.goto(case.get_absolute_url())
    panel = page.locator("section.reminders-panel")
    assert "Draft untouched" in panel.locator("#reminders-sent").inner_text()
    page.locator("#snooze-panel a").click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.get_by_label("Snooze until").fill((TODAY - days(1)).isoformat())
    page.get_by_label("Why they can wait").fill("Waiting for the board's vote")
    page.get_by_role("button", name="Snooze", exact=True).click()
    page.wait_for_load_state()
    assert "Choose a day after today." in page.locator("#snooze-form").inner_text()
    assert not ReminderSnooze.objects.exists()
    assert_accessible(page)

    until = TODAY + days(10)
    page.get_by_label("Snooze until").fill(until.isoformat())
    page.get_by_label("Which reminders").select_option(label="Draft untouched")
    page.get_by_role("button", name="Snooze", exact=True).click()
    page.wait_for_url(f"**{case.get_absolute_url()}#reminders")
    assert "Reminders snoozed until" in page.locator(".messages").inner_text()
    snoozes = page.locator("#reminder-snoozes")
    assert "Waiting for the board's vote" in snoozes.inner_text()
    snooze = ReminderSnooze.objects.get()
    assert snooze.until == until and snooze.created_by == people["counsel"]

    page.get_by_role("button", name="End this snooze").click()
    page.wait_for_load_state()
    expect(page.locator("#reminder-snoozes")).to_have_count(0)


def test_the_unsubscribe_link_works_without_signing_in(page, people):
    staff = people["staff"]
    page.goto(f"/reminders/unsubscribe/{unsubscribe_token(staff)}/")
    assert not ReminderPreference.objects.filter(user=staff).exists()  # opening changes nothing
    assert_accessible(page)
    page.get_by_role("button", name="Turn off reminder emails").click()
    page.wait_for_load_state()
    assert "no more reminder emails" in page.locator("h1").inner_text()
    assert ReminderPreference.objects.get(user=staff).delivery == "none"
    assert_accessible(page)
    page.get_by_role("button", name="Undo: email me again").click()
    page.wait_for_load_state()
    assert "back on" in page.locator("h1").inner_text()
    assert ReminderPreference.objects.get(user=staff).delivery == "immediate"
