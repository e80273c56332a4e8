"""
The moves of a case after its notice: the meeting, the resolution, the
withdrawal. Each function locks the case, checks the move against
TRANSITIONS, writes the case and its timeline event in one transaction (the
event through timeline.event_add), and returns quietly when the case is
already where the move leads.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from jurisdictions.services import jurisdiction_plan_update

from ..models import CaseEvent, OptOutRequest, Outcome, Stage
from ..transitions import TRANSITIONS
from .base import _check, _lock, _moment
from .timeline import event_add


def _move(
    case: OptOutRequest,
    *,
    target: str,
    user,
    reason: str,
    occurred_on: datetime.date,
    fields: list[str],
    summary: str,
    source: str = "",
    date_is_approximate: bool = False,
) -> CaseEvent:
    previous = case.stage
    case.stage = target
    case.stage_entered_at = _moment(occurred_on)
    case.full_clean(validate_unique=False, validate_constraints=True)
    return event_add(
        case=case,
        kind=CaseEvent.Kind.STAGE,
        occurred_on=occurred_on,
        date_is_approximate=date_is_approximate,
        actor=user,
        from_stage=previous,
        to_stage=target,
        summary=summary,
        source=source,
        reason=reason,
        fields=["stage", "stage_entered_at", *fields],
    )


def _dated_move(
    *,
    action: str,
    default_summary: str,
    case_id: int,
    user,
    occurred_on: datetime.date | None,
    note: str,
    source: str,
    expected_version: int | None,
    date_is_approximate: bool,
) -> OptOutRequest:
    """A move that needs only a date, a note and a source; the note replaces the default summary."""
    case = _lock(case_id, expected_version)
    target = TRANSITIONS[action][1]
    if case.stage == target:
        return case
    _check(case, action)
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "This date is in the future."})
    _move(
        case,
        target=target,
        user=user,
        reason=note or default_summary,
        occurred_on=occurred_on,
        fields=[],
        summary=note or default_summary,
        source=source,
        date_is_approximate=date_is_approximate,
    )
    return case


@transaction.atomic
def optout_request_meeting(
    *,
    case_id: int,
    user,
    occurred_on: datetime.date | None = None,
    note: str = "",
    source: str = "",
    expected_version: int | None = None,
    date_is_approximate: bool = False,
) -> OptOutRequest:
    """
    ICE asked for a meeting with federal partners, the jurisdiction and the
    state: the case waits for a date ("request_meeting" in the transition table).
    """
    return _dated_move(
        action="request_meeting",
        default_summary=(
            "ICE asked for a meeting with federal partners, the jurisdiction and the state."
        ),
        case_id=case_id,
        user=user,
        occurred_on=occurred_on,
        note=note,
        source=source,
        expected_version=expected_version,
        date_is_approximate=date_is_approximate,
    )


@transaction.atomic
def optout_hold_meeting(
    *,
    case_id: int,
    user,
    occurred_on: datetime.date | None = None,
    note: str = "",
    source: str = "",
    expected_version: int | None = None,
    date_is_approximate: bool = False,
) -> OptOutRequest:
    """
    The meeting was held: the case waits for ICE's decision ("hold_meeting"
    in the transition table).
    """
    return _dated_move(
        action="hold_meeting",
        default_summary="The meeting was held.",
        case_id=case_id,
        user=user,
        occurred_on=occurred_on,
        note=note,
        source=source,
        expected_version=expected_version,
        date_is_approximate=date_is_approximate,
    )


@transaction.atomic
def optout_schedule_meeting(
    *,
    case_id: int,
    user,
    meeting_at: datetime.datetime,
    location: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> OptOutRequest:
    """Set (or move) the meeting's date; rescheduling keeps the stage and records the change."""
    case = _lock(case_id, expected_version)
    target = _check(case, "schedule_meeting")
    if case.stage == target and case.meeting_at == meeting_at and case.meeting_location == location:
        return case
    when = timezone.localtime(meeting_at).strftime("%B %-d, %Y at %-I:%M %p")
    summary = (
        (f"Meeting moved to {when}." if case.meeting_at else f"Meeting scheduled for {when}.")
        + (f" {location}." if location else "")
        + (f" {note}" if note else "")
    )
    case.meeting_at = meeting_at
    case.meeting_location = location
    _move(
        case,
        target=target,
        user=user,
        reason=summary,
        occurred_on=timezone.localdate(),
        fields=["meeting_at", "meeting_location"],
        summary=summary,
    )
    return case


@transaction.atomic
def optout_resolve(
    *,
    case_id: int,
    user,
    outcome: str,
    outcome_text: str = "",
    new_activation: datetime.date | None = None,
    occurred_on: datetime.date | None = None,
    source: str = "",
    expected_version: int | None = None,
    date_is_approximate: bool = False,
) -> OptOutRequest:
    """
    Record the resolution. "Date adjusted" moves the jurisdiction's scheduled
    activation; "removed" takes it off the deployment plan; both in the same
    transaction, through the jurisdictions' service, so their history says why.
    """
    case = _lock(case_id, expected_version)
    if case.stage == Stage.RESOLVED and case.outcome == outcome:
        return case
    target = _check(case, "resolve")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose one of the outcomes."})
    if outcome == Outcome.DATE_ADJUSTED and not new_activation:
        raise ValidationError({"new_activation": "An adjusted activation date needs the new date."})
    if outcome == Outcome.OTHER and not outcome_text.strip():
        raise ValidationError({"outcome_text": "Describe the resolution."})
    occurred_on = occurred_on or timezone.localdate()
    case.outcome = outcome
    case.outcome_text = outcome_text
    case.outcome_new_activation = new_activation if outcome == Outcome.DATE_ADJUSTED else None
    case.closed_on = occurred_on
    label = Outcome(outcome).label
    summary = f"Resolved: {label}." + (f" {outcome_text}" if outcome_text else "")
    if outcome == Outcome.DATE_ADJUSTED:
        summary += f" New activation date: {new_activation:%B %-d, %Y}."
    _move(
        case,
        target=target,
        user=user,
        reason=summary,
        occurred_on=occurred_on,
        fields=["outcome", "outcome_text", "outcome_new_activation", "closed_on"],
        summary=summary,
        source=source,
        date_is_approximate=date_is_approximate,
    )
    reason = f"Resolution of opt-out request #{case.pk}: {label}"
    if outcome == Outcome.DATE_ADJUSTED:
        jurisdiction_plan_update(
            jurisdiction_id=case.jurisdiction_id,
            user=user,
            reason=reason,
            scheduled_activation=new_activation,
            plan_status=Jurisdiction.PlanStatus.POSTPONED,
        )
    elif outcome == Outcome.REMOVED:
        jurisdiction_plan_update(
            jurisdiction_id=case.jurisdiction_id,
            user=user,
            reason=reason,
            plan_status=Jurisdiction.PlanStatus.REMOVED,
        )
    return case


@transaction.atomic
def optout_withdraw(
    *, case_id: int, user, reason: str, expected_version: int | None = None
) -> OptOutRequest:
    """The jurisdiction withdraws its own request; the case closes."""
    case = _lock(case_id, expected_version)
    if case.stage == Stage.WITHDRAWN:
        return case
    target = _check(case, "withdraw")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the request is withdrawn."})
    case.closed_on = timezone.localdate()
    _move(
        case,
        target=target,
        user=user,
        reason=reason,
        occurred_on=case.closed_on,
        fields=["closed_on"],
        summary=f"Request withdrawn: {reason}",
    )
    return case
