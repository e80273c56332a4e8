"""
Every move of a case. Each function locks the case, checks the move against
TRANSITIONS, writes the case and its timeline event in one transaction, and
returns quietly when the case is already where the move leads.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import pagecache
from jurisdictions.models import Jurisdiction
from jurisdictions.services import jurisdiction_plan_update

from .models import (
    CaseEvent,
    Delivery,
    DeliveryMethod,
    OptOutRequest,
    Outcome,
    Recipient,
    Stage,
)
from .transitions import TRANSITIONS

REQUIRED_RECIPIENTS = (Recipient.SIB, Recipient.ICE)


class TransitionError(ValidationError):
    """A move the transition table forbids, or that the case is not ready for."""


class ConcurrentChangeError(TransitionError):
    """Someone else changed the case since this user loaded it."""


def _lock(case_id: int, expected_version: int | None) -> OptOutRequest:
    case = OptOutRequest.objects.select_for_update().select_related("jurisdiction").get(pk=case_id)
    if expected_version is not None and case.version != expected_version:
        raise ConcurrentChangeError(
            "This request was changed by someone else while you were looking at it. "
            "Reload the page to see the change, then try again."
        )
    return case


def _check(case: OptOutRequest, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if case.stage not in sources:
        raise TransitionError(
            f"A request that is “{case.get_stage_display()}” cannot move to "
            f"“{Stage(target).label}”."
        )
    return target


def _moment(day: datetime.date) -> datetime.datetime:
    """When a stage began: now for a move made today, the day's start for one recorded late."""
    if day >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


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
    case.version += 1
    case._history_user = user
    case._change_reason = reason
    case.full_clean(validate_unique=False, validate_constraints=True)
    case.save(update_fields=["stage", "stage_entered_at", "version", "updated_at", *fields])
    pagecache.changed("cases")
    return CaseEvent.objects.create(
        request=case,
        kind=CaseEvent.Kind.STAGE,
        occurred_on=occurred_on,
        date_is_approximate=date_is_approximate,
        actor=user,
        from_stage=previous,
        to_stage=target,
        summary=summary,
        source=source,
    )


@transaction.atomic
def optout_create(
    *,
    jurisdiction: Jurisdiction,
    user,
    requesting_official: str,
    requesting_body: str,
    reasons: str = "",
    opened_on: datetime.date | None = None,
    reopens: OptOutRequest | None = None,
) -> OptOutRequest:
    """Draft a new opt-out request; it stays a draft until the notice reaches the SIB and ICE."""
    opened_on = opened_on or timezone.localdate()
    case = OptOutRequest(
        jurisdiction=jurisdiction,
        requesting_official=requesting_official,
        requesting_body=requesting_body,
        reasons=reasons,
        opened_on=opened_on,
        scheduled_activation_at_filing=jurisdiction.scheduled_activation,
        reopens=reopens,
        created_by=user,
    )
    case._history_user = user
    case._change_reason = "Drafted"
    case.full_clean(validate_unique=False)
    case.save()
    pagecache.changed("cases")
    CaseEvent.objects.create(
        request=case,
        kind=CaseEvent.Kind.CREATED,
        occurred_on=opened_on,
        actor=user,
        to_stage=Stage.DRAFT,
        summary=f"{requesting_official} drafted an opt-out request"
        + (" renewing the denied request." if reopens else "."),
    )
    return case


def missing_recipients(case: OptOutRequest) -> list[str]:
    """The recipients the written notice has not reached yet (labels, in order)."""
    delivered = set(case.deliveries.values_list("recipient", flat=True))
    return [Recipient(r).label for r in REQUIRED_RECIPIENTS if r not in delivered]


@transaction.atomic
def delivery_record(
    *,
    case_id: int,
    user,
    recipient: str,
    recipient_name: str,
    method: str,
    sent_on: datetime.date,
    reference: str = "",
    source: str = "",
    expected_version: int | None = None,
) -> Delivery:
    """
    Record one written copy of the notice. When copies have reached both the
    SIB and ICE, a draft request moves to "notice sent" in the same transaction.
    """
    case = _lock(case_id, expected_version)
    if not case.is_open:
        raise TransitionError("A closed request takes no more notices.")
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "A copy cannot be sent in the future."})
    delivery = Delivery(
        request=case,
        recipient=recipient,
        recipient_name=recipient_name,
        method=method,
        sent_on=sent_on,
        reference=reference,
        recorded_by=user,
    )
    delivery._history_user = user
    delivery.full_clean()
    delivery.save()
    pagecache.changed("cases")
    CaseEvent.objects.create(
        request=case,
        kind=CaseEvent.Kind.DELIVERY,
        occurred_on=sent_on,
        actor=user,
        summary=f"Notice sent by {DeliveryMethod(method).label.lower()} to {recipient_name}.",
        source=source,
    )
    if case.stage == Stage.DRAFT and not missing_recipients(case):
        last = max(case.deliveries.values_list("sent_on", flat=True))
        _move(
            case,
            target=_check(case, "send_notice"),
            user=user,
            reason="Notice delivered to the SIB and ICE",
            occurred_on=last,
            fields=[],
            summary="The written notice has reached both the State Identification Bureau and ICE.",
        )
    else:
        case.version += 1
        case._history_user = user
        case._change_reason = "Copy of the notice recorded"
        case.save(update_fields=["version", "updated_at"])
    return delivery


@transaction.atomic
def optout_send_notice(*, case_id: int, user, expected_version: int | None = None) -> OptOutRequest:
    """Move a draft to "notice sent"; refused, naming who is missing, unless both copies went."""
    case = _lock(case_id, expected_version)
    if case.stage == Stage.NOTICE_SENT:
        return case
    target = _check(case, "send_notice")
    missing = missing_recipients(case)
    if missing:
        raise TransitionError(
            "The notice must reach both the State Identification Bureau and ICE. "
            f"Not yet sent to: {', '.join(missing)}."
        )
    last = max(case.deliveries.values_list("sent_on", flat=True))
    _move(
        case,
        target=target,
        user=user,
        reason="Notice sent",
        occurred_on=last,
        fields=[],
        summary="The written notice has reached both the State Identification Bureau and ICE.",
    )
    return case


def _simple_move(action: str, summary_default: str):
    """Build the service for a move that only needs a date, a note and a source."""

    @transaction.atomic
    def service(
        *,
        case_id: int,
        user,
        occurred_on: datetime.date | None = None,
        note: str = "",
        source: str = "",
        expected_version: int | None = None,
        date_is_approximate: bool = False,
    ) -> OptOutRequest:
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
            reason=note or summary_default,
            occurred_on=occurred_on,
            fields=[],
            summary=note or summary_default,
            source=source,
            date_is_approximate=date_is_approximate,
        )
        return case

    service.__name__ = f"optout_{action}"
    service.__doc__ = f"{summary_default} Moves the case by the transition table's “{action}”."
    return service


optout_request_meeting = _simple_move(
    "request_meeting",
    "ICE asked for a meeting with federal partners, the jurisdiction and the state.",
)
optout_hold_meeting = _simple_move("hold_meeting", "The meeting was held.")


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


@transaction.atomic
def optout_reopen(
    *,
    case_id: int,
    user,
    requesting_official: str = "",
    reasons: str = "",
    opened_on: datetime.date | None = None,
) -> OptOutRequest:
    """
    Renew a denied request with a new notice: a new draft case linked to the
    old one (one case per attempt). Repeating it returns the same new case.
    """
    case = _lock(case_id, None)
    existing = OptOutRequest.objects.filter(reopens=case).first()
    if existing:
        return existing
    if not (case.stage == Stage.RESOLVED and case.outcome == Outcome.DENIED):
        raise TransitionError("Only a denied request can be renewed with a new notice.")
    new_case = optout_create(
        jurisdiction=case.jurisdiction,
        user=user,
        requesting_official=requesting_official or case.requesting_official,
        requesting_body=case.requesting_body,
        reasons=reasons or case.reasons,
        reopens=case,
        opened_on=opened_on,
    )
    CaseEvent.objects.create(
        request=case,
        kind=CaseEvent.Kind.NOTE,
        occurred_on=new_case.opened_on,
        actor=user,
        summary=f"Renewed with a new notice: request #{new_case.pk}.",
    )
    return new_case


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
    date_is_approximate: bool = False,
) -> CaseEvent:
    """Add a reply, a note or another dated fact to the timeline without moving the stage."""
    if kind not in {CaseEvent.Kind.NOTE, CaseEvent.Kind.REPLY, CaseEvent.Kind.CORRESPONDENCE}:
        raise ValidationError({"kind": "Only notes, replies and correspondence are added by hand."})
    if not summary.strip():
        raise ValidationError({"summary": "Write what happened."})
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "This date is in the future."})
    case = _lock(case_id, None)
    case.version += 1
    case._history_user = user
    case._change_reason = "Timeline entry added"
    case.save(update_fields=["version", "updated_at"])
    pagecache.changed("cases")
    return CaseEvent.objects.create(
        request=case,
        kind=kind,
        occurred_on=occurred_on,
        date_is_approximate=date_is_approximate,
        actor=user,
        summary=summary.strip(),
        is_public=is_public,
        source=source,
    )
