"""
The mail journey in a browser: staff send San Francisco's notice to ICE by
email through the confirmation page, a real SMTP server (aiosmtpd) receives
it with the PDF and the case's reply address, ICE's reply comes back through
manage.py receive_mail, and it reaches the public page only once staff make
it public.
"""

import email
import hashlib
import io
import sys
from email import policy

import pytest
from django.core.management import call_command

from correspondence.mail.addresses import reply_address
from correspondence.models import IncomingMail, Letter
from jurisdictions.models import Membership
from tests.browser.conftest import assert_accessible, login
from tests.correspondence.mail_support import post_sib_copy, reply, smtp_server
from tests.factories import (
    PASSWORD,
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    OptOutRequestFactory,
    SibFactory,
    StateFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ICE_EMAIL = "secure.communities@ice.example.gov"
ANSWER = "ICE received the request of San Francisco and will schedule a meeting."


@pytest.fixture
def case(settings, tmp_path):
    from correspondence.defaults import letter_templates_install_defaults

    letter_templates_install_defaults()  # a transactional test starts with empty tables
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    california = StateFactory(fips="06", postal_code="CA", name="California")
    SibFactory(
        state=california,
        name="California Department of Justice",
        email="sib@doj.ca.example",
        mailing_address="P.O. Box 903417\nSacramento, CA 94203",
    )
    ice = IceOfficeFactory(
        email=ICE_EMAIL,
        contact_person="Marc Rapp",
        mailing_address="500 12th Street SW\nWashington, DC 20536",
    )
    ice.states.add(california)
    sf = JurisdictionFactory(
        state=california,
        name="City and County of San Francisco",
        letterhead="Office of the Sheriff\nCity and County of San Francisco",
        signatory_name="Michael Hennessey",
        signatory_title="Sheriff",
    )
    return OptOutRequestFactory(jurisdiction=sf, requesting_official="Sheriff Michael Hennessey")


@pytest.fixture
def inbox(settings):
    """The SMTP receiver of the mail tests, the site's mail pointed at it."""
    with smtp_server(settings) as messages:
        yield messages


def _receive(monkeypatch, raw: bytes) -> str:
    """manage.py receive_mail with the message on standard input, as Postfix's pipe gives it."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("receive_mail", stdout=out)
    return out.getvalue()


def test_staff_email_the_notice_to_ice_and_make_its_reply_public(
    page, browser, live_server, case, inbox, monkeypatch
):
    staff = MembershipFactory(jurisdiction=case.jurisdiction, role=Membership.Role.STAFF).user
    post_sib_copy(case, staff)  # the SIB has its copy by mail; ICE's goes by email
    login(page, staff.username, PASSWORD)

    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("Draft a letter").select_option(label="Opt-out notice to ICE")
    page.get_by_role("button", name="Draft", exact=True).click()
    page.wait_for_url("**/letters/*/")
    letter = Letter.objects.get(recipient="ice")
    assert page.get_by_label("Recipient's email address").input_value() == ICE_EMAIL
    cover = page.get_by_label("Cover text")
    cover.fill("Dear Mr. Rapp,\n\nOur notice is attached.\n\nMichael Hennessey, Sheriff")

    # The form only chooses; the confirmation shows everything before anything is frozen.
    page.get_by_role("button", name="Send by email", exact=True).click()
    page.wait_for_url(f"**/letters/{letter.pk}/email/confirm/")
    assert inbox.messages == []
    digest = page.locator("#send-sha256").inner_text()
    shown = page.request.get(page.locator("#send-pdf").get_attribute("href")).body()
    assert hashlib.sha256(shown).hexdigest() == digest
    assert page.locator("#send-email-to").inner_text() == ICE_EMAIL
    reply_to = reply_address(case_id=case.pk)
    assert page.locator("#send-reply-to").inner_text() == reply_to
    assert "Our notice is attached." in page.locator("#send-cover").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Send by email and freeze").click()
    page.wait_for_url(f"**/letters/{letter.pk}/")

    [(_from, rcpt, content)] = inbox.messages
    sent = email.message_from_bytes(content, policy=policy.default)
    assert rcpt == [ICE_EMAIL] and sent["Reply-To"] == reply_to
    [attached] = list(sent.iter_attachments())
    assert attached.get_content_type() == "application/pdf" and attached.get_content() == shown
    assert "Our notice is attached." in sent.get_body(("plain",)).get_content()
    letter.refresh_from_db()
    assert letter.is_sent and letter.sha256 == digest
    reference = page.locator("#letter-reference").inner_text()
    assert reference == f"Message-ID: {sent['Message-ID']}"

    # ICE answers; the mail server pipes the reply to the site.
    answer = reply(
        to=reply_to,
        subject="Re: " + str(sent["Subject"]),
        text=ANSWER,
        in_reply_to=str(sent["Message-ID"]),
    )
    assert "Filed" in _receive(monkeypatch, answer)
    assert IncomingMail.objects.get().request_id == case.pk

    public = browser.new_context(base_url=live_server.url).new_page()
    public.goto(f"/cases/{case.pk}/")
    assert ANSWER not in public.locator("body").inner_text()

    page.goto(f"/cases/{case.pk}/")
    entry = page.locator(".correspondence-log li", has_text=ANSWER)
    assert "Private" in entry.inner_text()
    entry.get_by_role("button", name="Make public").click()
    page.wait_for_url(f"**/cases/{case.pk}/**")
    assert "Made public" in page.locator("body").inner_text()

    public.reload()
    assert ANSWER in public.locator(".correspondence-log").inner_text()
    public.context.close()
