"""
A case's notice: drafting the request (about one jurisdiction, or about the
whole state), recording the copies sent to the SIB and ICE (the draft
becomes "notice sent" when both have one), and renewing a denied request
with a new notice (its note on the denied request public only once the new
request is).

A copy is recorded as *sent*, never as delivered: a mailed letter reaches
nobody the day it is posted. Its receipt, when proof of it comes, is a
separate fact (services.receipts).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import pagecache
from core.forms import date_range_check
from jurisdictions.models import Jurisdiction, State

from ..facts import DatePrecision
from ..models import (
    REFERENCE_LABELS,
    CaseEvent,
    CaseScope,
    Delivery,
    DeliveryMethod,
    OptOutRequest,
    Recipient,
    RequestingBody,
    Stage,
)
from ..stages import RENEWABLE_OUTCOMES
from .base import REQUIRED_RECIPIENTS, TransitionError, _check, _lock, opening_check
from .moves import _move
from .timeline import event_add
from .touch import case_touch

# How the timeline names each recipient in a sentence ("Notice sent to the SIB").
RECIPIENT_NAMES = {
    Recipient.SIB: "the SIB",
    Recipient.ICE: "ICE",
    Recipient.ATTORNEY_GENERAL: "the state attorney general",
    Recipient.GOVERNOR: "the governor",
}

STATEWIDE_NAME = "{state} (whole state)"


def statewide_entry(*, state: State, user=None) -> Jurisdiction:
    """
    The state's own entry in the directory, which a state-level case names as
    its jurisdiction (CaseScope.STATE): made the first time a state is the
    subject of a case. It is on no deployment plan, has no activation date
    and no FIPS code, so it appears on no map and in no reminder of dates.
    """
    name = STATEWIDE_NAME.format(state=state.name)
    entry = Jurisdiction.objects.filter(state=state, name=name).first()
    if entry is None:
        entry = Jurisdiction(state=state, name=name)
        entry._history_user = user
        entry._change_reason = "Statewide entry for a state-level request"
        entry.full_clean()
        entry.save()
        pagecache.changed("plan")
    return entry


def recipient_in_words(recipient: str, recipient_name: str) -> str:
    """The recipient as a sentence names it: "the SIB", "ICE", or the name given."""
    return RECIPIENT_NAMES.get(recipient) or recipient_name


def _requester_check(requesting_body: str, requesting_body_other: str) -> str:
    other = " ".join((requesting_body_other or "").split())
    if requesting_body == RequestingBody.OTHER and not other:
        raise ValidationError(
            {"requesting_body_other": "Name the requester when it is none of the listed offices."}
        )
    return other if requesting_body == RequestingBody.OTHER else ""


@transaction.atomic
def optout_create(
    *,
    jurisdiction: Jurisdiction | None = None,
    state: State | None = None,
    user,
    requesting_official: str,
    requesting_body: str,
    requesting_body_other: str = "",
    reasons: str = "",
    opened_on: datetime.date | None = None,
    opened_precision: str = DatePrecision.DAY,
    reopens: OptOutRequest | None = None,
) -> OptOutRequest:
    """
    Draft a new opt-out request; it stays a draft until the notice reaches
    the SIB and ICE. Given a `state` instead of a `jurisdiction`, the case
    is about the whole state (a governor suspending the state's agreement),
    filed against the state's statewide entry. "Other" requesters are named.
    """
    if (jurisdiction is None) == (state is None):
        raise ValidationError({"jurisdiction": "Choose one jurisdiction, or the whole state."})
    scope = CaseScope.JURISDICTION
    if state is not None:
        jurisdiction, scope = statewide_entry(state=state, user=user), CaseScope.STATE
    elif reopens is not None and reopens.scope == CaseScope.STATE:
        scope = CaseScope.STATE
    other = _requester_check(requesting_body, requesting_body_other)
    opened_on = opened_on or timezone.localdate()
    opening_check(opened_on, opened_precision, reopens=reopens)
    case = OptOutRequest(
        jurisdiction=jurisdiction,
        scope=scope,
        requesting_official=requesting_official,
        requesting_body=requesting_body,
        requesting_body_other=other,
        reasons=reasons,
        opened_on=opened_on,
        opened_precision=opened_precision,
        scheduled_activation_at_filing=jurisdiction.scheduled_activation,
        reopens=reopens,
        created_by=user,
    )
    case.full_clean(validate_unique=False)
    event_add(
        case=case,
        kind=CaseEvent.Kind.CREATED,
        occurred_on=opened_on,
        date_precision=opened_precision,
        actor=user,
        to_stage=Stage.DRAFT,
        summary=f"{requesting_official} drafted an opt-out request"
        + (" renewing the denied request." if reopens else "."),
        reason="Drafted",
    )
    return case


def missing_recipients(case: OptOutRequest) -> list[str]:
    """
    The recipients the written notice has not reached yet (labels, in order).
    A copy that failed (a bounced email) has not reached anyone.
    """
    delivered = set(
        case.deliveries.exclude(status=Delivery.Status.FAILED).values_list("recipient", flat=True)
    )
    return [Recipient(r).label for r in REQUIRED_RECIPIENTS if r not in delivered]


def _delivery_add(
    case: OptOutRequest,
    *,
    user,
    recipient: str,
    recipient_name: str,
    method: str,
    sent_on: datetime.date,
    reference: str = "",
    source: str = "",
) -> Delivery:
    date_range_check(sent_on, field="sent_on")
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "A copy cannot be sent in the future."})
    delivery = Delivery(
        request=case,
        recipient=recipient,
        recipient_name=recipient_name,
        method=method,
        sent_on=sent_on,
        reference=" ".join((reference or "").split()),
        recorded_by=user,
    )
    delivery._history_user = user
    delivery.full_clean()
    delivery.save()
    event_add(
        case=case,
        kind=CaseEvent.Kind.DELIVERY,
        occurred_on=sent_on,
        actor=user,
        summary=delivery_sentence(delivery),
        source=source,
        reason="Copy of the notice recorded",
    )
    return delivery


def delivery_sentence(delivery: Delivery) -> str:
    """
    The timeline's line for a copy sent: "Notice sent to the SIB by certified
    mail (tracking 7009 …), addressed to Bureau of Criminal Identification."
    """
    method = DeliveryMethod(delivery.method).label
    if delivery.method != DeliveryMethod.LETTER:
        method = method.lower()
    words = f"Notice sent to {recipient_in_words(delivery.recipient, delivery.recipient_name)}"
    words += f" by {method}"
    if delivery.reference:
        words += f" ({REFERENCE_LABELS.get(delivery.method, 'reference')} {delivery.reference})"
    if delivery.recipient in RECIPIENT_NAMES:
        words += f", addressed to {delivery.recipient_name}"
    return words + "."


@transaction.atomic
def deliveries_record(
    *,
    case_id: int,
    user,
    copies: list[dict],
    source: str = "",
    expected_version: int | None = None,
) -> list[Delivery]:
    """
    Record the written copies of the notice sent together (each a dict of
    recipient, recipient_name, method, sent_on and optionally reference):
    all of them or none. The version the user saw is checked once, before
    the first copy, since the copies are one act. When copies have reached
    both the SIB and ICE, a draft request moves to "notice sent" in the same
    transaction.
    """
    case = _lock(case_id, expected_version)
    if not case.is_open:
        raise TransitionError("A closed request takes no more notices.")
    if not copies:
        raise ValidationError("Name at least one recipient the notice was sent to.")
    deliveries = [
        _delivery_add(
            case,
            user=user,
            recipient=copy["recipient"],
            recipient_name=copy["recipient_name"],
            method=copy["method"],
            sent_on=copy["sent_on"],
            reference=copy.get("reference", ""),
            source=source,
        )
        for copy in copies
    ]
    renewal_publish(case)
    if case.stage == Stage.DRAFT and not missing_recipients(case):
        last = max(case.deliveries.values_list("sent_on", flat=True))
        _move(
            case,
            target=_check(case, "send_notice"),
            user=user,
            reason="Notice sent to the SIB and ICE",
            occurred_on=last,
            fields=[],
            summary="The written notice has been sent to both the State Identification Bureau "
            "and ICE.",
        )
    return deliveries


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
    """Record one written copy of the notice: deliveries_record with a single copy."""
    [delivery] = deliveries_record(
        case_id=case_id,
        user=user,
        copies=[
            {
                "recipient": recipient,
                "recipient_name": recipient_name,
                "method": method,
                "sent_on": sent_on,
                "reference": reference,
            }
        ],
        source=source,
        expected_version=expected_version,
    )
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
        summary="The written notice has been sent to both the State Identification Bureau and ICE.",
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
    opened_precision: str = DatePrecision.DAY,
) -> OptOutRequest:
    """
    Renew a denied request with a new notice: a new draft case linked to the
    old one (one case per attempt), opened on its own date of record, not
    before the denial. Repeating it returns the same new case.
    """
    case = _lock(case_id, None)
    existing = OptOutRequest.objects.filter(reopens=case).first()
    if existing:
        return existing
    if not (case.stage == Stage.RESOLVED and case.outcome in RENEWABLE_OUTCOMES):
        raise TransitionError("Only a denied or refused request can be renewed with a new notice.")
    new_case = optout_create(
        jurisdiction=case.jurisdiction,
        user=user,
        requesting_official=requesting_official or case.requesting_official,
        requesting_body=case.requesting_body,
        requesting_body_other=case.requesting_body_other,
        reasons=reasons or case.reasons,
        reopens=case,
        opened_on=opened_on,
        opened_precision=opened_precision,
    )
    # The old case is public, the new one a draft: the note that points to it
    # stays off the public record until the new case is public too.
    event_add(
        case=case,
        kind=CaseEvent.Kind.NOTE,
        occurred_on=new_case.opened_on,
        date_precision=opened_precision,
        actor=user,
        summary=renewal_summary(new_case),
        is_public=False,
    )
    return new_case


def renewal_summary(new_case: OptOutRequest) -> str:
    """The old case's timeline note that names the request renewing it."""
    return f"Renewed with a new notice: request #{new_case.pk}."


def renewal_publish(case: OptOutRequest) -> None:
    """
    Once a renewing request is public (its first copy of the notice sent),
    the note on the denied request that names it is public too. Nothing for
    a case that renews nothing, is not public yet, or whose note already is.
    """
    if case.reopens_id is None or not OptOutRequest.objects.public().filter(pk=case.pk).exists():
        return
    published = CaseEvent.objects.filter(
        request_id=case.reopens_id,
        kind=CaseEvent.Kind.NOTE,
        summary=renewal_summary(case),
        is_public=False,
    ).update(is_public=True)
    if published:
        case_touch(case_id=case.reopens_id)
