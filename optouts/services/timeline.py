"""
The only writer of a case's timeline.

Every event, whoever causes it (a move, a copy of the notice, a reminder, a
deployment schedule), is added here, so that three things never get
forgotten: the case's version moves on (an open form on an older version is
refused rather than overwriting what it did not see), the case's pages are
renewed, and the other apps hear of it once the change has committed.
"""

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from core import pagecache

from ..facts import DatePrecision
from ..models import CaseEvent, OptOutRequest
from ..signals import case_events_added
from .base import _lock, not_future, precision_check

logger = logging.getLogger(__name__)

BATCH = 500


def _announce(events: list[CaseEvent]) -> None:
    """
    Send case_events_added after the commit. A receiver that fails is logged
    and does not stop the others: the change is committed whatever they do.
    """
    event_ids = [e.pk for e in events]
    case_ids = list(dict.fromkeys(e.request_id for e in events))

    def send() -> None:
        results = case_events_added.send_robust(
            sender=CaseEvent, event_ids=event_ids, case_ids=case_ids
        )
        for receiver, result in results:
            if isinstance(result, Exception):
                logger.error(
                    "case_events_added receiver %r failed",
                    receiver,
                    exc_info=(type(result), result, result.__traceback__),
                )

    transaction.on_commit(send)


def _event(
    *,
    case: OptOutRequest,
    kind: str,
    occurred_on: datetime.date,
    summary: str,
    actor,
    is_public: bool,
    source: str,
    date_precision: str,
    from_stage: str,
    to_stage: str,
    recorded_at: datetime.datetime,
) -> CaseEvent:
    return CaseEvent(
        request=case,
        kind=kind,
        occurred_on=occurred_on,
        date_precision=date_precision,
        recorded_at=recorded_at,
        actor=actor,
        from_stage=from_stage,
        to_stage=to_stage,
        summary=summary,
        source=source,
        is_public=is_public,
    )


def event_add(
    *,
    case: OptOutRequest,
    kind: str,
    occurred_on: datetime.date,
    summary: str,
    actor=None,
    is_public: bool = True,
    source: str = "",
    date_precision: str = DatePrecision.DAY,
    from_stage: str = "",
    to_stage: str = "",
    reason: str = "",
    fields: Iterable[str] = (),
) -> CaseEvent:
    """
    Add one event to the timeline of `case`, which the caller holds locked
    (select_for_update in its transaction), and save the case with it.

    The case is saved through the model, so its history keeps a row naming
    `actor` and `reason` (the summary when none is given); `fields` are the
    case's own fields the caller changed with this event (a move's stage),
    saved in the same UPDATE. A case not saved yet is inserted: the event is
    its first version. After the commit, case_events_added announces it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_add runs inside the transaction that locked the case.")
    case._history_user = actor
    case._change_reason = reason or summary
    if case.pk is None:
        case.save()
    else:
        case.version += 1
        case.save(update_fields=list(dict.fromkeys(["version", "updated_at", *fields])))
    event = _event(
        case=case,
        kind=kind,
        occurred_on=occurred_on,
        summary=summary,
        actor=actor,
        is_public=is_public,
        source=source,
        date_precision=date_precision,
        from_stage=from_stage,
        to_stage=to_stage,
        recorded_at=timezone.now(),
    )
    event.clean_fields(exclude=["request", "actor"])
    event.save()
    pagecache.changed("cases")
    _announce([event])
    return event


def events_add_many(
    *,
    cases: list[OptOutRequest],
    kind: str,
    occurred_on: datetime.date,
    summaries: dict[int, str],
    actor=None,
    is_public: bool = True,
    sources: dict[int, str] | None = None,
    reason: str,
    date_precision: str = DatePrecision.DAY,
) -> list[CaseEvent]:
    """
    Add one event to each of many locked cases at once (a deployment schedule
    moving the date of hundreds of them): `summaries` and `sources` are keyed
    by case id. The same as event_add case by case, in a few statements: the
    versions move on and their history rows are written in bulk, and one
    case_events_added names every event after the commit.
    """
    if not cases:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_add_many runs inside the transaction that locked the cases.")
    sources = sources or {}
    now = timezone.now()
    for case in cases:
        case.version += 1
        case.updated_at = now  # bulk_update does not apply auto_now
    bulk_update_with_history(
        cases,
        OptOutRequest,
        ["version", "updated_at"],
        batch_size=BATCH,
        default_user=actor,
        default_change_reason=reason,
        default_date=now,
    )
    events = [
        _event(
            case=case,
            kind=kind,
            occurred_on=occurred_on,
            summary=summaries[case.pk],
            actor=actor,
            is_public=is_public,
            source=sources.get(case.pk, ""),
            date_precision=date_precision,
            from_stage="",
            to_stage="",
            recorded_at=now,
        )
        for case in cases
    ]
    for event in events:
        event.clean_fields(exclude=["request", "actor"])
    events = CaseEvent.objects.bulk_create(events, batch_size=BATCH)
    if any(e.pk is None for e in events):  # a database that returns no ids
        events = list(
            CaseEvent.objects.filter(request__in=cases, recorded_at=now, kind=kind).order_by("id")
        )
    pagecache.changed("cases")
    _announce(events)
    return events


@transaction.atomic
def event_record(
    *,
    case_id: int,
    user,
    kind: str,
    summary: str,
    occurred_on: datetime.date | None = None,
    is_public: bool = True,
    source: str = "",
    date_precision: str = DatePrecision.DAY,
) -> CaseEvent:
    """
    Add a reply, a note or another dated fact to the timeline without moving
    the stage, on its date of record and with its precision (a reply known
    only to the month). A note may come before the request (the Board's vote
    that led to it), but never after today.
    """
    if kind not in {CaseEvent.Kind.NOTE, CaseEvent.Kind.REPLY, CaseEvent.Kind.CORRESPONDENCE}:
        raise ValidationError({"kind": "Only notes, replies and correspondence are added by hand."})
    if not summary.strip():
        raise ValidationError({"summary": "Write what happened."})
    occurred_on = occurred_on or timezone.localdate()
    precision_check(date_precision)
    not_future(occurred_on, date_precision, field="occurred_on", what="The date")
    case = _lock(case_id, None)
    return event_add(
        case=case,
        kind=kind,
        occurred_on=occurred_on,
        date_precision=date_precision,
        actor=user,
        summary=summary.strip(),
        is_public=is_public,
        source=source,
        reason="Timeline entry added",
    )
