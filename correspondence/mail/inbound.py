"""
A received message on its way to a case.

Every message is kept: as a frozen .eml with its SHA-256, filed on the case
it answers (as private correspondence, with its text and its attachments
checked like uploads), or held for an admin with the reason (no case, a
forged token, too large, unreadable). A message is matched by the reply
address it was sent to (its token checked) or by the Message-ID of a sent
letter it answers; when in doubt it is held, since a reply on the wrong case
is worse than one that waits. The same message delivered twice (the same
Message-ID) is stored once.
"""

import hashlib
import logging
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import pagecache
from core.files import display_name
from optouts import services as optout_services
from optouts.models import CaseEvent, OptOutRequest

from .. import log
from ..models import Correspondence, IncomingMail, OutgoingMail
from ..uploads import upload_check
from . import parsing
from .addresses import address_case, addresses_in
from .outbound import outgoing_mail_fail

logger = logging.getLogger(__name__)
Reason = IncomingMail.Reason


def _limits() -> tuple[int, int]:
    return settings.SCOMM_MAIL_MAX_BYTES, settings.SCOMM_MAIL_MAX_HEADER_BYTES


def _match(parsed: parsing.ParsedMail, envelope_to) -> tuple[int | None, str, list[str]]:
    """(case id, reason to hold it, warnings): a genuine reply address first, then the thread."""
    warnings = []
    genuine, forged = set(), set()
    for address in addresses_in([*parsed.recipients, *envelope_to]):
        case_id, ok = address_case(address)
        if case_id is not None:
            (genuine if ok else forged).add(case_id)
    threaded = set(
        OutgoingMail.objects.filter(message_id__in=parsed.references[:50]).values_list(
            "request_id", flat=True
        )
    )
    if forged and not genuine:
        return None, Reason.BAD_TOKEN, warnings
    cases = genuine or threaded
    if len(cases) > 1:
        return None, Reason.AMBIGUOUS, warnings
    if not cases:
        return None, Reason.NO_CASE, warnings
    [case_id] = cases
    if genuine and threaded and threaded != genuine:
        warnings.append("It answers a letter of another case; it was filed by its reply address.")
    if not OptOutRequest.objects.filter(pk=case_id).exists():
        return None, Reason.NO_CASE, warnings
    return case_id, "", warnings


def _sender_warnings(parsed: parsing.ParsedMail, case_id: int) -> list[str]:
    """A From line proves nothing; say so when it names someone this case never wrote to."""
    warnings = []
    _name, sender = parseaddr(parsed.from_header)
    sender = sender.lower()
    written_to = {
        a.lower()
        for a in OutgoingMail.objects.filter(request_id=case_id).values_list("to", flat=True)
    }
    if not sender or "@" not in sender:
        warnings.append("It has no readable sender (From line).")
    elif written_to and sender not in written_to:
        domains = {a.rpartition("@")[2] for a in written_to}
        if sender.rpartition("@")[2] not in domains:
            warnings.append(
                f"The sender ({sender}) is not an address this case's letters went to; "
                "a From line can be forged."
            )
    auth = parsed.authentication.lower()
    if any(f"{check}=fail" in auth for check in ("dmarc", "spf", "dkim")):
        warnings.append("The receiving mail server found its sender's authentication failed.")
    return warnings


def _files(parsed: parsing.ParsedMail) -> tuple[list, list[str]]:
    """The attachments that pass the upload check; a line for each that does not."""
    files, warnings = [], []
    for name, content in parsed.attachments:
        upload = SimpleUploadedFile(display_name(name), content)
        try:
            upload_check(upload)
        except ValidationError as exc:
            warnings.append(f"Attachment not kept as a file: {' '.join(exc.messages)}")
            continue
        files.append(upload)
    return files, warnings


def _row(*, parsed, key: str, size: int, sha256: str, source: str, partial: bool):
    return IncomingMail(
        message_id=key,
        sha256=sha256,
        size=size,
        eml_is_partial=partial,
        source=source[:20],
        from_header=parsed.from_header,
        to_header=parsed.to_header,
        subject=parsed.subject,
        text=parsed.text,
    )


def _save(row: IncomingMail, raw: bytes) -> IncomingMail:
    row.eml.save("message.eml", ContentFile(raw), save=False)
    try:
        row.full_clean(exclude=["eml"], validate_unique=False)
        row.save()
    except Exception:
        row.eml.storage.delete(row.eml.name)
        raise
    return row


def _file(row: IncomingMail, parsed: parsing.ParsedMail, case_id: int, user=None) -> None:
    """File a message on its case: private correspondence, its files, a line on the timeline."""
    files, file_warnings = _files(parsed)
    warnings = [*parsed.warnings, *file_warnings, *_sender_warnings(parsed, case_id)]
    summary = "\n\n".join(p for p in (parsed.subject, parsed.text) if p) or "(An empty email.)"
    entry = log.correspondence_record(
        case_id=case_id,
        user=user,
        direction=Correspondence.Direction.INCOMING,
        method=Correspondence.Method.EMAIL,
        occurred_on=timezone.localdate(),
        sender=parsed.from_header or "(no sender)",
        recipient=parsed.to_header or "(no recipient)",
        summary=summary,
        is_public=False,
        files=files,
        on_timeline=False,
    )
    row.request_id = case_id
    row.correspondence = entry
    row.status = IncomingMail.Status.FILED
    row.reason = ""
    row.warnings = "\n".join(dict.fromkeys([*row.warnings.splitlines(), *warnings]))
    optout_services.event_record(
        case_id=case_id,
        user=user,
        kind=CaseEvent.Kind.REPLY,
        summary=f"Email received from {parsed.from_header or 'an unknown sender'}: "
        f"{parsed.subject or '(no subject)'}",
        is_public=False,
        source=f"Email {row.message_id}",
    )


def _bounce(row: IncomingMail, parsed: parsing.ParsedMail) -> bool:
    """A failure notice for a letter sent from here: the email and the case's copy fail."""
    bounce = parsed.bounce
    sent = OutgoingMail.objects.filter(message_id__in=bounce.original_ids or ["-"]).first()
    if sent is None:
        return False
    reason = " ".join(p for p in (bounce.status, bounce.diagnostic) if p) or "returned undelivered"
    outgoing_mail_fail(outgoing_id=sent.pk, reason=f"The email to {sent.to} bounced ({reason}).")
    row.request_id = sent.request_id
    row.status = IncomingMail.Status.BOUNCE
    row.warnings = "\n".join(parsed.warnings)
    return True


def mail_receive(
    *,
    raw: bytes,
    source: str,
    envelope_to=(),
    size: int | None = None,
    sha256: str | None = None,
) -> IncomingMail:
    """
    Keep one received message and file it, or hold it with the reason. `raw`
    may be only the start of a message too large to read whole, with `size`
    and `sha256` of all of it. Returns the stored row; for a message stored
    before, that row, untouched. Raises only when nothing could be stored.
    """
    size = len(raw) if size is None else size
    sha256 = sha256 or hashlib.sha256(raw).hexdigest()
    max_bytes, max_header = _limits()
    head = parsing.header_block(raw)
    parsed, hold, partial = None, "", False
    if size > max_bytes or len(raw) < size:
        parsed, hold, partial = parsing.parse_headers(raw), Reason.TOO_LARGE, True
        parsed.warnings.append(
            f"The message is {size:,} bytes; the limit is {max_bytes:,}. Only its headers are kept."
        )
        raw = head
    elif len(head) > max_header:
        parsed, hold = parsing.parse_headers(raw[:max_header]), Reason.TOO_LARGE
        parsed.warnings.append(f"Its headers are over {max_header:,} bytes.")
    else:
        try:
            parsed = parsing.parse(raw)
        except Exception:  # the email package's own failure: keep the bytes, hold them
            logger.exception("A received message could not be parsed")
            parsed, hold = parsing.parse_headers(raw), Reason.UNREADABLE
    key = parsed.message_id or f"<{sha256}@no-message-id.invalid>"
    existing = IncomingMail.objects.filter(message_id=key).first()
    if existing:
        existing.duplicate = True
        return existing
    try:
        with transaction.atomic():
            row = _row(
                parsed=parsed, key=key, size=size, sha256=sha256, source=source, partial=partial
            )
            row.warnings = "\n".join(parsed.warnings)
            is_bounce = not hold and parsed.bounce is not None and _bounce(row, parsed)
            case_id, reason, warnings = (
                (None, hold, []) if hold or is_bounce else _match(parsed, envelope_to)
            )
            if is_bounce:
                pass
            elif case_id is not None:
                row.warnings = "\n".join([*parsed.warnings, *warnings])
                _file(row, parsed, case_id)
            else:
                row.status, row.reason = IncomingMail.Status.HELD, reason
            return _save(row, raw)
    except IntegrityError:
        existing = IncomingMail.objects.filter(message_id=key).first()
        if existing is None:
            raise
        existing.duplicate = True
        return existing


def _read_eml(row: IncomingMail) -> bytes:
    with row.eml.open("rb") as handle:
        return handle.read()


@transaction.atomic
def held_mail_assign(*, incoming_id: int, case_id: int, user) -> IncomingMail:
    """An admin files a held message on the case it belongs to. Repeating it changes nothing."""
    row = IncomingMail.objects.select_for_update().get(pk=incoming_id)
    if row.status != IncomingMail.Status.HELD:
        return row
    raw = _read_eml(row)
    parsed = parsing.parse_headers(raw) if row.eml_is_partial else parsing.parse(raw)
    if row.eml_is_partial:
        parsed.text = "(Too large to keep whole: only its headers were kept.)"
    _file(row, parsed, case_id, user=user)
    row.handled_by, row.handled_at = user, timezone.now()
    row.save()
    return row


@transaction.atomic
def held_mail_discard(*, incoming_id: int, user) -> IncomingMail:
    """An admin sets a held message aside (spam, a stray); the .eml stays as proof."""
    row = IncomingMail.objects.select_for_update().get(pk=incoming_id)
    if row.status == IncomingMail.Status.HELD:
        row.status = IncomingMail.Status.DISCARDED
        row.handled_by, row.handled_at = user, timezone.now()
        row.save(update_fields=["status", "handled_by", "handled_at"])
    return row


@transaction.atomic
def mail_reply_publish(*, correspondence_id: int, user) -> Correspondence:
    """
    Staff make a received email public: it shows on the public case page, and
    a public line on the timeline tells the case's followers. Safe to repeat.
    """
    entry = Correspondence.objects.select_for_update().get(pk=correspondence_id)
    if entry.is_public:
        return entry
    entry.is_public = True
    entry._history_user = user
    entry._change_reason = "Made public"
    entry.save(update_fields=["is_public"])
    subject = entry.summary.split("\n", 1)[0][:200]
    optout_services.event_record(
        case_id=entry.request_id,
        user=user,
        kind=CaseEvent.Kind.CORRESPONDENCE,
        summary=f"Email received from {entry.sender}: {subject}",
        occurred_on=entry.occurred_on,
        is_public=True,
    )
    pagecache.changed("letters")
    return entry
