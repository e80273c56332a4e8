"""
Uploaded files, judged by their content: what kind of file each is, or why
it is refused, before anything is saved.
"""

import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _megabytes(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def upload_check(upload) -> str:
    """
    The kind of an uploaded file, judged by its content (never its name), or
    a ValidationError saying why it is refused: empty, too large, or not a
    PDF, an image or a Word document.
    """
    name = getattr(upload, "name", "") or "the file"
    limit = settings.SCOMM_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size == 0:
        raise ValidationError(f"“{name}” is empty.")
    if size > limit:
        raise ValidationError(
            f"“{name}” is too large ({_megabytes(size)}); the limit is {_megabytes(limit)}."
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kind = "gif"
    elif head.startswith(_OLE):
        kind = "doc"
    elif head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                if "word/document.xml" in archive.namelist():
                    kind = "docx"
        except zipfile.BadZipFile:
            kind = None
        upload.seek(0)
    if kind in {"png", "jpeg", "gif"}:
        from PIL import Image

        try:
            with Image.open(upload) as image:
                image.verify()
        except Exception:
            kind = None
        upload.seek(0)
    if kind is None:
        raise ValidationError(
            f"“{name}” is not a PDF, an image (PNG, JPEG, GIF) or a Word document. "
            "Files are checked by their content, not by their name."
        )
    return kind


def display_name(name: str) -> str:
    """The user's file name, cut to something safe to show and to offer back as a download name."""
    name = Path(name or "file").name
    cleaned = "".join(c for c in name if c.isprintable() and c not in '\\/:*?"<>|')
    return cleaned.strip()[:200] or "file"
