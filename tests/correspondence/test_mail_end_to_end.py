"""
The whole journey: staff send San Francisco's notice to ICE by email (a real
SMTP server receives it), ICE's reply lands in a real IMAP mailbox (Dovecot),
the poller files it on the case with its PDF and its .eml, and the public
sees it only once staff make it public.
"""

import email
from email import policy

from django.urls import reverse

from correspondence import tasks
from correspondence.models import IncomingMail
from jurisdictions.models import Membership
from reminders.models import Notification
from tests.correspondence.conftest import tiny_pdf
from tests.correspondence.mail_support import imap_append, post_sib_copy, reply
from tests.factories import (
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    OptOutRequestFactory,
    SibFactory,
    StateFactory,
)


def _mark_all_unseen(url):
    import imaplib
    from urllib.parse import urlparse

    parts = urlparse(url)
    connection = imaplib.IMAP4(parts.hostname, parts.port)
    connection.login(parts.username, parts.password)
    connection.select("INBOX")
    connection.store("1:*", "-FLAGS", "(\\Seen)")
    connection.logout()


def test_a_notice_by_email_and_its_reply_through_imap(
    db, client, smtp_receiver, imap_server, settings, django_capture_on_commit_callbacks
):
    settings.SCOMM_IMAP_URL = imap_server
    california = StateFactory(fips="06", postal_code="CA", name="California")
    SibFactory(
        state=california,
        name="California Department of Justice",
        email="sib@doj.ca.example",
        mailing_address="P.O. Box 903417\nSacramento, CA 94203",
    )
    ice = IceOfficeFactory(
        email="secure.communities@ice.example.gov",
        contact_person="Marc Rapp",
        mailing_address="500 12th Street SW\nWashington, DC 20536",
    )
    ice.states.add(california)
    sf = JurisdictionFactory(
        state=california,
        name="City and County of San Francisco",
        signatory_name="Michael Hennessey",
        signatory_title="Sheriff",
    )
    case = OptOutRequestFactory(jurisdiction=sf, requesting_official="Sheriff Michael Hennessey")
    staff = MembershipFactory(jurisdiction=sf, role=Membership.Role.STAFF).user
    post_sib_copy(case, staff)

    client.force_login(staff)
    from correspondence import letters

    letter = letters.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-ice")
    form = client.get(letter.get_absolute_url()).content.decode()
    assert 'value="secure.communities@ice.example.gov"' in form
    client.post(
        reverse("correspondence:letter_email", args=[letter.pk]),
        {"email-to": "secure.communities@ice.example.gov", "email-body": "Our notice."},
    )
    confirm = reverse("correspondence:letter_email_confirm", args=[letter.pk])
    digest = client.get(confirm).context["sha256"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            confirm,
            {"to": "secure.communities@ice.example.gov", "body": "Our notice.", "sha256": digest},
        )
    [(_from, rcpt, content)] = smtp_receiver.messages
    sent = email.message_from_bytes(content, policy=policy.default)
    assert rcpt == ["secure.communities@ice.example.gov"]
    assert sent["Reply-To"].startswith(f"case-{case.pk}.")
    assert [p.get_content_type() for p in sent.iter_attachments()] == ["application/pdf"]

    answer = reply(
        to=str(sent["Reply-To"]),
        subject="Re: " + str(sent["Subject"]),
        in_reply_to=str(sent["Message-ID"]),
        attachments=[("ice-answer.pdf", tiny_pdf("ICE answers"), "application/pdf")],
    )
    imap_append(imap_server, answer)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.mail_fetch.delay().get() == 1
    row = IncomingMail.objects.get()
    assert row.status == "filed" and row.request_id == case.pk and row.source == "imap"
    assert row.eml.open("rb").read().replace(b"\r\n", b"\n") == answer.replace(b"\r\n", b"\n")
    entry = row.correspondence
    assert [a.original_name for a in entry.attachments.all()] == ["ice-answer.pdf"]

    # A second poll stores nothing new, even with the message marked unseen again.
    assert tasks.mail_fetch.delay().get() == 0
    _mark_all_unseen(imap_server)
    assert tasks.mail_fetch.delay().get() == 0
    assert IncomingMail.objects.count() == 1

    assert Notification.objects.filter(user=staff, event__request=case).exists()
    client.logout()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "ice-answer.pdf" not in page
    client.force_login(staff)
    assert "ice-answer.pdf" in client.get(case.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("correspondence:correspondence_publish", args=[entry.pk]))
    client.logout()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "ice-answer.pdf" in page
    assert case.events.filter(kind="correspondence", is_public=True).exists()
