"""A bounce of a notice sent by email: that copy failed, and the case is back to draft."""

from correspondence.mail.inbound import mail_receive
from correspondence.models import IncomingMail
from optouts.models import Delivery, OptOutRequest
from reminders.models import Notification
from tests.correspondence.mail_support import post_sib_copy, send_by_email


def dsn(original_id: str, message_id="<bounce-1@mx.example.gov>") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.gov>\r\n"
        "To: noreply@scomm.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.gov\r\n\r\n"
        "Final-Recipient: rfc822; ice@example.gov\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\nSubject: notice\r\n\r\n--B--\r\n"
    ).encode()


def test_a_bounce_fails_the_copy_and_the_case_goes_back_to_notice_partly_sent(
    case, staff, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post_sib_copy(case, staff)
    sent = send_by_email(case, staff, django_capture_on_commit_callbacks)
    assert OptOutRequest.objects.get(pk=case.pk).stage == "notice_sent"
    with django_capture_on_commit_callbacks(execute=True):
        row = mail_receive(raw=dsn(sent.message_id), source="pipe")
    assert row.status == "bounce" and row.request_id == case.pk
    delivery = Delivery.objects.get(letter=sent.letter)
    assert delivery.status == "failed" and "5.1.1" in delivery.failure
    case.refresh_from_db()
    assert case.stage == "draft"
    assert case.events.filter(kind="delivery_failed").exists()
    assert case.events.filter(kind="stage", to_stage="draft", summary__contains="did not arrive")
    from optouts.services import missing_recipients

    assert missing_recipients(case) == ["ICE"]
    assert Notification.objects.filter(user=staff, event__kind="delivery_failed").exists()
    sent.refresh_from_db()
    assert sent.status == "failed"
    # The same bounce again changes nothing.
    mail_receive(raw=dsn(sent.message_id), source="pipe")
    assert IncomingMail.objects.count() == 1
    assert case.events.filter(kind="delivery_failed").count() == 1


def test_a_bounce_of_a_message_never_sent_from_here_is_held(db):
    row = mail_receive(raw=dsn("<never@elsewhere>"), source="pipe")
    assert (row.status, row.reason) == ("held", "no_case")
