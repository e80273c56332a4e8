import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jurisdictions.models import Jurisdiction
from optouts import services
from optouts.models import OptOutRequest, Stage
from tests.browser.conftest import assert_accessible, login
from tests.browser.moves import open_move
from tests.factories import (
    PASSWORD,
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    SibFactory,
    case_with_notice_sent,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


@pytest.fixture
def county():
    jurisdiction = JurisdictionFactory(
        name="Alameda County", scheduled_activation=TODAY + datetime.timedelta(days=21)
    )
    SibFactory(state=jurisdiction.state, name="Bureau of Criminal Identification")
    IceOfficeFactory()
    return jurisdiction


def test_staff_file_a_notice_to_both_recipients_and_see_it_through(page, county):
    staff = MembershipFactory(jurisdiction=county, role="staff").user
    login(page, staff.username, PASSWORD)

    page.goto("/cases/new/")
    assert "21 days" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("Requesting official").fill("Sheriff Ahern")
    page.get_by_label("Reasons").fill("Victims and witnesses must be able to call us.")
    page.get_by_role("button", name="Draft the request").click()
    page.wait_for_url("**/cases/*/#notice")
    case = OptOutRequest.objects.get()
    expect(page.locator("#missing-recipients")).to_be_visible()
    assert_accessible(page)

    # Only the SIB's copy first: the case stays a draft and names ICE.
    page.check("#id_sib-include")
    page.check("#id_sib-method_0")
    page.locator("#id_sib-sent_on").fill(TODAY.isoformat())
    page.get_by_role("button", name="Record the notice as sent").click()
    page.wait_for_load_state()
    # Public from the first copy, as a notice partly sent.
    expect(page.locator("#stage")).to_have_text("Notice partly sent")
    expect(page.locator("#partly-sent")).to_have_text("(SIB has it; the ICE copy not recorded)")
    assert "ICE" in page.locator("#missing-recipients").inner_text()

    # Then ICE's copy: notice sent.
    page.check("#id_ice-include")
    page.check("#id_ice-method_1")
    page.locator("#id_ice-sent_on").fill(TODAY.isoformat())
    page.get_by_role("button", name="Record the notice as sent").click()
    page.wait_for_load_state()
    expect(page.locator("#stage")).to_have_text("Notice sent")
    expect(page.locator("#missing-recipients")).to_have_count(0)

    open_move(page, "action-request_meeting")
    page.locator("#action-request_meeting").get_by_role("button").click()
    page.wait_for_load_state()
    expect(page.locator("#stage")).to_have_text("Meeting requested")

    open_move(page, "action-schedule_meeting")
    meeting = TODAY.isoformat() + "T00:30"  # held today: not before its date
    page.locator("#id_schedule_meeting-meeting_at").fill(meeting)
    page.locator("#id_schedule_meeting-location").fill("ICE field office, San Francisco")
    page.locator("#action-schedule_meeting").get_by_role("button").click()
    page.wait_for_load_state()
    expect(page.locator("#stage")).to_have_text("Meeting scheduled")

    open_move(page, "action-hold_meeting")
    page.locator("#action-hold_meeting").get_by_role("button").click()
    page.wait_for_load_state()
    expect(page.locator("#stage")).to_have_text("Meeting held")

    open_move(page, "action-resolve")
    page.get_by_label("Removed from the deployment plan").check()
    page.locator("#id_resolve-outcome_text").fill("ICE agreed to take the county off the plan.")
    page.locator("#action-resolve").get_by_role("button", name="Record the resolution").click()
    page.wait_for_load_state()
    expect(page.locator("#stage")).to_have_text("Resolved")
    timeline = page.locator("#timeline").inner_text()
    for words in ("drafted", "both the State Identification Bureau and ICE", "Meeting scheduled"):
        assert words in timeline
    assert_accessible(page)

    case.refresh_from_db()
    assert case.stage == Stage.RESOLVED
    assert case.deliveries.count() == 2
    county.refresh_from_db()
    assert county.plan_status == Jurisdiction.PlanStatus.REMOVED


def test_a_bad_resolution_is_explained_at_the_field_and_changes_nothing(page, county):
    staff = MembershipFactory(jurisdiction=county, role="staff").user
    case = case_with_notice_sent(jurisdiction=county, user=staff, method="email")
    login(page, staff.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    open_move(page, "action-resolve")
    page.get_by_label("Activation date adjusted").check()
    page.locator("#action-resolve").get_by_role("button", name="Record the resolution").click()
    page.wait_for_load_state()
    error = page.locator("#id_resolve-new_activation_error")
    assert "needs the new date" in error.inner_text()
    expect(page.locator("#stage")).to_have_text("Notice sent")
    case.refresh_from_db()
    assert case.stage == Stage.NOTICE_SENT


def test_the_public_reads_the_timeline_without_internal_notes(page, county):
    staff = MembershipFactory(jurisdiction=county, role="staff").user
    case = case_with_notice_sent(jurisdiction=county, user=staff, method="letter")
    services.event_record(
        case_id=case.pk, user=staff, kind="reply", summary="ICE acknowledged by phone."
    )
    services.event_record(
        case_id=case.pk,
        user=staff,
        kind="note",
        summary="INTERNAL-4411 call counsel",
        is_public=False,
    )
    page.goto(f"/cases/{case.pk}/")
    timeline = page.locator("#timeline").inner_text()
    assert "ICE acknowledged by phone." in timeline
    assert "INTERNAL-4411" not in page.content()
    assert page.get_by_role("button", name="Record the resolution").count() == 0
    assert_accessible(page)


def test_a_user_of_another_county_cannot_act(page, county):
    staff = MembershipFactory(jurisdiction=county, role="staff").user
    case = case_with_notice_sent(jurisdiction=county, user=staff, method="letter")
    stranger = MembershipFactory(role="staff").user
    login(page, stranger.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("#action-withdraw")).to_have_count(0)
    # A forged post, with a valid CSRF token from the stranger's own session.
    token = page.evaluate("document.cookie.match(/csrftoken=([^;]+)/)[1]")
    response = page.request.post(
        f"/cases/{case.pk}/act/withdraw/",
        form={"withdraw-reason": "forged", "csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
    )
    assert response.status == 403
    case.refresh_from_db()
    assert case.stage == Stage.NOTICE_SENT


def test_the_demo_san_francisco_case_says_activated_while_pending(page):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    page.goto("/cases/?activated_while_pending=on")
    page.get_by_role("link", name="San Francisco").first.click()
    expect(page.locator("#activated-while-pending")).to_be_visible()
    assert "June 8, 2010" in page.locator("#activated-while-pending").inner_text()


def test_staff_postpone_the_meeting_with_no_new_date_on_its_date_of_record(page, county):
    """As San Francisco asked on 28 Sep 2010 to postpone its 13 Oct meeting, with no new date."""
    staff = MembershipFactory(jurisdiction=county, role="staff").user
    case = case_with_notice_sent(jurisdiction=county, user=staff, method="letter")
    meeting = timezone.make_aware(
        datetime.datetime.combine(TODAY + datetime.timedelta(days=15), datetime.time(10))
    )
    services.optout_schedule_meeting(case_id=case.pk, user=staff, meeting_at=meeting)
    login(page, staff.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    open_move(page, "action-postpone_meeting")
    panel = page.locator("#action-postpone_meeting")
    # A date ahead is refused at its field, naming it and today; nothing changes.
    panel.get_by_label("The jurisdiction").check()
    panel.get_by_label("Date asked").fill((TODAY + datetime.timedelta(days=2)).isoformat())
    panel.get_by_label("Why").fill("The Sheriff awaits the Attorney General's answer.")
    panel.get_by_role("button", name="Postpone the meeting").click()
    page.wait_for_load_state()
    error = page.locator("#id_postpone_meeting-occurred_on_error").inner_text()
    assert "is in the future" in error and "today is" in error
    expect(page.locator("#stage")).to_have_text("Meeting scheduled")
    assert_accessible(page)

    panel = page.locator("#action-postpone_meeting")
    panel.get_by_label("Date asked").fill(TODAY.isoformat())
    panel.get_by_role("button", name="Postpone the meeting").click()
    page.wait_for_load_state()
    expect(page.locator("#stage")).to_have_text("Meeting postponed")
    assert "Postponed, no new date" in page.locator("#meeting").inner_text()
    assert "asked to postpone the meeting" in page.locator("#timeline").inner_text()
    expect(page.locator("#action-schedule_meeting")).to_have_count(1)
    assert_accessible(page)
    case.refresh_from_db()
    assert case.stage == Stage.MEETING_POSTPONED and case.meeting_at is None
