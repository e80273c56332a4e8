"""
The correspondence log of a case: every letter, email, fax, call and meeting,
in and out, with its files.
"""

import datetime
import hashlib
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import pagecache
from core.files import display_name
from core.forms import date_range_check
from optouts import services as optout_services
from optouts.models import CaseEvent

from .models import Attachment, Correspondence
from .stored import file_store
from .uploads import upload_check

logger = logging.getLogger(__name__)


ATTACHMENT_STORAGE_FAILED = (
    "The files could not be saved: the server's storage is full or read-only. "
    "Nothing was recorded; try again or tell the administrator."
)


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
    also goes on the case's timeline (through the case's services, the one
    writer of its timeline) unless told otherwise. Public pages list public
    correspondence, so a public entry renews their kept copies.
    """
    kinds = [upload_check(f) for f in files]
    date_range_check(occurred_on, field="occurred_on")
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
                original_name=display_name(upload.name),
                size=upload.size,
                sha256=digest.hexdigest(),
            )
            try:
                stored.append(file_store(attachment.file, upload, filename="upload"))
            except OSError as exc:
                # Raised inside the transaction: the entry above is undone with it.
                logger.exception("An attachment of case %s could not be stored", case_id)
                raise ValidationError({"files": ATTACHMENT_STORAGE_FAILED}) from exc
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
    if is_public:
        pagecache.changed("letters")
    return entry
