"""
A copy of the notice that did not arrive: an email the recipient's server
bounced. The copy stays on record, marked failed, and no longer counts as
having reached its recipient, so a case that was "notice sent" only thanks to
it goes back to draft (the notice partly sent) with a line saying why.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from ..models import CaseEvent, Delivery, DeliveryMethod, Stage
from .base import _lock
from .moves import _move
from .notice import missing_recipients
from .timeline import event_add


@transaction.atomic
def delivery_fail(
    *,
    delivery_id: int,
    reason: str,
    user=None,
    occurred_on: datetime.date | None = None,
    source: str = "",
) -> Delivery:
    """
    Mark one copy of the notice failed. Safe to repeat: a copy already marked
    failed is returned unchanged (the same bounce may arrive twice).

    The stage goes back to draft only when the case is "notice sent" and,
    without this copy, the SIB or ICE has none: a case that moved on (a
    meeting asked for) keeps its stage, since ICE has plainly heard of it.
    """
    delivery = Delivery.objects.only("request_id").get(pk=delivery_id)
    case = _lock(delivery.request_id, None)  # the case first, as every writer locks it
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status == Delivery.Status.FAILED:
        return delivery
    occurred_on = occurred_on or timezone.localdate()
    reason = " ".join((reason or "The message was returned undelivered.").split())[:300]
    delivery.status = Delivery.Status.FAILED
    delivery.failed_on = max(occurred_on, delivery.sent_on)
    delivery.failure = reason
    delivery._history_user = user
    delivery._change_reason = "Delivery failed"
    delivery.full_clean()
    delivery.save(update_fields=["status", "failed_on", "failure"])
    method = DeliveryMethod(delivery.method).label.lower()
    event_add(
        case=case,
        kind=CaseEvent.Kind.DELIVERY_FAILED,
        occurred_on=delivery.failed_on,
        actor=user,
        summary=f"The notice sent by {method} to {delivery.recipient_name} on "
        f"{delivery.sent_on:%B %-d, %Y} did not arrive: {reason}",
        source=source,
        reason="Delivery failed",
    )
    missing = missing_recipients(case)
    if case.stage == Stage.NOTICE_SENT and missing:
        _move(
            case,
            target=Stage.DRAFT,
            user=user,
            reason="A copy of the notice failed",
            occurred_on=delivery.failed_on,
            fields=[],
            summary="Back to draft: the copy of the notice to "
            f"{delivery.recipient_name} did not arrive, so the notice has not reached "
            f"{', '.join(missing)}. Send it again to move the request on.",
        )
    return delivery
