"""
Proofs of receipt: the return receipt card's scan, a fax confirmation, an
email reply saved as PDF. Stored under the private media root, beside the
letters and never in MEDIA_ROOT, and judged by their content before
anything is saved: a PDF, a PNG or a JPEG, within SCOMM_MAX_UPLOAD_BYTES.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

# The kinds a proof may be, by the bytes it starts with.
PROOF_KINDS = {
    "pdf": (b"%PDF-", ".pdf", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
    "jpeg": (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
}
CONTENT_TYPES = {extension: ctype for _, extension, ctype in PROOF_KINDS.values()}


@deconstructible
class ReceiptStorage(FileSystemStorage):
    """
    Private files: only the view that checks who may see the case reads
    them, so they have no URL. The root is read when first used, never at
    import time, so tests and deployments can move it.
    """

    @cached_property
    def base_location(self):
        configured = getattr(settings, "SCOMM_PRIVATE_MEDIA_ROOT", None)
        if configured:
            return str(configured)
        media = Path(settings.MEDIA_ROOT)
        return str(media.parent / f"{media.name}-private")

    @cached_property
    def location(self):
        return str(Path(self.base_location).resolve())

    def url(self, name):
        raise ValueError("Private files have no public URL; they are served by a view.")


_receipt_storage = ReceiptStorage()


def receipt_storage():
    return _receipt_storage


def receipt_proof_path(instance, filename):
    """The server picks the name; the extension is the one proof_check gave the content."""
    extension = Path(filename or "").suffix.lower()
    if extension not in CONTENT_TYPES:
        extension = ""
    return f"receipts/{uuid.uuid4().hex}{extension}"


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def proof_check(upload) -> str:
    """
    The extension a proof is stored under (".pdf", ".png", ".jpg"), judged
    by its first bytes and never its name, or a ValidationError saying why
    it is refused: empty, too large, or not a PDF, PNG or JPEG.
    """
    name = Path(getattr(upload, "name", "") or "the file").name
    limit = settings.SCOMM_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size == 0:
        raise ValidationError(f"“{name}” is empty.")
    if size > limit:
        raise ValidationError(
            f"“{name}” is too large ({_size(size)}); the limit is {_size(limit)}."
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, extension, _ in PROOF_KINDS.values():
        if head.startswith(magic):
            return extension
    raise ValidationError(
        f"“{name}” is not a PDF, a PNG or a JPEG image. "
        "Proofs are checked by their content, not by their name."
    )


def display_name(name: str) -> str:
    """The uploaded file's name, cut to something safe to show and to offer back."""
    name = Path(name or "proof").name
    cleaned = "".join(c for c in name if c.isprintable() and c not in '\\/:*?"<>|').strip()
    return (cleaned or "proof")[:200]
