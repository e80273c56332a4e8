import datetime
import hashlib
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from correspondence.models import CaseExport, Letter
from optouts.models import OptOutRequest
from tests.browser.conftest import assert_accessible, login
from tests.factories import (
    PASSWORD,
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    OptOutRequestFactory,
    SibFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )


@pytest.fixture
def case(settings, tmp_path):
    from correspondence.defaults import letter_templates_install_defaults

    letter_templates_install_defaults()  # a transactional test starts with empty tables
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    jurisdiction = JurisdictionFactory(
        name="Santa Clara County",
        letterhead="Office of the Sheriff\nCounty of Santa Clara",
        signatory_name="Laurie Smith",
        signatory_title="Sheriff",
        scheduled_activation=timezone.localdate() + datetime.timedelta(days=30),
    )
    SibFactory(
        state=jurisdiction.state,
        name="Bureau of Criminal Identification",
        mailing_address="4949 Broadway\nSacramento, CA 95820",
    )
    IceOfficeFactory(
        contact_person="David Venturella",
        contact_title="Assistant Director, Secure Communities",
        salutation="Dear Assistant Director Venturella:",
        mailing_address="500 12th Street SW\nWashington, DC 20536",
    )
    return OptOutRequestFactory(
        jurisdiction=jurisdiction, requesting_official="Sheriff Laurie Smith"
    )


def test_counsel_keeps_a_letterhead_edits_previews_and_sends_what_is_on_screen(page, case):
    counsel = MembershipFactory(jurisdiction=case.jurisdiction, role="counsel").user
    login(page, counsel.username, PASSWORD)

    # Counsel's office describes its letterhead once, on its own page.
    page.goto(f"/letters/offices/{case.jurisdiction_id}/")
    assert_accessible(page)
    page.get_by_role("link", name="Edit Office of the County Counsel").click()
    page.get_by_label("Letterhead").fill("Office of the County Counsel\nCounty of Santa Clara")
    page.get_by_label("Return address").fill("70 West Hedding Street, San Jose, CA 95110")
    page.get_by_label("Who signs").fill("Miguel Márquez")
    page.get_by_label("Their title").fill("County Counsel")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/letters/offices/{case.jurisdiction_id}/")
    assert "Miguel Márquez, County Counsel" in page.locator("#offices-table").inner_text()

    # A new case is offered the notice to the SIB first, not a copy to the Governor.
    page.goto(f"/cases/{case.pk}/")
    choice = page.get_by_label("Draft a letter")
    selected = choice.locator("option:checked").inner_text()
    assert selected == "Opt-out notice to the State Identification Bureau"
    choice.select_option(label="Counsel's request for clarification")
    page.get_by_role("button", name="Draft", exact=True).click()
    page.wait_for_url("**/letters/*/")
    letter = Letter.objects.get()
    expect(page.locator("#letter-status")).to_have_text("Draft")
    preview = page.locator("#letter-preview").inner_text()
    assert "Office of the County Counsel" in preview and "Office of the Sheriff" not in preview
    assert "Miguel Márquez" in preview and "Laurie Smith" not in preview
    assert "Dear Assistant Director Venturella:" in preview
    assert_accessible(page)

    # The preview prints what is typed, saved or not.
    body = page.get_by_label("Body")
    body.fill(body.input_value() + "\n\nThe Board meets on the matter next Tuesday.")
    with page.context.expect_page() as popup:
        with page.context.expect_event(
            "response", lambda r: r.url.endswith(f"/letters/{letter.pk}/preview/")
        ) as response:
            page.get_by_role("button", name="Preview the PDF").click()
    assert response.value.status == 200
    assert response.value.headers["content-type"] == "application/pdf"
    popup.value.close()
    # The browser's PDF viewer keeps the bytes it showed: post the same form for them.
    typed = page.evaluate(
        "() => Object.fromEntries(new FormData(document.getElementById('letter-edit')))"
    )
    shown = page.request.post(response.value.url, form=typed).body()
    assert "The Board meets on the matter next Tuesday." in pdf_text(shown)
    assert "Draft" in pdf_text(shown)
    letter.refresh_from_db()
    assert "next Tuesday" not in letter.body  # nothing saved by a preview

    # Send without saving: the confirmation shows the PDF that will be frozen and its hash.
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url("**/send/confirm/")
    digest = page.locator("#send-sha256").inner_text()
    to_send = page.request.get(page.locator("#send-pdf").get_attribute("href"))
    assert hashlib.sha256(to_send.body()).hexdigest() == digest
    assert "next Tuesday" in pdf_text(to_send.body())
    assert "ICE Secure Communities" in page.locator("#send-recipient").inner_text()
    assert_accessible(page)
    page.get_by_label("Email").check()
    page.get_by_role("button", name="Send and freeze").click()
    page.wait_for_url(f"**/letters/{letter.pk}/")
    assert "Letter sent." in page.locator("body").inner_text()
    letter.refresh_from_db()
    assert letter.is_sent and letter.sha256 == digest
    expect(page.locator("#letter-status")).to_have_text("Sent")
    assert letter.sha256 in page.locator("#letter-hash").inner_text()
    expect(page.locator("#letter-edit")).to_have_count(0)
    frozen = pdf_text(page.request.get(page.locator("#letter-pdf").get_attribute("href")).body())
    assert "The Board meets on the matter next Tuesday." in frozen
    assert "Office of the County Counsel" in frozen and "70 West Hedding Street" in frozen
    assert "Miguel Márquez County Counsel" in frozen and "Draft" not in frozen
    assert_accessible(page)

    page.goto(f"/cases/{case.pk}/")
    assert "Sent by email" in page.locator("#letters-table").inner_text()
    page.get_by_role("button", name="Case file (PDF)").click()
    page.wait_for_url("**/letters/exports/*/")
    link = page.get_by_role("link", name="Download")
    link.wait_for(state="visible")
    assert page.locator("#export-progress").get_attribute("value") == "100"
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as handle:
        exported = pdf_text(handle.read())
    assert "Case file" in exported and "The Board meets on the matter next Tuesday." in exported
    export = CaseExport.objects.get()
    assert export.include_private and export.status == "done"
    assert OptOutRequest.objects.get().deliveries.count() == 1


def test_a_letter_nobody_signs_is_refused_at_the_signatory_field(page, case):
    staff = MembershipFactory(jurisdiction=case.jurisdiction, role="staff").user
    login(page, staff.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name="Draft", exact=True).click()
    page.wait_for_url("**/letters/*/")
    letter = Letter.objects.get()
    assert letter.template.key == "notice-sib"
    page.get_by_label("Signatory name").fill("")
    body = page.get_by_label("Body")
    body.fill(body.input_value() + "\n\nAdded before sending.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_load_state()
    error = page.locator("#id_signatory_name_error")
    assert "cannot be sent unsigned" in error.inner_text()
    assert "Added before sending." in page.get_by_label("Body").input_value()
    expect(page.locator("#form-error-summary")).to_be_visible()
    assert_accessible(page)
    letter.refresh_from_db()
    assert not letter.is_sent and "Added before sending." not in letter.body

    page.get_by_label("Signatory name").fill("Laurie Smith")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url("**/send/confirm/")
    page.get_by_role("button", name="Send and freeze").click()
    page.wait_for_url(f"**/letters/{letter.pk}/")
    letter.refresh_from_db()
    assert letter.is_sent and "Added before sending." in letter.body
