"""
Mail in and out of a case.

OutgoingMail is the ledger of a letter sent by email: one row per letter,
written with its Message-ID before anything is sent, claimed under lock by
the task that sends it, so the letter goes out once and a resend after a
crash reuses the same Message-ID (the recipient's mail system then sees one
message). IncomingMail is every message received, kept whole as a frozen
.eml with its SHA-256: filed on its case, or held for an admin with the
reason, never dropped.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from optouts.models import OptOutRequest


def _private_storage():
    from .models import private_storage

    return private_storage()


def eml_path(instance, filename):
    return f"mail/{uuid.uuid4().hex}.eml"


class OutgoingMail(models.Model):
    """One letter sent by email: what was sent, to whom, and the proof the server took it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    letter = models.OneToOneField(
        "correspondence.Letter", on_delete=models.PROTECT, related_name="email"
    )
    request = models.ForeignKey(
        OptOutRequest, on_delete=models.CASCADE, related_name="outgoing_mail"
    )
    to = models.CharField(max_length=300, help_text="The recipient's address.")
    from_address = models.CharField("from", max_length=300)
    reply_to = models.CharField(max_length=300)
    subject = models.CharField(max_length=300)
    body = models.TextField("cover text")
    message_id = models.CharField("Message-ID", max_length=250, unique=True)
    status = models.CharField(max_length=6, choices=Status.choices, default="queued")
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_recipients = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "email sent"
        verbose_name_plural = "emails sent"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sent", "failed"]),
                name="outgoing_mail_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outgoing_mail_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.get_status_display().lower()})"


class IncomingMail(models.Model):
    """One message received: filed on a case, a bounce of a sent letter, or held with why."""

    class Status(models.TextChoices):
        FILED = "filed", "Filed on the case"
        BOUNCE = "bounce", "Delivery failure of a sent letter"
        HELD = "held", "Held for an admin"
        DISCARDED = "discarded", "Discarded by an admin"

    class Reason(models.TextChoices):
        NONE = "", "—"
        NO_CASE = "no_case", "Matches no case"
        BAD_TOKEN = "bad_token", "Reply address with a wrong or forged token"
        AMBIGUOUS = "ambiguous", "Matches more than one case"
        TOO_LARGE = "too_large", "Too large"
        UNREADABLE = "unreadable", "Not a readable message"

    message_id = models.CharField("Message-ID", max_length=250, unique=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField()
    eml = models.FileField(
        "original message", upload_to=eml_path, storage=_private_storage, max_length=200
    )
    eml_is_partial = models.BooleanField(
        default=False, help_text="Only the headers were kept: the message was over the size limit."
    )
    source = models.CharField(max_length=20, help_text="How it came: pipe or IMAP.")
    status = models.CharField(max_length=9, choices=Status.choices)
    reason = models.CharField(max_length=10, choices=Reason.choices, blank=True)
    warnings = models.TextField(blank=True)
    from_header = models.CharField("from", max_length=300, blank=True)
    to_header = models.CharField("to", max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="The message's text, as plain text.")
    request = models.ForeignKey(
        OptOutRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="incoming_mail",
    )
    correspondence = models.OneToOneField(
        "correspondence.Correspondence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incoming_mail",
    )
    received_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "email received"
        verbose_name_plural = "emails received"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["filed", "bounce", "held", "discarded"]),
                name="incoming_mail_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | ~Q(reason=""),
                name="incoming_mail_held_has_reason",
                violation_error_message="A held message says why it was held.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["filed", "bounce"]) | Q(request__isnull=False),
                name="incoming_mail_filed_has_case",
            ),
        ]

    def __str__(self):
        return f"{self.subject or '(no subject)'} — {self.from_header or '(no sender)'}"

    def get_absolute_url(self):
        return reverse("correspondence:mail_eml", args=[self.pk])
