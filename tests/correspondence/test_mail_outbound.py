"""A letter sent by email: what the recipient's server receives, once, and the proof kept."""

import email
import smtplib
from email import policy

from django.urls import reverse

from correspondence import letters
from correspondence.mail import outbound
from correspondence.mail.addresses import address_case, reply_address
from correspondence.models import OutgoingMail
from optouts.models import Delivery
from tests.correspondence.mail_support import email_draft, send_by_email


def test_staff_send_a_letter_by_email_with_its_pdf_and_the_case_reply_address(
    case, staff, client, smtp_receiver, django_capture_on_commit_callbacks
):
    letter = email_draft(case, staff)
    client.force_login(staff)
    page = client.get(letter.get_absolute_url())
    assert b'id="letter-email"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        chosen = client.post(
            reverse("correspondence:letter_email", args=[letter.pk]),
            {"email-to": "scomm@ice.example.gov", "email-body": "Please find our notice attached."},
        )
    confirm = reverse("correspondence:letter_email_confirm", args=[letter.pk])
    assert chosen.url == confirm
    assert smtp_receiver.messages == [] and not OutgoingMail.objects.exists()
    shown = client.get(confirm)
    digest = shown.context["sha256"]
    text = shown.content.decode()
    assert "scomm@ice.example.gov" in text and "Please find our notice attached." in text
    assert reply_address(case_id=case.pk) in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            confirm,
            {
                "to": "scomm@ice.example.gov",
                "body": "Please find our notice attached.",
                "sha256": digest,
            },
        )
    assert response.status_code == 302
    [(mail_from, rcpt, content)] = smtp_receiver.messages
    assert rcpt == ["scomm@ice.example.gov"]
    message = email.message_from_bytes(content, policy=policy.default)
    row = OutgoingMail.objects.get(letter=letter)
    assert message["Message-ID"] == row.message_id
    assert message["Reply-To"] == row.reply_to
    assert address_case(row.reply_to) == (case.pk, True)
    [pdf] = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    letter.refresh_from_db()
    assert pdf.get_content() == letter.pdf.open("rb").read()
    assert "Please find our notice attached." in message.get_body().get_content()
    assert (
        row.status == "sent" and row.sent_at and row.accepted_recipients == "scomm@ice.example.gov"
    )
    delivery = Delivery.objects.get(letter=letter)
    assert delivery.method == "email" and delivery.reference == row.message_id
    assert letter.sha256 == digest
    proof = client.get(letter.get_absolute_url()).content.decode()
    message_id = row.message_id.replace("<", "&lt;").replace(">", "&gt;")
    assert message_id in proof
    assert f'Message-ID: <code class="hash">{message_id}</code>' in proof  # beside "Sent"


def test_a_letter_that_changed_since_its_confirmation_is_not_emailed(
    case, staff, client, smtp_receiver, django_capture_on_commit_callbacks
):
    letter = email_draft(case, staff)
    client.force_login(staff)
    confirm = reverse("correspondence:letter_email_confirm", args=[letter.pk])
    shown = client.get(confirm)
    digest = shown.context["sha256"]
    letters.letter_draft_update(letter_id=letter.pk, user=staff, body="Edited in another tab.")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            confirm, {"to": "scomm@ice.example.gov", "body": "Our notice.", "sha256": digest}
        )
    assert response.url == confirm
    letter.refresh_from_db()
    assert not letter.is_sent and smtp_receiver.messages == []
    assert not OutgoingMail.objects.exists() and not Delivery.objects.exists()
    again = client.get(confirm)
    assert again.context["sha256"] != digest
    assert letters.LETTER_CHANGED in again.content.decode()


def test_the_email_confirmation_is_for_the_jurisdictions_writers_only(
    case, staff, outsider, client
):
    """Another jurisdiction's staff may neither read the confirmation nor send the draft."""
    letter = email_draft(case, staff)
    client.force_login(outsider)
    confirm = reverse("correspondence:letter_email_confirm", args=[letter.pk])
    data = {"to": "a@b.example", "body": "x", "sha256": "0" * 64}
    assert client.get(confirm).status_code in (403, 404)
    assert client.post(confirm, data).status_code in (403, 404)
    letter.refresh_from_db()
    assert not letter.is_sent


def test_a_second_run_of_the_task_sends_nothing(
    case, staff, smtp_receiver, django_capture_on_commit_callbacks
):
    row = send_by_email(case, staff, django_capture_on_commit_callbacks)
    outbound.outgoing_mail_send(outgoing_id=row.pk)
    assert len(smtp_receiver.messages) == 1


def test_a_resend_after_a_crash_reuses_the_message_id(
    case, staff, smtp_receiver, django_capture_on_commit_callbacks
):
    """A worker that died after the server took it, before marking it sent: the same message."""
    row = send_by_email(case, staff, django_capture_on_commit_callbacks)
    OutgoingMail.objects.filter(pk=row.pk).update(status="queued", sent_at=None)
    outbound.outgoing_mail_send(outgoing_id=row.pk)
    ids = [
        email.message_from_bytes(c, policy=policy.default)["Message-ID"]
        for _f, _r, c in smtp_receiver.messages
    ]
    assert ids == [row.message_id, row.message_id]


def test_a_recipient_the_server_refuses_fails_the_copy(
    case, staff, smtp_receiver, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"nobody@ice.example.gov": (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    row = send_by_email(
        case, staff, django_capture_on_commit_callbacks, to="nobody@ice.example.gov"
    )
    assert row.status == "failed" and "refused" in row.error
    delivery = Delivery.objects.get(letter=row.letter)
    assert delivery.status == "failed"
    assert case.events.filter(kind="delivery_failed").exists()


def test_the_case_file_lists_each_copys_message_id_or_tracking_number(
    case, staff, client, smtp_receiver, django_capture_on_commit_callbacks
):
    """The letter's page and the case file's copies table: the Message-ID, the tracking number."""
    from django.template.loader import render_to_string

    from correspondence import selectors
    from correspondence.exports.record import case_file_context

    row = send_by_email(case, staff, django_capture_on_commit_callbacks)
    sib = email_draft(case, staff, "notice-sib")
    letters.letter_send(
        letter_id=sib.pk,
        user=staff,
        method="certified",
        sent_on=sib.letter_date,
        reference="7019 0140 0000 1234 5678",
    )
    client.force_login(staff)
    page = client.get(sib.get_absolute_url()).content.decode()
    assert 'Tracking number: <code class="hash">7019 0140 0000 1234 5678</code>' in page
    bundle = selectors.case_file(case=case, include_private=True)
    html = render_to_string(
        "correspondence/pdf/case_file.html",
        case_file_context({**bundle, "attachments_left_out": set()}),
    )
    table = html[html.index("Copies of the notice") :]
    assert "Tracking number or message ID" in table
    assert row.message_id.replace("<", "&lt;").replace(">", "&gt;") in table
    assert "7019 0140 0000 1234 5678" in table
