"""
The moves that close a case: the resolution and the withdrawal, and what
every move shares (_move, _dated_move). The meeting's moves are in
services.meeting. Each function locks the case, checks the move against
TRANSITIONS and its date of record against today and the case's other dates
(base.date_of_record_check), writes the case and its timeline event in one
transaction (the event through timeline.event_add), and returns quietly when
the case is already where the move leads.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.forms import date_range_check
from jurisdictions.models import Jurisdiction
from jurisdictions.services import jurisdiction_plan_update

from ..facts import DatePrecision, date_display
from ..models import CaseEvent, OptOutRequest, Outcome, Stage
from ..transitions import TRANSITIONS
from .base import _check, _lock, _moment, date_of_record_check
from .timeline import event_add

# Outcomes that keep an activated jurisdiction out, which ICE granted only by deactivating it.
KEEPS_OUT = (Outcome.REMOVED, Outcome.DATE_ADJUSTED)


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
    date_precision: str = DatePrecision.DAY,
) -> CaseEvent:
    previous = case.stage
    case.stage = target
    case.stage_entered_at = _moment(occurred_on)
    case.full_clean(validate_unique=False, validate_constraints=True)
    return event_add(
        case=case,
        kind=CaseEvent.Kind.STAGE,
        occurred_on=occurred_on,
        date_precision=date_precision,
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
    what: str,
    case_id: int,
    user,
    occurred_on: datetime.date | None,
    note: str,
    source: str,
    expected_version: int | None,
    date_precision: str,
    check=None,
) -> OptOutRequest:
    """
    A move that needs only a date, a note and a source; the note replaces the
    default summary. `check(case, day, precision)` adds the move's own checks of its date.
    """
    case = _lock(case_id, expected_version)
    target = TRANSITIONS[action][1]
    if case.stage == target:
        return case
    _check(case, action)
    occurred_on = occurred_on or timezone.localdate()
    date_of_record_check(case, occurred_on, date_precision, what=what)
    if check is not None:
        check(case, occurred_on, date_precision)
    _move(
        case,
        target=target,
        user=user,
        reason=note or default_summary,
        occurred_on=occurred_on,
        fields=[],
        summary=note or default_summary,
        source=source,
        date_precision=date_precision,
    )
    return case


def _outcome_check(case: OptOutRequest, outcome: str, *, deactivated: bool) -> None:
    """
    An activated jurisdiction is not removed from the plan nor given a new
    date unless ICE deactivates it: in 2010 ICE told Arlington and Santa
    Clara, both activated, that participation was mandatory.
    """
    activated = case.jurisdiction.actual_activation
    if outcome in KEEPS_OUT and activated and not deactivated:
        raise ValidationError(
            {
                "outcome": f"{case.jurisdiction.name} was activated on "
                f"{date_display(activated)}: it can be {Outcome(outcome).label.lower()} only "
                "if ICE deactivated it as part of the resolution. Say so, or record what "
                f"ICE answered (“{Outcome.REFUSED.label}”)."
            }
        )
    if (deactivated or outcome == Outcome.DEACTIVATED) and not activated:
        field = "outcome" if outcome == Outcome.DEACTIVATED else "deactivated"
        raise ValidationError(
            {field: f"{case.jurisdiction.name} is not activated: there is nothing to deactivate."}
        )


def _plan_follow(case: OptOutRequest, *, user, outcome: str, deactivated: bool) -> None:
    """The deployment plan after the resolution, through the jurisdictions' service."""
    reason = f"Resolution of opt-out request #{case.pk}: {Outcome(outcome).label}"
    plan = Jurisdiction.PlanStatus
    if outcome == Outcome.DATE_ADJUSTED:
        changes = {
            "scheduled_activation": case.outcome_new_activation,
            "plan_status": plan.POSTPONED,
        }
        if deactivated:  # the new date means something only once the jurisdiction is off
            changes["actual_activation"] = None
    elif outcome in (Outcome.REMOVED, Outcome.DEACTIVATED):
        changes = {"plan_status": plan.REMOVED}
    else:
        return
    jurisdiction_plan_update(
        jurisdiction_id=case.jurisdiction_id, user=user, reason=reason, **changes
    )


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
    date_precision: str = DatePrecision.DAY,
    deactivated: bool = False,
) -> OptOutRequest:
    """
    Record the resolution on its date of record, which comes no earlier than
    the notice. "Date adjusted" moves the jurisdiction's scheduled
    activation; "removed" and "ICE deactivated" take it off the deployment
    plan; all in the same transaction, through the jurisdictions' service, so
    their history says why. For a jurisdiction already activated, "removed"
    and "date adjusted" need `deactivated` (ICE switched it off as part of
    the resolution); what ICE answered instead is "refused".
    """
    case = _lock(case_id, expected_version)
    if case.stage == Stage.RESOLVED and case.outcome == outcome:
        return case
    target = _check(case, "resolve")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose one of the outcomes."})
    if outcome == Outcome.DATE_ADJUSTED and not new_activation:
        raise ValidationError({"new_activation": "An adjusted activation date needs the new date."})
    date_range_check(new_activation, field="new_activation")
    if outcome == Outcome.OTHER and not outcome_text.strip():
        raise ValidationError({"outcome_text": "Describe the resolution."})
    _outcome_check(case, outcome, deactivated=deactivated)
    occurred_on = occurred_on or timezone.localdate()
    date_of_record_check(case, occurred_on, date_precision, what="The resolution")
    case.outcome = outcome
    case.outcome_text = outcome_text
    case.outcome_new_activation = new_activation if outcome == Outcome.DATE_ADJUSTED else None
    case.closed_on = occurred_on
    summary = f"Resolved: {Outcome(outcome).label}." + (f" {outcome_text}" if outcome_text else "")
    if deactivated and outcome != Outcome.DEACTIVATED:
        summary += " ICE deactivated the jurisdiction."
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
        date_precision=date_precision,
    )
    _plan_follow(case, user=user, outcome=outcome, deactivated=deactivated)
    return case


@transaction.atomic
def optout_withdraw(
    *,
    case_id: int,
    user,
    reason: str,
    occurred_on: datetime.date | None = None,
    date_precision: str = DatePrecision.DAY,
    source: str = "",
    expected_version: int | None = None,
) -> OptOutRequest:
    """
    The jurisdiction withdraws its own request on its date of record (not
    before the case got where it is); the case closes on that day.
    """
    case = _lock(case_id, expected_version)
    if case.stage == Stage.WITHDRAWN:
        return case
    target = _check(case, "withdraw")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the request is withdrawn."})
    occurred_on = occurred_on or timezone.localdate()
    date_of_record_check(case, occurred_on, date_precision, what="The withdrawal")
    case.closed_on = occurred_on
    _move(
        case,
        target=target,
        user=user,
        reason=reason,
        occurred_on=occurred_on,
        fields=["closed_on"],
        summary=f"Request withdrawn: {reason}",
        source=source,
        date_precision=date_precision,
    )
    return case
