"""
The ZIP of originals: every letter as frozen and every attachment as
uploaded, with an index.csv of their SHA-256 sums, the timeline and the log.
"""

import hashlib
import io
import re
import zipfile
from pathlib import Path

from core import csvsafe

from ..letters import letter_render_pdf


def _safe(text: str) -> str:
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")
    return text[:60] or "file"


def case_file_zip(*, bundle: dict, report=lambda *a: None) -> bytes:
    """
    The originals (frozen letters, attachments as uploaded) with an index.csv and the
    timeline; every CSV cell a person typed is defused for spreadsheets (core.csvsafe).
    """
    buffer = io.BytesIO()
    index = io.StringIO()
    writer = csvsafe.writer(index)
    writer.writerow(["file", "type", "date", "from", "to", "description", "sha256"])
    items = bundle["documents_all"]
    total = len(items) + 1
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, item in enumerate(items, start=1):
            report(number, total, f"Adding {item['title']}")
            if item["type"] == "letter":
                letter = item["letter"]
                content = letter_render_pdf(letter=letter)
                status = "" if letter.is_sent else "-DRAFT"
                name = f"letters/{item['date']:%Y-%m-%d}-letter-{letter.pk}{status}-{_safe(letter.recipient_name)}.pdf"
                writer.writerow(
                    [
                        name,
                        "letter" if letter.is_sent else "draft letter",
                        item["date"].isoformat(),
                        letter.signatory_name,
                        letter.recipient_name,
                        letter.subject,
                        letter.sha256 or hashlib.sha256(content).hexdigest(),
                    ]
                )
            else:
                attachment = item["attachment"]
                entry = item["entry"]
                with attachment.file.open("rb") as source:
                    content = source.read()
                stem = Path(attachment.original_name).stem
                name = (
                    f"attachments/{item['date']:%Y-%m-%d}-{attachment.pk}-{_safe(stem)}"
                    f"{attachment.extension}"
                )
                writer.writerow(
                    [
                        name,
                        f"attachment ({attachment.get_kind_display()})",
                        item["date"].isoformat(),
                        entry.sender,
                        entry.recipient,
                        f"{entry.get_method_display()}: {entry.summary[:200]}",
                        attachment.sha256,
                    ]
                )
            archive.writestr(name, content)
        timeline = io.StringIO()
        tw = csvsafe.writer(timeline)
        tw.writerow(["date", "precision", "kind", "summary", "source", "public"])
        for event in bundle["timeline"]:
            tw.writerow(
                [
                    event.occurred_on.isoformat(),
                    event.date_precision,
                    event.get_kind_display(),
                    event.summary,
                    event.source,
                    "yes" if event.is_public else "no",
                ]
            )
        log = io.StringIO()
        lw = csvsafe.writer(log)
        lw.writerow(["date", "direction", "method", "from", "to", "summary", "public", "files"])
        for entry in bundle["correspondence"]:
            lw.writerow(
                [
                    entry.occurred_on.isoformat(),
                    entry.get_direction_display(),
                    entry.get_method_display(),
                    entry.sender,
                    entry.recipient,
                    entry.summary,
                    "yes" if entry.is_public else "no",
                    len(entry.attachments.all()),
                ]
            )
        archive.writestr("timeline.csv", timeline.getvalue())
        archive.writestr("correspondence.csv", log.getvalue())
        archive.writestr("index.csv", index.getvalue())
    report(total, total, "Done")
    return buffer.getvalue()
