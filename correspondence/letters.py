"""
The life of a letter: drafted from a template with the case's facts, edited
as a draft, rendered to PDF, then sent once and frozen with its SHA-256.
"""

import datetime
import hashlib
import logging
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import pagecache
from core.forms import date_range_check
from jurisdictions.models import OfficeKind, StateIdentificationBureau
from optouts import services as optout_services
from optouts.models import Delivery, DeliveryMethod, OptOutRequest, Recipient
from optouts.selectors import ice_office_for

from .models import FrozenLetterError, Letter, LetterStatus, LetterTemplate
from .offices import office_for, office_kind_for, office_letterhead_lines, office_return_lines
from .placeholders import (
    LIVE,
    long_date,
    placeholder_values,
    placeholders_check,
    placeholders_fill,
)
from .stored import file_store

logger = logging.getLogger(__name__)

LETTER_TEMPLATE = "correspondence/pdf/letter.html"

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


def _letter_from_template(
    *, case: OptOutRequest, template: LetterTemplate, recipient: str, letter_date, user=None
) -> Letter:
    """An unsaved letter with the template's text filled in for the case, from its office."""
    kind = office_kind_for(template_office=template.office, case=case)
    office = office_for(jurisdiction=case.jurisdiction, kind=kind)
    values = placeholder_values(
        case=case,
        letter_date=letter_date,
        signatory_name=office.signatory_name,
        signatory_title=office.signatory_title,
    )
    name, address = _recipient_defaults(case, recipient)
    return Letter(
        request=case,
        template=template,
        recipient=recipient,
        recipient_name=name,
        recipient_address=address,
        letter_date=letter_date,
        subject=placeholders_fill(template.subject, values, keep=LIVE)[:300],
        body=placeholders_fill(template.body, values, keep=LIVE),
        cc=placeholders_fill(template.cc, values, keep=LIVE)[:300],
        office=kind,
        signatory_name=office.signatory_name,
        signatory_title=office.signatory_title,
        created_by=user,
    )


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
    recipient = recipient or template.recipient
    if recipient not in Recipient.values:
        raise ValidationError({"recipient": "Choose who the letter is addressed to."})
    letter = _letter_from_template(
        case=case,
        template=template,
        recipient=recipient,
        letter_date=letter_date or timezone.localdate(),
        user=user,
    )
    letter._history_user = user
    letter.full_clean()
    letter.save()
    return letter


def _lock_letter(letter_id: int) -> Letter:
    letter = (
        Letter.objects.select_for_update()
        .select_related("request__jurisdiction__state")
        .get(pk=letter_id)
    )
    if letter.is_sent:
        raise FrozenLetterError(
            f"This letter was sent on {long_date(letter.sent_on)} and cannot be changed. "
            "Draft a new letter instead."
        )
    return letter


def _apply_changes(letter: Letter, fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    for field in ("subject", "body", "cc"):
        if field in fields:
            try:
                placeholders_check(fields[field])
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from None
    if "letter_date" in fields:
        date_range_check(fields["letter_date"], field="letter_date")
    for name, value in fields.items():
        setattr(letter, name, value)
    if not (letter.body or "").strip():
        raise ValidationError({"body": "A letter needs its text."})


@transaction.atomic
def letter_draft_update(*, letter_id: int, user, **fields) -> Letter:
    """Change a draft. A sent letter is refused: what was sent is kept as sent."""
    letter = _lock_letter(letter_id)
    _apply_changes(letter, fields)
    letter._history_user = user
    letter._change_reason = "Draft edited"
    letter.full_clean()
    letter.save()
    return letter


def letter_send_check(*, letter: Letter) -> None:
    """
    Refuse to send a letter nobody signs, with nowhere to go or no date: a
    notice that ends in "Sincerely," and no name does not count as written
    notice. Each message names its field, so the editor shows it there.
    """
    errors = {}
    if not (letter.signatory_name or "").strip():
        errors["signatory_name"] = "Name who signs the letter: it cannot be sent unsigned."
    if not (letter.recipient_address or "").strip():
        errors["recipient_address"] = "Give the recipient's address: it is printed on the letter."
    if not letter.letter_date:
        errors["letter_date"] = "Give the date the letter bears."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def letter_send_ready(*, letter_id: int, user, **fields) -> Letter:
    """
    The first step of sending: save what the editor shows and check the
    letter can go. Nothing is saved when it cannot, so the editor keeps
    the text and shows what is missing; when it can, the sender is shown
    the exact PDF and its SHA-256 before confirming (letter_send).
    """
    letter = _lock_letter(letter_id)
    _apply_changes(letter, fields)
    letter_send_check(letter=letter)
    letter._history_user = user
    letter._change_reason = "Draft edited before sending"
    letter.full_clean()
    letter.save()
    return letter


@transaction.atomic
def letter_draft_delete(*, letter_id: int, user) -> None:
    """Delete a draft; a sent letter is refused, since what was sent must stay provable."""
    letter = _lock_letter(letter_id)
    letter._history_user = user
    letter.delete()


def _letterhead(letter: Letter) -> tuple[list[str], list[str]]:
    """The letterhead and return address: as sent, or the office's of the day for a draft."""
    if letter.is_sent and letter.letterhead:
        head, _, foot = letter.letterhead.partition("\n\n")
        return head.splitlines(), foot.splitlines()
    office = office_for(jurisdiction=letter.request.jurisdiction, kind=letter.office)
    return office_letterhead_lines(office), office_return_lines(office)


def letter_context(*, letter: Letter, as_sent: bool = False) -> dict:
    """
    What the letter template shows; every value is plain text, escaped by
    the template. `as_sent` lays a draft out as it will be frozen, without
    the draft mark.
    """
    case = letter.request
    jurisdiction = case.jurisdiction
    values = placeholder_values(
        case=case,
        letter_date=letter.letter_date,
        signatory_name=letter.signatory_name,
        signatory_title=letter.signatory_title,
    )
    filled = {
        name: placeholders_fill(getattr(letter, name), values) for name in ("subject", "body", "cc")
    }
    letterhead, return_lines = _letterhead(letter)
    return {
        "letter": letter,
        "jurisdiction": jurisdiction,
        "letterhead_lines": letterhead,
        "return_lines": return_lines,
        "has_seal": bool(jurisdiction.seal),
        "date": long_date(letter.letter_date),
        "recipient_lines": [
            line for line in [letter.recipient_name, *letter.recipient_address.splitlines()] if line
        ],
        "subject": filled["subject"],
        "paragraphs": [p.strip() for p in re.split(r"\n\s*\n", filled["body"]) if p.strip()],
        "cc": filled["cc"],
        "filled": filled,
        "office_label": OfficeKind(letter.office or OfficeKind.SHERIFF).label,
        "is_draft": not (letter.is_sent or as_sent),
    }


def seal_media(jurisdiction) -> dict[str, str]:
    """The jurisdiction's seal as the one file a rendered page may fetch, if it has one."""
    if jurisdiction.seal:
        try:
            return {"seal": jurisdiction.seal.path}
        except (NotImplementedError, ValueError):
            return {}
    return {}


def letter_html(*, letter: Letter) -> str:
    return render_to_string(LETTER_TEMPLATE, letter_context(letter=letter))


def letter_pdf_build(
    *, letter: Letter, as_sent: bool = False, context: dict | None = None
) -> bytes:
    """
    Lay out a letter as it reads now, saved or not. The editor's preview,
    the confirmation before sending, the sending itself (which freezes the
    result) and the admin's preview all print through here, so what is
    previewed is what is sent.
    """
    # WeasyPrint is loaded by the first PDF a process lays out, not by every
    # web worker at start-up (it is most of a worker's memory).
    from . import pdf

    return pdf.render_letter_pdf(
        template_name=LETTER_TEMPLATE,
        context=context or letter_context(letter=letter, as_sent=as_sent),
        media=seal_media(letter.request.jurisdiction),
    )


def letter_pdf_as_sent(*, letter: Letter) -> tuple[bytes, str]:
    """The PDF a draft would be frozen as if sent now, and its SHA-256, for the sender to confirm."""
    content = letter_pdf_build(letter=letter, as_sent=True)
    return content, hashlib.sha256(content).hexdigest()


def letter_render_pdf(*, letter: Letter) -> bytes:
    """The letter as it would print now (for a draft) or as it was frozen (read the stored PDF)."""
    if letter.is_sent and letter.pdf:
        with letter.pdf.open("rb") as handle:
            return handle.read()
    return letter_pdf_build(letter=letter)


STORAGE_FAILED = (
    "The letter could not be saved: the server's storage is full or read-only. "
    "Nothing was sent; try again or tell the administrator."
)
LETTER_CHANGED = (
    "The letter changed since its PDF was shown to you. Check the new PDF and its SHA-256, "
    "then send it."
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
    changes: dict | None = None,
    expected_sha256: str = "",
) -> Letter:
    """
    Send a draft: save `changes` (the editor's text) if given, render its
    PDF once, store it with its SHA-256, and record the delivery on the case
    (which moves a draft case to "notice sent" once both the SIB and ICE
    have their copy). From then on the letter is frozen.

    `expected_sha256` is the hash the sender was shown: a letter that prints
    differently now (someone edited it, or the office's letterhead changed)
    is refused rather than sent unseen. The text is frozen with its
    placeholders filled in, so the letter reads as what was true the day it
    went out. `delivery_id` links a delivery already recorded instead of a
    new one. A sent letter shows on public pages, so their kept copies are
    renewed.
    """
    letter = _lock_letter(letter_id)
    if changes:
        _apply_changes(letter, changes)
    letter_send_check(letter=letter)
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": "Choose email, letter or fax."})
    date_range_check(sent_on, field="sent_on")
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "A letter cannot be sent in the future."})
    if sent_on < letter.letter_date:
        raise ValidationError({"sent_on": "A letter cannot be sent before the date it bears."})
    context = letter_context(letter=letter, as_sent=True)
    content = letter_pdf_build(letter=letter, context=context)
    digest = hashlib.sha256(content).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        raise ValidationError({"sha256": LETTER_CHANGED})
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
            source=f"Letter “{context['subject']}”",
        )
    letter.body = context["filled"]["body"]
    letter.subject = context["filled"]["subject"][:300]
    letter.cc = context["filled"]["cc"][:300]
    letter.letterhead = "\n".join(context["letterhead_lines"])
    if context["return_lines"]:
        letter.letterhead += "\n\n" + "\n".join(context["return_lines"])
    letter.status = LetterStatus.SENT
    letter.sha256 = digest
    letter.method = method
    letter.sent_on = sent_on
    letter.sent_at = timezone.now()
    letter.sent_by = user
    letter.delivery = delivery
    try:
        stored = file_store(letter.pdf, content, filename="letter.pdf")
    except OSError as exc:
        # Raised inside the transaction: the delivery above is undone with it.
        logger.exception("The PDF of letter %s could not be stored", letter.pk)
        raise ValidationError(STORAGE_FAILED) from exc
    try:
        letter._history_user = user
        letter._change_reason = "Sent"
        letter.full_clean()
        letter.save()
    except Exception:
        letter.pdf.storage.delete(stored)
        raise
    pagecache.changed("letters")
    return letter


def letter_template_preview_pdf(*, template: LetterTemplate, case: OptOutRequest) -> bytes:
    """How a template prints for a case, without saving anything: the admin's preview."""
    letter = _letter_from_template(
        case=case,
        template=template,
        recipient=template.recipient,
        letter_date=timezone.localdate(),
    )
    return letter_pdf_build(letter=letter)
