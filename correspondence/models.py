"""
The correspondence of a case: every letter, email, fax, call and meeting, in
and out, with its attachments; the letter templates an admin edits; the
letters drafted from them; and the exports counsel takes away.

A sent letter is frozen: its PDF is stored once, its SHA-256 kept, and no
save, update or delete may change it afterwards.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.files import private_storage
from jurisdictions.models import OfficeKind
from optouts.models import Delivery, DeliveryMethod, OptOutRequest, Recipient

from .placeholders import placeholders_check


def _server_name(folder: str, extension: str) -> str:
    return f"{folder}/{uuid.uuid4().hex}{extension}"


def attachment_path(instance, filename):
    """The server picks the name; the user's file name is only kept for display."""
    return _server_name("attachments", instance.extension)


def letter_path(instance, filename):
    return _server_name("letters", ".pdf")


def export_path(instance, filename):
    return _server_name("exports", ".pdf" if instance.kind == CaseExport.Kind.PDF else ".zip")


class Direction(models.TextChoices):
    INCOMING = "in", "Received"
    OUTGOING = "out", "Sent"


class Method(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    FAX = "fax", "Fax"
    PHONE = "phone", "Phone call"
    MEETING = "meeting", "Meeting minutes"
    OTHER = "other", "Other"


class Correspondence(models.Model):
    """One piece of correspondence of a case, in or out, as it happened."""

    Direction = Direction
    Method = Method

    request = models.ForeignKey(
        OptOutRequest, on_delete=models.CASCADE, related_name="correspondence"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    occurred_on = models.DateField("date")
    sender = models.CharField("from", max_length=300)
    recipient = models.CharField("to", max_length=300)
    summary = models.TextField(help_text="What was said or written.")
    is_public = models.BooleanField(
        "public",
        default=True,
        help_text="Untick to keep it for the jurisdiction's staff and counsel only.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "correspondence"
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["request", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="correspondence_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=Method.values), name="correspondence_method_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.get_direction_display().lower()} on {self.occurred_on}"


class Attachment(models.Model):
    """A file of a piece of correspondence, checked by its content and named by the server."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        PNG = "png", "PNG image"
        JPEG = "jpeg", "JPEG image"
        GIF = "gif", "GIF image"
        DOCX = "docx", "Word document"
        DOC = "doc", "Word 97-2003 document"

    CONTENT_TYPES = {
        "pdf": "application/pdf",
        "png": "image/png",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc": "application/msword",
    }
    EXTENSIONS = {
        "pdf": ".pdf",
        "png": ".png",
        "jpeg": ".jpg",
        "gif": ".gif",
        "docx": ".docx",
        "doc": ".doc",
    }

    correspondence = models.ForeignKey(
        Correspondence, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=200)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["pdf", "png", "jpeg", "gif", "docx", "doc"]),
                name="attachment_kind_valid",
            ),
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("correspondence:attachment", args=[self.pk])

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.kind]

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.kind]

    @property
    def is_image(self) -> bool:
        return self.kind in {"png", "jpeg", "gif"}


class LetterTemplate(models.Model):
    """
    A letter an admin can edit. The subject and body are plain text with
    {{ field }} placeholders taken from a fixed list (see
    correspondence.placeholders.PLACEHOLDERS); no template tag ever runs.
    """

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    recipient = models.CharField(max_length=20, choices=Recipient.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    cc = models.CharField(
        "copies to", max_length=300, blank=True, help_text="Printed as “cc:” under the signature."
    )
    office = models.CharField(
        "written by",
        max_length=24,
        choices=OfficeKind.choices,
        blank=True,
        help_text="The jurisdiction's office whose letterhead, return address and signatory "
        "the letter carries. Blank: the office that makes the request.",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__in=Recipient.values), name="letter_template_recipient_valid"
            ),
            models.CheckConstraint(
                condition=Q(office="") | Q(office__in=OfficeKind.values),
                name="letter_template_office_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        for field in ("subject", "body", "cc"):
            try:
                placeholders_check(getattr(self, field))
            except ValidationError as exc:
                errors[field] = exc.messages
        if errors:
            raise ValidationError(errors)


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


class FrozenLetterError(ValidationError):
    """A sent letter is what was sent: it never changes."""


class LetterQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(status=LetterStatus.SENT).exists():
            raise FrozenLetterError("A sent letter cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=LetterStatus.SENT).exists():
            raise FrozenLetterError("A sent letter cannot be deleted.")
        return super().delete()


class Letter(models.Model):
    """A letter of a case: a draft anyone of the jurisdiction may edit, then sent and frozen."""

    Status = LetterStatus

    request = models.ForeignKey(OptOutRequest, on_delete=models.PROTECT, related_name="letters")
    template = models.ForeignKey(
        LetterTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=5, choices=LetterStatus.choices, default="draft")
    recipient = models.CharField(max_length=20, choices=Recipient.choices)
    recipient_name = models.CharField("addressed to", max_length=200)
    recipient_address = models.TextField("address", blank=True)
    letter_date = models.DateField("date on the letter")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    cc = models.CharField("copies to", max_length=300, blank=True)
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=200, blank=True)
    office = models.CharField("written by", max_length=24, choices=OfficeKind.choices, blank=True)
    letterhead = models.TextField(
        blank=True,
        editable=False,
        help_text="The letterhead as sent; a draft prints its office's letterhead of the day.",
    )
    method = models.CharField(max_length=10, choices=DeliveryMethod.choices, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(
        upload_to=letter_path, storage=private_storage, blank=True, max_length=200
    )
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    delivery = models.OneToOneField(
        Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="letter"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["letter_date", "id"]
        indexes = [models.Index(fields=["request", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=LetterStatus.values), name="letter_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(recipient__in=Recipient.values), name="letter_recipient_valid"
            ),
            models.CheckConstraint(
                condition=Q(office="") | Q(office__in=OfficeKind.values),
                name="letter_office_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", sha256="", sent_on__isnull=True)
                | (
                    Q(status="sent", sent_on__isnull=False)
                    & Q(sha256__regex=r"^[0-9a-f]{64}$")
                    & ~Q(pdf="")
                ),
                name="letter_sent_is_frozen",
                violation_error_message="A sent letter has its date, its PDF and its SHA-256; a draft has none.",
            ),
        ]

    def __str__(self):
        return f"{self.subject} — {self.recipient_name} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs):
        # The one rule no caller may bypass: what was sent stays as sent.
        if self.pk and Letter.objects.filter(pk=self.pk, status=LetterStatus.SENT).exists():
            raise FrozenLetterError("A sent letter cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("correspondence:letter", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self.pk and Letter.objects.filter(pk=self.pk, status=LetterStatus.SENT).exists():
            raise FrozenLetterError("A sent letter cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_sent(self) -> bool:
        return self.status == LetterStatus.SENT


class CaseExport(models.Model):
    """A case file built in the background for counsel: one PDF, or a ZIP of the originals."""

    class Kind(models.TextChoices):
        PDF = "pdf", "Case file (PDF)"
        ZIP = "zip", "Originals (ZIP)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(OptOutRequest, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    include_private = models.BooleanField(
        default=False, help_text="Drafts, private correspondence and internal notes included."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default="queued")
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    file = models.FileField(
        upload_to=export_path, storage=private_storage, blank=True, max_length=200
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Stamped by every step of the build: an unfinished export whose last sign
    # of life is older than the build's time limit was lost with its worker.
    heartbeat_at = models.DateTimeField(default=timezone.now)
    # The case's updated_at as it stood when its content was read: a finished
    # export is handed out again only while the case still has that stamp.
    case_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One export per case, kind and audience is queued or building at a time.
            models.UniqueConstraint(
                fields=["request", "kind", "include_private"],
                condition=Q(status__in=["queued", "running"]),
                name="export_one_unfinished",
            ),
            models.CheckConstraint(condition=Q(kind__in=["pdf", "zip"]), name="export_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="export_status_valid",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_percent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.request} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("correspondence:export", args=[self.pk])

    @property
    def filename(self) -> str:
        j = self.request.jurisdiction
        stem = f"case-{self.request_id}-{j.name}".lower().replace(" ", "-")
        stem = "".join(c for c in stem if c.isalnum() or c in "-_")
        return f"{stem}{'-private' if self.include_private else ''}.{self.kind}"


from .models_mail import IncomingMail, OutgoingMail  # noqa: E402, F401  (mail in and out)
