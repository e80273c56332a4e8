"""
Proofs of receipt: the return receipt card's scan, a fax confirmation, an
email reply saved as PDF. Stored under the private media root, beside the
letters and never in MEDIA_ROOT, and judged by their content before
anything is saved: a PDF, a PNG or a JPEG, within SCOMM_MAX_UPLOAD_BYTES.
"""

import uuid
from pathlib import Path

from django.core.exceptions import ValidationError

from core.files import kind_of, private_storage, upload_head

# The kinds a proof may be (core.files.kind_of tells them by their first bytes).
PROOF_KINDS = {
    "pdf": (".pdf", "application/pdf"),
    "png": (".png", "image/png"),
    "jpeg": (".jpg", "image/jpeg"),
}
CONTENT_TYPES = dict(PROOF_KINDS.values())


def receipt_storage():
    """Where proofs are kept: the private media root (core.files), named here by the migrations."""
    return private_storage()


def receipt_proof_path(instance, filename):
    """The server picks the name; the extension is the one proof_check gave the content."""
    extension = Path(filename or "").suffix.lower()
    if extension not in CONTENT_TYPES:
        extension = ""
    return f"receipts/{uuid.uuid4().hex}{extension}"


def proof_check(upload) -> str:
    """
    The extension a proof is stored under (".pdf", ".png", ".jpg"), judged
    by its first bytes and never its name, or a ValidationError saying why
    it is refused: empty, too large, or not a PDF, PNG or JPEG.
    """
    name = Path(getattr(upload, "name", "") or "the file").name
    kind = kind_of(upload_head(upload, name=name))
    if kind in PROOF_KINDS:
        return PROOF_KINDS[kind][0]
    raise ValidationError(
        f"“{name}” is not a PDF, a PNG or a JPEG image. "
        "Proofs are checked by their content, not by their name."
    )
