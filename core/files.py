"""
Files people upload and files the site keeps private, for every app.

Private files (attachments, frozen letters, exports, proofs of receipt,
original emails) live beside MEDIA_ROOT, never in it, so no static or media
route can serve them: only the views that check permissions read them.

An upload is judged by its first bytes, never by its name: a file called
"receipt.pdf" that is an executable is refused, and a scan called "scan"
that is a PDF is kept.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

# Kinds told apart by the bytes a file starts with.
MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    # The old binary Word format (OLE compound file).
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),
    # A ZIP container: a .docx, or any other archive.
    (b"PK\x03\x04", "zip"),
)


@deconstructible
class PrivateStorage(FileSystemStorage):
    """
    Files with no URL. The root is read when first used, never at import
    time, so tests and deployments can move it.
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


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _private_storage


def megabytes(size: int) -> str:
    """A size as people read it: "900 bytes", "820.5 KB", "31.5 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def upload_head(upload, *, name: str) -> bytes:
    """
    The first bytes of an upload, after refusing one that is empty or over
    SCOMM_MAX_UPLOAD_BYTES with a ValidationError naming the file. The
    upload is left at its start.
    """
    limit = settings.SCOMM_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size == 0:
        raise ValidationError(f"“{name}” is empty.")
    if size > limit:
        raise ValidationError(
            f"“{name}” is too large ({megabytes(size)}); the limit is {megabytes(limit)}."
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return head


def kind_of(head: bytes) -> str | None:
    """The kind of a file by its first bytes (a key of MAGIC's kinds), or None."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return None


def display_name(name: str, *, default: str = "file") -> str:
    """The user's file name, cut to something safe to show and to offer back as a download name."""
    name = Path(name or default).name
    cleaned = "".join(c for c in name if c.isprintable() and c not in '\\/:*?"<>|').strip()
    return cleaned[:200] or default


# --- kinds, and how each is kept and served ---------------------------------------------------
#
# A file is stored and served under the extension and content type of the kind
# its bytes show, never the uploader's: a PDF called "report.exe" downloads as
# "report.pdf", and a GIF that is also an HTML page as "pic.gif", with
# `nosniff` so that no browser second-guesses the type.

KINDS = {
    "pdf": (".pdf", "application/pdf"),
    "png": (".png", "image/png"),
    "jpeg": (".jpg", "image/jpeg"),
    "gif": (".gif", "image/gif"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "doc": (".doc", "application/msword"),
}
KIND_BY_EXTENSION = {extension: kind for kind, (extension, _) in KINDS.items()}

MACROS_REFUSED = (
    "“{name}” is a Word document with macros, which could run on the computer of whoever "
    "opens it. Save it as a plain Word document (.docx) or as PDF, then upload that file."
)


def extension_of(kind: str) -> str:
    return KINDS[kind][0]


def content_type_of(kind: str) -> str:
    return KINDS[kind][1] if kind in KINDS else "application/octet-stream"


def zip_kind(upload, *, name: str) -> str | None:
    """
    The kind of a ZIP upload: "docx" for a Word document, None for any other
    archive; a ValidationError for a Word document with macros (a .docm, or
    a .docx that holds a VBA project). The upload is left at its start.
    """
    import zipfile

    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "word/document.xml" not in names:
        return None
    macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    if macros or b"macroenabled" in types.lower() or name.lower().endswith((".docm", ".dotm")):
        raise ValidationError(MACROS_REFUSED.format(name=name))
    return "docx"


def download_name(name: str, kind: str, *, default: str = "file") -> str:
    """The user's file name, shown safe, with the extension of the kind its content is."""
    stem = Path(display_name(name, default=default)).stem.strip(". ") or default
    return f"{stem[:190]}{extension_of(kind)}"


def download_response(file, *, name: str, kind: str):
    """
    A private file served for download: always as an attachment, named and
    typed by its kind, never sniffed by the browser nor run as a page.
    """
    from django.http import FileResponse

    response = FileResponse(
        file,
        as_attachment=True,
        filename=download_name(name, kind),
        content_type=content_type_of(kind),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
