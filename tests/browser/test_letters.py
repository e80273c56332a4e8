import datetime

import pytest
from django.utils import timezone

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


@pytest.fixture
def case(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    jurisdiction = JurisdictionFactory(
        name="Santa Clara County",
        letterhead="Office of the County Counsel\nCounty of Santa Clara",
        signatory_name="Miguel Márquez",
        signatory_title="County Counsel",
        scheduled_activation=timezone.localdate() + datetime.timedelta(days=30),
    )
    SibFactory(state=jurisdiction.state, name="Bureau of Criminal Identification")
    IceOfficeFactory(contact_person="Marc Rapp")
    return OptOutRequestFactory(
        jurisdiction=jurisdiction, requesting_official="Office of the County Counsel"
    )


def test_counsel_drafts_previews_sends_a_letter_and_exports_the_case_file(page, case):
    from correspondence.defaults import letter_templates_install_defaults

    letter_templates_install_defaults()  # a transactional test starts with empty tables
    counsel = MembershipFactory(jurisdiction=case.jurisdiction, role="counsel").user
    login(page, counsel.username, PASSWORD)

    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("Draft a letter").select_option(label="Counsel's request for clarification")
    page.get_by_role("button", name="Draft", exact=True).click()
    page.wait_for_url("**/letters/*/")
    letter = Letter.objects.get()
    assert page.locator("#letter-status").inner_text() == "Draft"
    assert "Dear Marc Rapp" in page.locator("#letter-preview").inner_text()
    assert_accessible(page)

    body = page.get_by_label("Body")
    body.fill(
        body.input_value()
        + "\n\nWe await your answer before {{ jurisdiction.scheduled_activation }}."
    )
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()
    preview = page.locator("#letter-preview").inner_text()
    when = case.jurisdiction.scheduled_activation
    assert f"We await your answer before {when:%B} {when.day}, {when:%Y}." in preview

    pdf = page.request.get(page.locator("#letter-pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    page.get_by_label("Email").check()
    page.get_by_role("button", name="Mark as sent and freeze").click()
    page.wait_for_load_state()
    letter.refresh_from_db()
    assert letter.is_sent
    assert page.locator("#letter-status").inner_text() == "Sent"
    assert letter.sha256 in page.locator("#letter-hash").inner_text()
    assert page.locator("#letter-edit").count() == 0
    assert_accessible(page)

    page.goto(f"/cases/{case.pk}/")
    assert "Sent by email" in page.locator("#letters-table").inner_text()
    page.get_by_role("button", name="Case file (PDF)").click()
    page.wait_for_url("**/letters/exports/*/")
    link = page.get_by_role("link", name="Download")
    link.wait_for(state="visible")
    assert page.locator("#export-progress").get_attribute("value") == "100"
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    export = CaseExport.objects.get()
    assert export.include_private and export.status == "done"
    assert OptOutRequest.objects.get().deliveries.count() == 1
