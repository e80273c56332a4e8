"""
The case file as one PDF: the cover, the timeline and the logs (laid out by
WeasyPrint from the case file's template), then every letter and every PDF
attachment in date order, merged with pypdf, and then every page of the
whole file numbered "page n of N" (numbers_stamp): each part counts its own
pages, so only the merged file knows the total.
"""

import io
import logging

from django.template.loader import render_to_string
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from ..letters import letter_render_pdf, seal_media
from .record import case_file_context

logger = logging.getLogger(__name__)


def _cover_media(bundle: dict) -> dict[str, str]:
    media = seal_media(bundle["case"].jurisdiction)
    for entry in bundle["correspondence"]:
        for attachment in entry.attachments.all():
            if attachment.is_image:
                media[f"attachment-{attachment.pk}"] = attachment.file.path
    return media


def attachment_pdf_read(attachment) -> PdfReader | None:
    """
    The pages of a PDF attachment, ready to merge, or None when the file
    cannot be merged (damaged, or encrypted). The pages are written out once
    here, so damage that shows only while writing leaves the attachment out
    of the case file instead of failing the whole file; the ZIP of originals
    still has it as uploaded.
    """
    with attachment.file.open("rb") as source:
        content = source.read()
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return None
        trial = PdfWriter()
        trial.append(reader)
        buffer = io.BytesIO()
        trial.write(buffer)
        buffer.seek(0)
        return PdfReader(buffer)
    except Exception:  # a damaged upload fails in many ways inside pypdf
        logger.info("Attachment %s left out of the case file: not a readable PDF", attachment.pk)
        return None


def numbers_label(bundle: dict) -> str:
    """What each page's number says the file is, so that a loose page can be put back."""
    version = "jurisdiction's version" if bundle["include_private"] else "public version"
    return f"Case file #{bundle['case'].pk} ({version})"


def _place(page: PageObject, stamp: PageObject) -> Transformation:
    """Put the stamp's bottom right corner on the page's, whatever the page's size."""
    box, own = page.mediabox, stamp.mediabox
    return Transformation().translate(
        float(box.right) - float(own.right), float(box.bottom) - float(own.bottom)
    )


def numbers_stamp(writer: PdfWriter, *, label: str) -> None:
    """
    Number every page of the merged file "page n of N". The numbers are laid
    out by WeasyPrint on pages of their own, one per page of the file, and
    laid over each page in turn; a page that was turned (/Rotate) is turned
    upright in its content first, so the number reads the right way up.
    """
    from .. import pdf  # WeasyPrint, loaded by the first PDF laid out

    total = len(writer.pages)
    numbers = PdfReader(
        io.BytesIO(
            pdf.render_html_pdf(
                html=render_to_string(
                    "correspondence/pdf/case_file_numbers.html",
                    {"label": label, "numbers": range(1, total + 1), "total": total},
                )
            )
        )
    )
    if len(numbers.pages) != total:
        raise RuntimeError(f"{len(numbers.pages)} page numbers laid out for {total} pages")
    for page, stamp in zip(writer.pages, numbers.pages, strict=True):
        if page.rotation:
            page.transfer_rotation_to_content()
        page.merge_transformed_page(stamp, _place(page, stamp))


def case_file_pdf(*, bundle: dict, report=lambda *a: None) -> bytes:
    """
    The whole case file as one PDF: the cover, the timeline and the logs,
    then every letter and every PDF attachment in date order, every page
    numbered. An attachment that cannot be read is listed as being in the
    ZIP of originals and left out of the merge, rather than failing the file.
    """
    items = bundle["documents"]
    total = len(items) + 3
    report(0, total, "Reading the attachments")
    readable = {}
    for item in items:
        if item["type"] == "attachment":
            reader = attachment_pdf_read(item["attachment"])
            if reader is not None:
                readable[item["attachment"].pk] = reader
    left_out = {
        item["attachment"].pk
        for item in items
        if item["type"] == "attachment" and item["attachment"].pk not in readable
    }
    context = case_file_context({**bundle, "attachments_left_out": left_out})
    report(1, total, "Laying out the cover, the timeline and the logs")
    from .. import pdf  # WeasyPrint, loaded by the first PDF laid out

    cover = pdf.render_html_pdf(
        html=render_to_string("correspondence/pdf/case_file.html", context),
        media=_cover_media(bundle),
    )
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    for index, item in enumerate(items, start=2):
        report(index, total, f"Adding the {item['title']}")
        if item["type"] == "letter":
            writer.append(PdfReader(io.BytesIO(letter_render_pdf(letter=item["letter"]))))
        elif item["attachment"].pk in readable:
            writer.append(readable[item["attachment"].pk])
    report(total - 1, total, f"Numbering the {len(writer.pages)} pages")
    numbers_stamp(writer, label=numbers_label(bundle))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
