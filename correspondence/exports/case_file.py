"""
The case file as one PDF: a cover with the timeline and the correspondence
log, then every letter and every PDF attachment in date order, merged with
pypdf.
"""

import io
import logging

from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter

from .. import pdf
from ..letters import letter_render_pdf, seal_media

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


def case_file_pdf(*, bundle: dict, report=lambda *a: None) -> bytes:
    """
    The whole case file as one PDF: the cover with the timeline and the log,
    then every letter and every PDF attachment in date order. An attachment
    that cannot be read is listed on the cover as being in the ZIP of
    originals and left out of the merge, rather than failing the file.
    """
    items = bundle["documents"]
    total = len(items) + 2
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
    bundle = {**bundle, "attachments_left_out": left_out}
    report(0, total, "Laying out the cover and the timeline")
    cover = pdf.render_html_pdf(
        html=render_to_string("correspondence/pdf/case_file.html", bundle),
        media=_cover_media(bundle),
    )
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    for index, item in enumerate(items, start=1):
        report(index, total, f"Adding {item['title']}")
        if item["type"] == "letter":
            writer.append(PdfReader(io.BytesIO(letter_render_pdf(letter=item["letter"]))))
        elif item["attachment"].pk in readable:
            writer.append(readable[item["attachment"].pk])
    report(total - 1, total, "Merging")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
