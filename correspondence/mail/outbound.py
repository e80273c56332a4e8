"""
A letter sent by email from the site.

Sending freezes the letter and records the copy on the case at once (as for
a letter posted or faxed), and writes the OutgoingMail row with its
Message-ID in the same transaction; the message itself leaves from a Celery
task after the commit. The task locks that row and sends only while it is
still waiting, so a task run twice sends once, and a task whose worker died
before marking the row sent sends again with the same Message-ID.
"""

import re
import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import outbox
from jurisdictions.models import StateIdentificationBureau
from optouts import services as optout_services
from optouts.models import Recipient
from optouts.selectors import ice_office_for

from .. import letters
from ..models import Letter, OutgoingMail
from .addresses import new_message_id, reply_address

# Refusals a second try will not change: the address does not exist, the
# message is refused. Anything else (a server down, a timeout) is retried.
PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def letter_email_default(*, letter: Letter) -> str:
    """The recipient's address from the directory: the SIB's or the ICE office's email."""
    jurisdiction = letter.request.jurisdiction
    if letter.recipient == Recipient.SIB:
        sib = StateIdentificationBureau.objects.filter(state_id=jurisdiction.state_id).first()
        return sib.email if sib else ""
    if letter.recipient == Recipient.ICE:
        office = ice_office_for(jurisdiction=jurisdiction)
        return office.email if office else ""
    return ""


def cover_text(*, letter: Letter) -> str:
    """The short text of the email; the letter itself is the attached PDF."""
    jurisdiction = letter.request.jurisdiction
    return (
        f"Dear {letter.recipient_name},\n\n"
        f"Please find attached the letter “{letter.subject}” dated "
        f"{letter.letter_date:%B %-d, %Y}, from {jurisdiction.name}, {jurisdiction.state.name}.\n\n"
        "Replying to this email files your answer with the request.\n\n"
        f"{letter.signatory_name}\n{letter.signatory_title}\n"
    ).replace("\n\n\n", "\n\n")


def _pdf_name(letter: Letter) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", letter.subject.lower()).strip("-")[:60] or "letter"
    return f"{stem}.pdf"


@transaction.atomic
def letter_email_send(
    *, letter_id: int, user, to: str, body: str = "", expected_sha256: str = ""
) -> OutgoingMail:
    """
    Send a draft letter by email: freeze it and record the copy on the case
    (letters.letter_send, method email, the Message-ID as its reference),
    write the ledger row, and queue the sending after the commit.

    `expected_sha256` is the hash of the PDF the sender confirmed: a letter
    that prints differently now is refused (letters.LETTER_CHANGED) rather
    than emailed unseen.
    """
    to = (to or "").strip()
    try:
        validate_email(to)
    except ValidationError:
        raise ValidationError({"to": "Give the recipient's email address."}) from None
    from_address = settings.SCOMM_MAIL_FROM
    letter = Letter.objects.select_related("request__jurisdiction__state").get(pk=letter_id)
    message_id = new_message_id()
    letter = letters.letter_send(
        letter_id=letter_id,
        user=user,
        method="email",
        sent_on=max(timezone.localdate(), letter.letter_date),
        reference=message_id,
        expected_sha256=expected_sha256,
    )
    row = OutgoingMail(
        letter=letter,
        request_id=letter.request_id,
        to=to,
        from_address=from_address,
        reply_to=reply_address(case_id=letter.request_id),
        subject=letter.subject[:300],
        body=(body or "").strip() or cover_text(letter=letter),
        message_id=message_id,
        created_by=user,
    )
    row.full_clean()
    row.save()
    from ..tasks import outgoing_mail_send

    outbox.enqueue(outgoing_mail_send, row.pk)
    return row


def _message(row: OutgoingMail) -> EmailMessage:
    letter = row.letter
    with letter.pdf.open("rb") as handle:
        content = handle.read()
    message = EmailMessage(
        subject=" ".join(row.subject.split()),
        body=row.body,
        from_email=row.from_address,
        to=[row.to],
        reply_to=[row.reply_to],
        headers={"Message-ID": row.message_id},
    )
    message.attach(_pdf_name(letter), content, "application/pdf")
    return message


def outgoing_mail_send(*, outgoing_id: int) -> OutgoingMail:
    """
    Send one queued email, holding its row locked while the mail server takes
    it, so a duplicate task waits and then finds it sent. A refusal a retry
    cannot change marks the email and the case's copy failed; any other error
    propagates for the task to retry.
    """
    with transaction.atomic():
        row = (
            OutgoingMail.objects.select_for_update(of=("self",))
            .select_related("letter__request")
            .get(pk=outgoing_id)
        )
        if row.status != OutgoingMail.Status.QUEUED:
            return row
        try:
            _message(row).send(fail_silently=False)
        except PERMANENT as exc:
            permanent = exc
        else:
            row.status = OutgoingMail.Status.SENT
            row.attempts += 1
            row.sent_at = timezone.now()
            row.accepted_recipients = row.to
            row.error = ""
            row.save(
                update_fields=["status", "attempts", "sent_at", "accepted_recipients", "error"]
            )
            return row
    return outgoing_mail_fail(
        outgoing_id=outgoing_id, reason=f"The mail server refused it: {permanent}"
    )


@transaction.atomic
def outgoing_mail_fail(*, outgoing_id: int, reason: str) -> OutgoingMail:
    """
    An email that will not arrive (refused when sent, out of retries, or
    bounced later): the row is marked failed and the case's copy with it,
    through the case's services. Safe to repeat.
    """
    row = OutgoingMail.objects.select_related("letter").get(pk=outgoing_id)
    if row.letter.delivery_id:
        optout_services.delivery_fail(
            delivery_id=row.letter.delivery_id,
            reason=reason,
            source=f"Email {row.message_id}",
        )
    row = OutgoingMail.objects.select_for_update().get(pk=outgoing_id)
    if row.status != OutgoingMail.Status.FAILED:
        row.status = OutgoingMail.Status.FAILED
        row.error = reason[:2000]
        row.save(update_fields=["status", "error"])
    return row


def outgoing_mail_note_error(*, outgoing_id: int, error: str) -> None:
    """Keep the last error of a try that will be retried, for the admin to read."""
    OutgoingMail.objects.filter(pk=outgoing_id, status=OutgoingMail.Status.QUEUED).update(
        error=error[:2000], attempts=F("attempts") + 1
    )
