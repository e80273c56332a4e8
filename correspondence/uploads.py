"""
Uploaded files, judged by their content: what kind of file each is, or why
it is refused, before anything is saved.
"""

from django.core.exceptions import ValidationError

from core.files import kind_of, upload_head, zip_kind


def upload_check(upload) -> str:
    """
    The kind of an uploaded file, judged by its content (never its name), or
    a ValidationError saying why it is refused: empty, too large, or not a
    PDF, an image or a Word document.
    """
    name = getattr(upload, "name", "") or "the file"
    kind = kind_of(upload_head(upload, name=name))
    if kind == "zip":
        kind = zip_kind(upload, name=name)  # a Word document, not one with macros
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
