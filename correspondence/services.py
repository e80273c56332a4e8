"""
Writes of the correspondence app: the log and its attachments, letter
templates and letters (draft, edit, send and freeze), and the case exports.

Letter text written by admins and counsel is plain text with {{ field }}
placeholders. The placeholders come from the fixed list PLACEHOLDERS, each a
function of the case; the text never goes through Django's template engine,
so no tag, filter or attribute lookup an editor types can run. The result is
escaped by the (autoescaping) letter template like any other data.
"""

import csv
import datetime
import hashlib
import io
import re
import shutil

# poppler's pdfunite and pdfinfo, run with an argument list (no shell) on
# files this module wrote under server-chosen names.
import subprocess  # nosec B404
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from jurisdictions.models import StateIdentificationBureau
from optouts import services as optout_services
from optouts.models import CaseEvent, Delivery, DeliveryMethod, OptOutRequest, Recipient
from optouts.permissions import can_see_private
from optouts.selectors import ice_office_for

from . import pdf
from .models import (
    Attachment,
    CaseExport,
    Correspondence,
    FrozenLetterError,
    Letter,
    LetterStatus,
    LetterTemplate,
)

# ---------------------------------------------------------------- placeholders


def _date(value) -> str:
    return f"{value:%B} {value.day}, {value:%Y}" if value else ""


def _address(office) -> str:
    if office is None:
        return ""
    lines = []
    if office.contact_person:
        lines.append(office.contact_person)
    if office.contact_title:
        lines.append(office.contact_title)
    if office.mailing_address:
        lines.append(office.mailing_address)
    return "\n".join(lines)


PLACEHOLDERS: dict[str, tuple[str, object]] = {
    "jurisdiction.name": ("The jurisdiction", lambda c: c["jurisdiction"].name),
    "jurisdiction.state": ("Its state", lambda c: c["jurisdiction"].state.name),
    "jurisdiction.scheduled_activation": (
        "Its scheduled activation date",
        lambda c: _date(c["jurisdiction"].scheduled_activation) or "not yet scheduled",
    ),
    "jurisdiction.actual_activation": (
        "The date it was activated",
        lambda c: _date(c["jurisdiction"].actual_activation) or "not activated",
    ),
    "case.requesting_official": ("Who asks", lambda c: c["case"].requesting_official),
    "case.requesting_body": (
        "On whose behalf",
        lambda c: c["case"].get_requesting_body_display(),
    ),
    "case.reasons": ("The reasons given", lambda c: c["case"].reasons),
    "case.opened_on": ("When the request was opened", lambda c: _date(c["case"].opened_on)),
    "case.first_notice_on": (
        "When the first copy of the notice was sent",
        lambda c: _date(c["first_notice_on"]) or "not yet sent",
    ),
    "case.days_waiting": (
        "Days since the first notice",
        lambda c: str((c["today"] - c["first_notice_on"]).days) if c["first_notice_on"] else "0",
    ),
    "sib.name": ("The State Identification Bureau", lambda c: c["sib"].name if c["sib"] else ""),
    "sib.contact_person": ("Its contact", lambda c: c["sib"].contact_person if c["sib"] else ""),
    "sib.contact_title": (
        "Its contact's title",
        lambda c: c["sib"].contact_title if c["sib"] else "",
    ),
    "sib.address": ("Its mailing address", lambda c: c["sib"].mailing_address if c["sib"] else ""),
    "ice.name": ("The ICE office", lambda c: c["ice"].name if c["ice"] else ""),
    "ice.contact_person": ("Its contact", lambda c: c["ice"].contact_person if c["ice"] else ""),
    "ice.contact_title": (
        "Its contact's title",
        lambda c: c["ice"].contact_title if c["ice"] else "",
    ),
    "ice.address": ("Its mailing address", lambda c: c["ice"].mailing_address if c["ice"] else ""),
    "signatory.name": ("Who signs", lambda c: c["signatory_name"]),
    "signatory.title": ("The signatory's title", lambda c: c["signatory_title"]),
    "letter.date": ("The date on the letter", lambda c: _date(c["letter_date"])),
    "today": ("Today's date", lambda c: _date(c["today"])),
}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")
_TAG = re.compile(r"\{%|%\}")


def placeholders_help() -> str:
    return "; ".join(
        f"{{{{ {name} }}}}: {label.lower()}" for name, (label, _) in PLACEHOLDERS.items()
    )


def placeholders_check(text: str) -> None:
    """Refuse text with a placeholder outside the list, or a template tag."""
    if _TAG.search(text or ""):
        raise ValidationError(
            "Template tags ({% … %}) are not allowed. Use {{ field }} placeholders only."
        )
    unknown = sorted({m for m in _PLACEHOLDER.findall(text or "") if m not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            "Unknown placeholder"
            + ("s" if len(unknown) > 1 else "")
            + ": "
            + ", ".join(f"{{{{ {u} }}}}" for u in unknown)
            + ". Fields you can use: "
            + ", ".join(PLACEHOLDERS)
            + "."
        )


def placeholders_fill(text: str, values: dict[str, str]) -> str:
    """Replace each known {{ field }} by its value; leave anything else as typed."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def placeholder_values(
    *, case: OptOutRequest, letter_date=None, signatory_name=None, signatory_title=None
) -> dict[str, str]:
    jurisdiction = case.jurisdiction
    first = min((d.sent_on for d in case.deliveries.all()), default=None)
    context = {
        "case": case,
        "jurisdiction": jurisdiction,
        "sib": StateIdentificationBureau.objects.filter(state_id=jurisdiction.state_id).first(),
        "ice": ice_office_for(jurisdiction=jurisdiction),
        "first_notice_on": first,
        "today": timezone.localdate(),
        "letter_date": letter_date or timezone.localdate(),
        "signatory_name": jurisdiction.signatory_name if signatory_name is None else signatory_name,
        "signatory_title": jurisdiction.signatory_title
        if signatory_title is None
        else signatory_title,
    }
    return {name: str(func(context)) for name, (_, func) in PLACEHOLDERS.items()}


# ---------------------------------------------------------------- templates

DEFAULT_TEMPLATES = [
    {
        "key": "notice-sib",
        "name": "Opt-out notice to the State Identification Bureau",
        "recipient": Recipient.SIB,
        "subject": "Notice that {{ jurisdiction.name }} does not wish to activate Secure Communities",
        "cc": "{{ ice.name }}",
        "body": """Dear {{ sib.contact_person }}:

I write on behalf of {{ jurisdiction.name }}, {{ jurisdiction.state }}, to notify the {{ sib.name }} formally and in writing that {{ jurisdiction.name }} does not wish to activate Secure Communities on its scheduled date ({{ jurisdiction.scheduled_activation }}), as the procedure described by U.S. Immigration and Customs Enforcement requires.

{{ case.reasons }}

We ask that the Bureau not forward the fingerprints of persons booked in {{ jurisdiction.name }} for checking against immigration databases, and that it join the meeting ICE is to request with federal partners, the jurisdiction and the state to come to a resolution, including removing {{ jurisdiction.name }} from the deployment plan.

A copy of this notice is sent to ICE. Please acknowledge receipt.""",
    },
    {
        "key": "notice-ice",
        "name": "Opt-out notice to ICE",
        "recipient": Recipient.ICE,
        "subject": "Request that {{ jurisdiction.name }} opt out of Secure Communities",
        "cc": "{{ sib.name }}",
        "body": """Dear {{ ice.contact_person }}:

I write on behalf of {{ jurisdiction.name }}, {{ jurisdiction.state }}, to notify U.S. Immigration and Customs Enforcement formally and in writing that {{ jurisdiction.name }} does not wish to activate Secure Communities on its scheduled date ({{ jurisdiction.scheduled_activation }}).

{{ case.reasons }}

ICE has stated that, upon receipt of such a notice, it will request a meeting with federal partners, the jurisdiction and the state to discuss any issues and come to a resolution, which may include adjusting the jurisdiction's activation date or removing it from the deployment plan. We ask for that meeting, and that {{ jurisdiction.name }} not be activated while this request is pending.

A copy of this notice is sent to the {{ sib.name }}. Please acknowledge receipt.""",
    },
    {
        "key": "copy-attorney-general",
        "name": "Copy of the notice to the state Attorney General",
        "recipient": Recipient.ATTORNEY_GENERAL,
        "subject": "Copy: {{ jurisdiction.name }}'s request to opt out of Secure Communities",
        "cc": "",
        "body": """Dear Attorney General:

Please find enclosed a copy of the notice {{ jurisdiction.name }} sent on {{ case.first_notice_on }} to the {{ sib.name }} and to U.S. Immigration and Customs Enforcement, asking not to activate Secure Communities.

{{ case.reasons }}

We ask for your office's support in the meeting ICE has said it will request with the jurisdiction and the state, and for your view of whether the state's agreement with ICE obliges {{ jurisdiction.name }} to take part.""",
    },
    {
        "key": "copy-governor",
        "name": "Copy of the notice to the Governor",
        "recipient": Recipient.GOVERNOR,
        "subject": "Copy: {{ jurisdiction.name }}'s request to opt out of Secure Communities",
        "cc": "",
        "body": """Dear Governor:

Please find enclosed a copy of the notice {{ jurisdiction.name }} sent on {{ case.first_notice_on }} to the {{ sib.name }} and to U.S. Immigration and Customs Enforcement, asking not to activate Secure Communities.

{{ case.reasons }}

We ask for the state's support in coming to a resolution that respects {{ jurisdiction.name }}'s decision.""",
    },
    {
        "key": "follow-up",
        "name": "Follow-up when no answer came",
        "recipient": Recipient.ICE,
        "subject": "Follow-up: {{ jurisdiction.name }}'s opt-out request of {{ case.first_notice_on }}",
        "cc": "{{ sib.name }}",
        "body": """Dear {{ ice.contact_person }}:

On {{ case.first_notice_on }}, {{ jurisdiction.name }} notified ICE and the {{ sib.name }} in writing that it does not wish to activate Secure Communities. {{ case.days_waiting }} days later, we have received no written reply and no request for the meeting ICE's procedure provides.

We ask again that ICE request that meeting, and that {{ jurisdiction.name }} not be activated while its request is pending. Its scheduled activation date is {{ jurisdiction.scheduled_activation }}.""",
    },
    {
        "key": "clarification",
        "name": "Counsel's request for clarification",
        "recipient": Recipient.ICE,
        "subject": "Request for clarification of the Secure Communities opt-out process",
        "cc": "",
        "body": """Dear {{ ice.contact_person }}:

This office represents {{ jurisdiction.name }}, {{ jurisdiction.state }}. There appears to be significant confusion about how a local jurisdiction may decline to take part in Secure Communities.

We ask that you state in writing: how a jurisdiction that does not wish to activate on its scheduled date should notify ICE and the state; what happens on receipt of that notice; who takes part in the meeting ICE has described; and what outcomes are available, including removal from the deployment plan.

{{ jurisdiction.name }}'s scheduled activation date is {{ jurisdiction.scheduled_activation }}. We would be grateful for an answer before that date.""",
    },
]


def letter_templates_install_defaults() -> int:
    """Create the default letter templates that do not exist yet; never overwrite an admin's edits."""
    created = 0
    for spec in DEFAULT_TEMPLATES:
        _, was_created = LetterTemplate.objects.get_or_create(
            key=spec["key"], defaults={k: v for k, v in spec.items() if k != "key"}
        )
        created += was_created
    return created


# ---------------------------------------------------------------- letters


def _recipient_defaults(case: OptOutRequest, recipient: str) -> tuple[str, str]:
    jurisdiction = case.jurisdiction
    if recipient == Recipient.SIB:
        sib = StateIdentificationBureau.objects.filter(state_id=jurisdiction.state_id).first()
        return (sib.name if sib else f"{jurisdiction.state.name} State Identification Bureau"), (
            _address(sib) if sib else ""
        )
    if recipient == Recipient.ICE:
        office = ice_office_for(jurisdiction=jurisdiction)
        return (office.name if office else "U.S. Immigration and Customs Enforcement"), _address(
            office
        )
    if recipient == Recipient.ATTORNEY_GENERAL:
        return f"Attorney General of {jurisdiction.state.name}", ""
    if recipient == Recipient.GOVERNOR:
        return f"Governor of {jurisdiction.state.name}", ""
    return "", ""


@transaction.atomic
def letter_draft_create(
    *,
    case_id: int,
    user,
    template_id: int | None = None,
    template_key: str | None = None,
    letter_date: datetime.date | None = None,
    recipient: str | None = None,
) -> Letter:
    """
    Draft a letter from a template: addresses from the directory, text with
    the case's facts. `recipient` addresses it to another kind of recipient
    than the template's (a copy of the notice to the SIB, say).
    """
    case = OptOutRequest.objects.select_related("jurisdiction__state").get(pk=case_id)
    templates = LetterTemplate.objects.filter(is_active=True)
    template = (
        templates.filter(pk=template_id).first()
        if template_id
        else templates.filter(key=template_key).first()
    )
    if template is None:
        raise ValidationError({"template": "Choose one of the letter templates."})
    letter_date = letter_date or timezone.localdate()
    values = placeholder_values(case=case, letter_date=letter_date)
    recipient = recipient or template.recipient
    if recipient not in Recipient.values:
        raise ValidationError({"recipient": "Choose who the letter is addressed to."})
    name, address = _recipient_defaults(case, recipient)
    letter = Letter(
        request=case,
        template=template,
        recipient=recipient,
        recipient_name=name,
        recipient_address=address,
        letter_date=letter_date,
        subject=placeholders_fill(template.subject, values)[:300],
        body=placeholders_fill(template.body, values),
        cc=placeholders_fill(template.cc, values)[:300],
        signatory_name=case.jurisdiction.signatory_name,
        signatory_title=case.jurisdiction.signatory_title,
        created_by=user,
    )
    letter._history_user = user
    letter.full_clean()
    letter.save()
    return letter


EDITABLE_FIELDS = (
    "recipient_name",
    "recipient_address",
    "letter_date",
    "subject",
    "body",
    "cc",
    "signatory_name",
    "signatory_title",
)


def _lock_letter(letter_id: int) -> Letter:
    letter = (
        Letter.objects.select_for_update()
        .select_related("request__jurisdiction__state")
        .get(pk=letter_id)
    )
    if letter.is_sent:
        raise FrozenLetterError(
            f"This letter was sent on {_date(letter.sent_on)} and cannot be changed. "
            "Draft a new letter instead."
        )
    return letter


@transaction.atomic
def letter_draft_update(*, letter_id: int, user, **fields) -> Letter:
    """Change a draft. A sent letter is refused: what was sent is kept as sent."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    letter = _lock_letter(letter_id)
    for field in ("subject", "body", "cc"):
        if field in fields:
            try:
                placeholders_check(fields[field])
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from None
    for name, value in fields.items():
        setattr(letter, name, value)
    if not (letter.body or "").strip():
        raise ValidationError({"body": "A letter needs its text."})
    letter._history_user = user
    letter._change_reason = "Draft edited"
    letter.full_clean()
    letter.save()
    return letter


@transaction.atomic
def letter_draft_delete(*, letter_id: int, user) -> None:
    letter = _lock_letter(letter_id)
    letter._history_user = user
    letter.delete()


def letter_context(*, letter: Letter) -> dict:
    """What the letter template shows; every value is plain text, escaped by the template."""
    case = letter.request
    jurisdiction = case.jurisdiction
    values = placeholder_values(
        case=case,
        letter_date=letter.letter_date,
        signatory_name=letter.signatory_name,
        signatory_title=letter.signatory_title,
    )
    return {
        "letter": letter,
        "jurisdiction": jurisdiction,
        "letterhead_lines": [line for line in jurisdiction.letterhead.splitlines() if line.strip()]
        or [jurisdiction.name, jurisdiction.state.name],
        "has_seal": bool(jurisdiction.seal),
        "date": _date(letter.letter_date),
        "recipient_lines": [
            line for line in [letter.recipient_name, *letter.recipient_address.splitlines()] if line
        ],
        "subject": placeholders_fill(letter.subject, values),
        "paragraphs": [
            p.strip()
            for p in re.split(r"\n\s*\n", placeholders_fill(letter.body, values))
            if p.strip()
        ],
        "cc": placeholders_fill(letter.cc, values),
        "is_draft": not letter.is_sent,
    }


def _seal_media(jurisdiction) -> dict[str, str]:
    if jurisdiction.seal:
        try:
            return {"seal": jurisdiction.seal.path}
        except (NotImplementedError, ValueError):
            return {}
    return {}


def letter_html(*, letter: Letter) -> str:
    return render_to_string("correspondence/pdf/letter.html", letter_context(letter=letter))


def letter_render_pdf(*, letter: Letter) -> bytes:
    """The letter as it would print now (for a draft) or as it was frozen (read the stored PDF)."""
    if letter.is_sent and letter.pdf:
        with letter.pdf.open("rb") as handle:
            return handle.read()
    return pdf.render_letter_pdf(
        template_name="correspondence/pdf/letter.html",
        context=letter_context(letter=letter),
        media=_seal_media(letter.request.jurisdiction),
    )


@transaction.atomic
def letter_send(
    *,
    letter_id: int,
    user,
    method: str,
    sent_on: datetime.date,
    reference: str = "",
    delivery_id: int | None = None,
) -> Letter:
    """
    Send a draft: render its PDF once, store it with its SHA-256, and record
    the delivery on the case (which moves a draft case to "notice sent" once
    both the SIB and ICE have their copy). From then on the letter is frozen.
    `delivery_id` links a delivery already recorded instead of a new one.
    """
    letter = _lock_letter(letter_id)
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": "Choose email, letter or fax."})
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "A letter cannot be sent in the future."})
    if sent_on < letter.letter_date:
        raise ValidationError({"sent_on": "A letter cannot be sent before the date it bears."})
    if delivery_id is not None:
        delivery = Delivery.objects.get(pk=delivery_id, request_id=letter.request_id)
        if Letter.objects.filter(delivery=delivery).exists():
            raise ValidationError("That delivery already has its letter.")
    else:
        delivery = optout_services.delivery_record(
            case_id=letter.request_id,
            user=user,
            recipient=letter.recipient,
            recipient_name=letter.recipient_name,
            method=method,
            sent_on=sent_on,
            reference=reference,
            source=f"Letter “{letter.subject}”",
        )
    letter.status = LetterStatus.SENT  # rendered as sent: no draft mark
    content = pdf.render_letter_pdf(
        template_name="correspondence/pdf/letter.html",
        context=letter_context(letter=letter),
        media=_seal_media(letter.request.jurisdiction),
    )
    letter.sha256 = hashlib.sha256(content).hexdigest()
    letter.method = method
    letter.sent_on = sent_on
    letter.sent_at = timezone.now()
    letter.sent_by = user
    letter.delivery = delivery
    letter.pdf.save("letter.pdf", ContentFile(content), save=False)
    stored = letter.pdf.name
    try:
        letter._history_user = user
        letter._change_reason = "Sent"
        letter.full_clean()
        letter.save()
    except Exception:
        letter.pdf.storage.delete(stored)
        raise
    return letter


# ---------------------------------------------------------------- uploads


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


def _display_name(name: str) -> str:
    name = Path(name or "file").name
    cleaned = "".join(c for c in name if c.isprintable() and c not in '\\/:*?"<>|')
    return cleaned.strip()[:200] or "file"


# ---------------------------------------------------------------- correspondence


@transaction.atomic
def correspondence_record(
    *,
    case_id: int,
    user,
    direction: str,
    method: str,
    occurred_on: datetime.date,
    sender: str,
    recipient: str,
    summary: str,
    is_public: bool = True,
    files=(),
    on_timeline: bool = True,
) -> Correspondence:
    """
    Log one piece of correspondence with its files. Every file is checked
    before anything is saved, so a bad file leaves nothing behind; the entry
    also goes on the case's timeline unless told otherwise.
    """
    kinds = [upload_check(f) for f in files]
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "This date is in the future."})
    if not summary.strip():
        raise ValidationError({"summary": "Say what was said or written."})
    entry = Correspondence(
        request_id=case_id,
        direction=direction,
        method=method,
        occurred_on=occurred_on,
        sender=sender.strip(),
        recipient=recipient.strip(),
        summary=summary.strip(),
        is_public=is_public,
        recorded_by=user,
    )
    entry._history_user = user
    entry.full_clean()
    entry.save()
    stored = []
    try:
        for upload, kind in zip(files, kinds, strict=True):
            digest = hashlib.sha256()
            upload.seek(0)
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            attachment = Attachment(
                correspondence=entry,
                kind=kind,
                original_name=_display_name(upload.name),
                size=upload.size,
                sha256=digest.hexdigest(),
            )
            attachment.file.save("upload", upload, save=False)
            stored.append(attachment.file.name)
            attachment.save()
    except Exception:
        for name in stored:
            Attachment.file.field.storage.delete(name)
        raise
    if on_timeline:
        label = entry.get_method_display()
        verb = "received from" if direction == Correspondence.Direction.INCOMING else "sent to"
        other = entry.sender if direction == Correspondence.Direction.INCOMING else entry.recipient
        optout_services.event_record(
            case_id=case_id,
            user=user,
            kind=CaseEvent.Kind.CORRESPONDENCE,
            summary=f"{label} {verb} {other}: {entry.summary}",
            occurred_on=occurred_on,
            is_public=is_public,
        )
    return entry


# ---------------------------------------------------------------- exports


@transaction.atomic
def case_export_request(*, case_id: int, user, kind: str) -> CaseExport:
    """
    Queue a case export. What it includes is decided now, by who asks: the
    public version leaves out drafts, private correspondence and internal
    notes. An identical export already queued or building is reused.
    """
    if kind not in CaseExport.Kind.values:
        raise ValidationError({"kind": "Choose the PDF case file or the ZIP of originals."})
    case = OptOutRequest.objects.get(pk=case_id)
    include_private = can_see_private(user, case.jurisdiction_id)
    requested_by = user if getattr(user, "is_authenticated", False) else None
    pending = CaseExport.objects.filter(
        request=case,
        kind=kind,
        include_private=include_private,
        status__in=[CaseExport.Status.QUEUED, CaseExport.Status.RUNNING],
    )
    if include_private:
        pending = pending.filter(requested_by=requested_by)
    existing = pending.first()
    if existing:
        return existing
    if not include_private:
        # The public file is the same for everyone: one built since the case
        # last changed is handed out again rather than built anew.
        fresh = (
            CaseExport.objects.filter(
                request=case,
                kind=kind,
                include_private=False,
                status=CaseExport.Status.DONE,
                created_at__gte=case.updated_at,
            )
            .order_by("-created_at")
            .first()
        )
        if fresh:
            return fresh
    export = CaseExport.objects.create(
        request=case, kind=kind, include_private=include_private, requested_by=requested_by
    )
    from .tasks import case_export_build as task

    export_id = str(export.pk)
    transaction.on_commit(lambda: task.delay(export_id))
    return export


def _progress(export_id, done: int, total: int, message: str) -> None:
    CaseExport.objects.filter(pk=export_id).update(
        progress=min(99, int(100 * done / max(total, 1))), message=message[:300]
    )


def case_export_build(*, export_id) -> CaseExport:
    """Build an export's file, reporting progress on the row; safe to run again."""
    export = CaseExport.objects.select_related("request__jurisdiction__state").get(pk=export_id)
    if export.status == CaseExport.Status.DONE:
        return export
    CaseExport.objects.filter(pk=export.pk).update(
        status=CaseExport.Status.RUNNING, progress=0, message="Starting"
    )
    try:
        from . import selectors

        bundle = selectors.case_file(case=export.request, include_private=export.include_private)

        def report(done, total, message):
            _progress(export.pk, done, total, message)

        if export.kind == CaseExport.Kind.PDF:
            content = case_file_pdf(bundle=bundle, report=report)
        else:
            content = case_file_zip(bundle=bundle, report=report)
        export.file.save("export", ContentFile(content), save=False)
        CaseExport.objects.filter(pk=export.pk).update(
            file=export.file.name,
            status=CaseExport.Status.DONE,
            progress=100,
            message="Ready",
            finished_at=timezone.now(),
        )
    except Exception as exc:
        CaseExport.objects.filter(pk=export.pk).update(
            status=CaseExport.Status.FAILED,
            message=f"The export failed: {exc}"[:300],
            finished_at=timezone.now(),
        )
        raise
    export.refresh_from_db()
    return export


def _letter_pdf_for_file(letter: Letter) -> bytes:
    return letter_render_pdf(letter=letter)


def _cover_html(bundle: dict) -> str:
    return render_to_string("correspondence/pdf/case_file.html", bundle)


def _cover_media(bundle: dict) -> dict[str, str]:
    media = _seal_media(bundle["case"].jurisdiction)
    for entry in bundle["correspondence"]:
        for attachment in entry.attachments.all():
            if attachment.is_image:
                media[f"attachment-{attachment.pk}"] = attachment.file.path
    return media


def case_file_pdf(*, bundle: dict, report=lambda *a: None) -> bytes:
    """
    The whole case file as one PDF: the cover with the timeline and the log,
    then every letter and every PDF attachment in date order. Merged with
    poppler's pdfunite; without it, the letters are laid out after the cover
    by WeasyPrint and the PDF attachments are listed (the ZIP has them).
    """
    items = bundle["documents"]
    total = len(items) + 2
    pdfunite = shutil.which("pdfunite")
    bundle = {**bundle, "attachments_merged": bool(pdfunite)}
    report(0, total, "Laying out the cover and the timeline")
    if not pdfunite:
        pages = [(_cover_html(bundle), _cover_media(bundle))]
        for item in items:
            if item["type"] == "letter":
                pages.append(
                    (letter_html(letter=item["letter"]), _seal_media(bundle["case"].jurisdiction))
                )
        return pdf.render_pages_pdf(pages=pages)
    cover = pdf.render_html_pdf(html=_cover_html(bundle), media=_cover_media(bundle))
    with tempfile.TemporaryDirectory(prefix="scomm-export-") as folder:
        folder = Path(folder)
        paths = [folder / "000-cover.pdf"]
        paths[0].write_bytes(cover)
        optional = set()
        for index, item in enumerate(items, start=1):
            report(index, total, f"Adding {item['title']}")
            path = folder / f"{index:03d}.pdf"
            if item["type"] == "letter":
                path.write_bytes(_letter_pdf_for_file(item["letter"]))
            else:
                with item["attachment"].file.open("rb") as source:
                    path.write_bytes(source.read())
                optional.add(path)
            paths.append(path)
        report(total - 1, total, "Merging")
        out = folder / "case-file.pdf"
        result = subprocess.run(  # nosec B603
            [pdfunite, *map(str, paths), str(out)], capture_output=True, timeout=300
        )
        if result.returncode != 0:
            # A damaged or encrypted attachment: leave it out rather than fail the file.
            keep = [p for p in paths if p not in optional or _pdf_readable(p)]
            subprocess.run(  # nosec B603
                [pdfunite, *map(str, keep), str(out)], check=True, capture_output=True, timeout=300
            )
        return out.read_bytes()


def _pdf_readable(path: Path) -> bool:
    pdfinfo = shutil.which("pdfinfo")
    if not pdfinfo:
        return False
    checked = subprocess.run([pdfinfo, str(path)], capture_output=True, timeout=60)  # nosec B603
    return checked.returncode == 0


def _safe(text: str) -> str:
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")
    return text[:60] or "file"


def case_file_zip(*, bundle: dict, report=lambda *a: None) -> bytes:
    """The originals (frozen letters, attachments as uploaded) with an index.csv and the timeline."""
    buffer = io.BytesIO()
    index = io.StringIO()
    writer = csv.writer(index)
    writer.writerow(["file", "type", "date", "from", "to", "description", "sha256"])
    items = bundle["documents_all"]
    total = len(items) + 1
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, item in enumerate(items, start=1):
            report(number, total, f"Adding {item['title']}")
            if item["type"] == "letter":
                letter = item["letter"]
                content = _letter_pdf_for_file(letter)
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
        tw = csv.writer(timeline)
        tw.writerow(["date", "approximate", "kind", "summary", "source", "public"])
        for event in bundle["timeline"]:
            tw.writerow(
                [
                    event.occurred_on.isoformat(),
                    "yes" if event.date_is_approximate else "",
                    event.get_kind_display(),
                    event.summary,
                    event.source,
                    "yes" if event.is_public else "no",
                ]
            )
        log = io.StringIO()
        lw = csv.writer(log)
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


def letter_template_preview_pdf(*, template: LetterTemplate, case: OptOutRequest) -> bytes:
    """How a template prints for a case, without saving anything: the admin's preview."""
    values = placeholder_values(case=case)
    name, address = _recipient_defaults(case, template.recipient)
    letter = Letter(
        request=case,
        template=template,
        recipient=template.recipient,
        recipient_name=name,
        recipient_address=address,
        letter_date=timezone.localdate(),
        subject=placeholders_fill(template.subject, values),
        body=placeholders_fill(template.body, values),
        cc=placeholders_fill(template.cc, values),
        signatory_name=case.jurisdiction.signatory_name,
        signatory_title=case.jurisdiction.signatory_title,
    )
    return pdf.render_letter_pdf(
        template_name="correspondence/pdf/letter.html",
        context=letter_context(letter=letter),
        media=_seal_media(case.jurisdiction),
    )


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """
    Delete the case exports built more than SCOMM_EXPORT_KEEP_DAYS ago, with
    their files: a case file can be built again at any time, and an old one
    would show the case as it stood then. Rows go first, in one transaction;
    a file whose row is gone can no longer be served.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.SCOMM_EXPORT_KEEP_DAYS)
    with transaction.atomic():
        old = list(CaseExport.objects.select_for_update().filter(created_at__lt=cutoff))
        CaseExport.objects.filter(pk__in=[e.pk for e in old]).delete()
    for export in old:
        if export.file:
            export.file.storage.delete(export.file.name)
    return len(old)

