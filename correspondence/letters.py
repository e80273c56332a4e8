"""
The life of a letter: drafted from a template with the case's facts, edited
as a draft, rendered to PDF, then sent once and frozen with its SHA-256.
"""

import datetime
import hashlib
import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import pagecache
from jurisdictions.models import StateIdentificationBureau
from optouts import services as optout_services
from optouts.models import Delivery, DeliveryMethod, OptOutRequest, Recipient
from optouts.selectors import ice_office_for

from . import pdf
from .models import FrozenLetterError, Letter, LetterStatus, LetterTemplate
from .placeholders import long_date, placeholder_values, placeholders_check, placeholders_fill

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
    """An unsaved letter with the template's text filled in for the case."""
    values = placeholder_values(case=case, letter_date=letter_date)
    name, address = _recipient_defaults(case, recipient)
    return Letter(
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
    """Delete a draft; a sent letter is refused, since what was sent must stay provable."""
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
        "date": long_date(letter.letter_date),
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


def letter_pdf_build(*, letter: Letter) -> bytes:
    """
    Lay out a letter as it reads now, saved or not. The draft view, the
    sending (which freezes the result) and the admin's preview all print
    through here, so what is previewed is what is sent.
    """
    return pdf.render_letter_pdf(
        template_name=LETTER_TEMPLATE,
        context=letter_context(letter=letter),
        media=seal_media(letter.request.jurisdiction),
    )


def letter_render_pdf(*, letter: Letter) -> bytes:
    """The letter as it would print now (for a draft) or as it was frozen (read the stored PDF)."""
    if letter.is_sent and letter.pdf:
        with letter.pdf.open("rb") as handle:
            return handle.read()
    return letter_pdf_build(letter=letter)


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
    A sent letter shows on public pages, so their kept copies are renewed.
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
    content = letter_pdf_build(letter=letter)
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
