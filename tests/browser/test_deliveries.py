"""
A copy of the notice as evidence, in a real browser: staff record a
certified-mail copy with its tracking number, and later its receipt with
the scanned return receipt card; both are on the timeline and in the notice
table, each on its own date.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from optouts import services
from optouts.models import Delivery
from tests.browser.conftest import assert_accessible, login
from tests.browser.moves import open_move
from tests.factories import (
    PASSWORD,
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    SibFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
SENT = TODAY - datetime.timedelta(days=10)
RECEIVED = TODAY - datetime.timedelta(days=7)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
TRACKING = "7009 2250 0001 2345 6789"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture
def draft():
    county = JurisdictionFactory(name="Alameda County")
    SibFactory(state=county.state, name="Bureau of Criminal Identification")
    IceOfficeFactory()
    staff = MembershipFactory(jurisdiction=county, role="staff").user
    case = services.optout_create(
        jurisdiction=county,
        user=staff,
        requesting_official="Sheriff Ahern",
        requesting_body="sheriff",
        opened_on=TODAY - datetime.timedelta(days=12),
    )
    return case, staff


def test_staff_record_a_certified_copy_and_later_its_signed_card(page, draft, tmp_path):
    case, staff = draft
    login(page, staff.username, PASSWORD)
    page.goto(case.get_absolute_url())

    # Nothing is ticked or dated in advance.
    assert not page.locator("#id_sib-include").is_checked()
    assert not page.locator("#id_ice-include").is_checked()
    assert page.locator("#id_sib-sent_on").input_value() == ""

    page.check("#id_sib-include")
    page.get_by_role("group", name="Copy to State Identification Bureau").get_by_label(
        "Certified mail"
    ).check()
    page.locator("#id_sib-sent_on").fill(SENT.isoformat())
    page.locator("#id_sib-reference").fill(TRACKING)
    page.get_by_role("button", name="Record the notice as sent").click()
    page.wait_for_load_state()

    table = page.locator("#notice-copies")
    assert TRACKING in table.inner_text()
    assert "Certified mail" in table.inner_text()
    assert "Not yet" in table.inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert f"Notice sent to the SIB by certified mail (tracking {TRACKING})" in timeline
    assert "Notice delivered" not in timeline

    # Days later the green card comes back, signed.
    card = tmp_path / "card.png"
    card.write_bytes(PNG)
    open_move(page, "add-receipt")
    delivery = Delivery.objects.get()
    page.get_by_label("Copy received").select_option(str(delivery.pk))
    page.get_by_label("Date received").fill(RECEIVED.isoformat())
    page.get_by_label("Signed or acknowledged by (optional)").fill("J. Ortiz")
    page.get_by_label("Proof of receipt (optional)").set_input_files(str(card))
    page.get_by_role("button", name="Record the receipt").click()
    page.wait_for_load_state()

    assert "Receipt recorded." in page.locator("main").inner_text()
    table = page.locator("#notice-copies").inner_text()
    assert f"{RECEIVED:%b} {RECEIVED.day}, {RECEIVED.year}, signed by J. Ortiz" in table
    entries = page.locator("#timeline li")
    texts = [entries.nth(i).inner_text() for i in range(entries.count())]
    sent = next(t for t in texts if "Notice sent to the SIB" in t)
    received = next(t for t in texts if "Received by the SIB" in t)
    assert f"{SENT:%b} {SENT.day}, {SENT.year}" in sent
    assert f"{RECEIVED:%b} {RECEIVED.day}, {RECEIVED.year}" in received
    assert "J. Ortiz" in received
    assert texts.index(sent) < texts.index(received)

    proof = page.get_by_role("link", name="proof of receipt from State Identification Bureau")
    response = page.request.get(proof.get_attribute("href"))
    assert response.status == 200 and response.body() == PNG
    assert_accessible(page)


def test_a_receipt_before_the_copy_was_sent_is_shown_at_its_field(page, draft):
    case, staff = draft
    services.delivery_record(
        case_id=case.pk,
        user=staff,
        recipient="ice",
        recipient_name="ICE",
        method="certified",
        sent_on=SENT,
        reference=TRACKING,
    )
    login(page, staff.username, PASSWORD)
    page.goto(case.get_absolute_url())
    open_move(page, "add-receipt")
    page.get_by_label("Date received").fill((SENT - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Record the receipt").click()
    page.wait_for_load_state()
    error = page.locator("#id_receipt-received_on_error")
    assert "cannot be received before it was sent" in error.inner_text()
    expect(page.locator("#add-receipt form")).to_have_count(1)
    assert Delivery.objects.get().received_on is None
    assert_accessible(page)
