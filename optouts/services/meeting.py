"""
The meeting ICE's procedure promises once the notice is received: asked
for, scheduled, postponed or cancelled, held. Each move takes its date of
record, checked against today and the case's other dates (no meeting before
the first copy of the notice, none held before it was scheduled).

A postponed or cancelled meeting has no date any more (`meeting_at` is
cleared, the old date kept in `meeting_was_at`), so reminders about a
meeting's date follow the postponement, not the old date.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.forms import date_range_check

from ..facts import DatePrecision, MeetingParty, date_display
from ..models import OptOutRequest, Stage
from .base import _check, _lock, after_notice_check, date_of_record_check, not_before
from .moves import _dated_move, _move


def _meeting_words(meeting_at: datetime.datetime) -> str:
    return timezone.localtime(meeting_at).strftime("%B %-d, %Y at %-I:%M %p")


def _party_words(case: OptOutRequest, asked_by: str) -> str:
    """Who asked, in the timeline's words: the jurisdiction and the state by name."""
    if asked_by == MeetingParty.JURISDICTION:
        return case.jurisdiction.name
    if asked_by == MeetingParty.STATE:
        return f"The state of {case.jurisdiction.state.name}"
    return MeetingParty(asked_by).label


def _change_check(asked_by: str, reason: str, verb: str) -> None:
    if asked_by not in MeetingParty.values:
        raise ValidationError({"asked_by": f"Say who asked to {verb} the meeting."})
    if not reason.strip():
        raise ValidationError({"reason": f"Say why the meeting is {verb}d, as far as it is known."})


def _meeting_date_check(case: OptOutRequest, meeting_at, set_on, set_precision, field: str) -> None:
    """A meeting comes after the first copy of the notice and after the day it was set."""
    if meeting_at is None:
        raise ValidationError({field: "Give the meeting's date and time."})
    date_range_check(meeting_at, field=field)
    day = timezone.localtime(meeting_at).date()
    after_notice_check(case, day, DatePrecision.DAY, field=field, what="The meeting")
    not_before(
        day,
        DatePrecision.DAY,
        field=field,
        what="The meeting",
        other=set_on,
        other_precision=set_precision,
        other_what="the day it was set",
    )


@transaction.atomic
def optout_request_meeting(
    *,
    case_id: int,
    user,
    occurred_on: datetime.date | None = None,
    date_precision: str = DatePrecision.DAY,
    note: str = "",
    source: str = "",
    expected_version: int | None = None,
) -> OptOutRequest:
    """
    ICE asked for a meeting with federal partners, the jurisdiction and the
    state: the case waits for a date ("request_meeting" in the transition
    table). Not before the first copy of the notice.
    """
    return _dated_move(
        action="request_meeting",
        default_summary=(
            "ICE asked for a meeting with federal partners, the jurisdiction and the state."
        ),
        what="ICE's request for a meeting",
        case_id=case_id,
        user=user,
        occurred_on=occurred_on,
        note=note,
        source=source,
        expected_version=expected_version,
        date_precision=date_precision,
    )


@transaction.atomic
def optout_schedule_meeting(
    *,
    case_id: int,
    user,
    meeting_at: datetime.datetime,
    location: str = "",
    note: str = "",
    occurred_on: datetime.date | None = None,
    date_precision: str = DatePrecision.DAY,
    source: str = "",
    expected_version: int | None = None,
) -> OptOutRequest:
    """
    Set (or move) the meeting's date; `occurred_on` is the day it was set.
    Rescheduling keeps the stage and records the change; a postponed or
    cancelled meeting is scheduled again.
    """
    case = _lock(case_id, expected_version)
    target = _check(case, "schedule_meeting")
    if case.stage == target and case.meeting_at == meeting_at and case.meeting_location == location:
        return case
    occurred_on = occurred_on or timezone.localdate()
    date_of_record_check(case, occurred_on, date_precision, what="The day the meeting was set")
    _meeting_date_check(case, meeting_at, occurred_on, date_precision, "meeting_at")
    when = _meeting_words(meeting_at)
    if case.stage in (Stage.MEETING_POSTPONED, Stage.MEETING_CANCELLED):
        summary = f"Meeting scheduled again, for {when}."
    elif case.meeting_at:
        summary = f"Meeting moved to {when}."
    else:
        summary = f"Meeting scheduled for {when}."
    summary += (f" {location}." if location else "") + (f" {note}" if note else "")
    case.meeting_at = meeting_at
    case.meeting_location = location
    _move(
        case,
        target=target,
        user=user,
        reason=summary,
        occurred_on=occurred_on,
        fields=["meeting_at", "meeting_location"],
        summary=summary,
        source=source,
        date_precision=date_precision,
    )
    return case


@transaction.atomic
def optout_postpone_meeting(
    *,
    case_id: int,
    user,
    asked_by: str,
    reason: str,
    occurred_on: datetime.date | None = None,
    date_precision: str = DatePrecision.DAY,
    new_meeting_at: datetime.datetime | None = None,
    location: str | None = None,
    source: str = "",
    expected_version: int | None = None,
) -> OptOutRequest:
    """
    Postpone the scheduled meeting: who asked (`asked_by`, a MeetingParty),
    when (`occurred_on`, no later than the meeting itself), why, and the new
    date if one was given. Without one the case is "meeting postponed" and
    no reminder counts from the old date (San Francisco asked on 28 Sep 2010
    to postpone its 13 Oct meeting, with no new date); with one the meeting
    is scheduled again for it, as a second line of the timeline.
    """
    case = _lock(case_id, expected_version)
    if case.stage == Stage.MEETING_POSTPONED and new_meeting_at is None:
        return case
    target = _check(case, "postpone_meeting")
    _change_check(asked_by, reason, "postpone")
    occurred_on = occurred_on or timezone.localdate()
    date_of_record_check(case, occurred_on, date_precision, what="The request to postpone")
    old = case.meeting_at
    old_day = timezone.localtime(old).date() if old else None
    if old_day:
        not_before(
            old_day,
            DatePrecision.DAY,
            field="occurred_on",
            what="The meeting",
            other=occurred_on,
            other_precision=date_precision,
            other_what="the request to postpone it",
        )
    if new_meeting_at is not None:
        _meeting_date_check(case, new_meeting_at, occurred_on, date_precision, "new_meeting_at")
    party = _party_words(case, asked_by)
    summary = (
        f"{party} asked to postpone the meeting"
        + (f" of {date_display(old_day)}" if old_day else "")
        + f": {reason.strip()}"
        + ("" if new_meeting_at else " No new date.")
    )
    case.meeting_was_at, case.meeting_at = old, None
    case.meeting_change_by, case.meeting_change_reason = asked_by, reason.strip()
    fields = ["meeting_at", "meeting_was_at", "meeting_change_by", "meeting_change_reason"]
    _move(
        case,
        target=target,
        user=user,
        reason=summary,
        occurred_on=occurred_on,
        fields=fields,
        summary=summary,
        source=source,
        date_precision=date_precision,
    )
    if new_meeting_at is not None:
        case.meeting_at = new_meeting_at
        if location is not None:
            case.meeting_location = location
        summary = f"Meeting postponed to {_meeting_words(new_meeting_at)}." + (
            f" {case.meeting_location}." if case.meeting_location else ""
        )
        _move(
            case,
            target=_check(case, "schedule_meeting"),
            user=user,
            reason=summary,
            occurred_on=occurred_on,
            fields=["meeting_at", "meeting_location"],
            summary=summary,
            source=source,
            date_precision=date_precision,
        )
    return case


@transaction.atomic
def optout_cancel_meeting(
    *,
    case_id: int,
    user,
    asked_by: str,
    reason: str,
    occurred_on: datetime.date | None = None,
    date_precision: str = DatePrecision.DAY,
    source: str = "",
    expected_version: int | None = None,
) -> OptOutRequest:
    """
    Cancel the meeting, asked for, scheduled or postponed: who asked, when,
    why. The case stays open ("meeting cancelled") until ICE asks again, a
    meeting is set, or a resolution or a withdrawal closes it.
    """
    case = _lock(case_id, expected_version)
    if case.stage == Stage.MEETING_CANCELLED:
        return case
    target = _check(case, "cancel_meeting")
    _change_check(asked_by, reason, "cancel")
    occurred_on = occurred_on or timezone.localdate()
    date_of_record_check(case, occurred_on, date_precision, what="The cancellation")
    old = case.meeting_at or case.meeting_was_at
    which = (
        f"the meeting of {date_display(timezone.localtime(old).date())}" if old else "the meeting"
    )
    summary = f"{_party_words(case, asked_by)} cancelled {which}: {reason.strip()}"
    case.meeting_was_at, case.meeting_at = old, None
    case.meeting_change_by, case.meeting_change_reason = asked_by, reason.strip()
    _move(
        case,
        target=target,
        user=user,
        reason=summary,
        occurred_on=occurred_on,
        fields=["meeting_at", "meeting_was_at", "meeting_change_by", "meeting_change_reason"],
        summary=summary,
        source=source,
        date_precision=date_precision,
    )
    return case


def _held_check(case: OptOutRequest, day: datetime.date, precision: str) -> None:
    if case.meeting_at is not None:
        not_before(
            day,
            precision,
            field="occurred_on",
            what="The meeting held",
            other=timezone.localtime(case.meeting_at).date(),
            other_what="the date it was scheduled for (reschedule it first if it moved)",
        )


@transaction.atomic
def optout_hold_meeting(
    *,
    case_id: int,
    user,
    occurred_on: datetime.date | None = None,
    date_precision: str = DatePrecision.DAY,
    note: str = "",
    source: str = "",
    expected_version: int | None = None,
) -> OptOutRequest:
    """
    The meeting was held, not before it was scheduled nor before the date it
    was scheduled for: the case waits for ICE's decision ("hold_meeting" in
    the transition table).
    """
    return _dated_move(
        action="hold_meeting",
        default_summary="The meeting was held.",
        what="The meeting held",
        case_id=case_id,
        user=user,
        occurred_on=occurred_on,
        note=note,
        source=source,
        expected_version=expected_version,
        date_precision=date_precision,
        check=_held_check,
    )
