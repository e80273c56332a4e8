"""
The receipt of a copy of the notice: the day it arrived, who signed for or
acknowledged it, and the proof (the return receipt card's scan, a fax
confirmation, an email reply). Sending is not receiving: a mailed letter
is "sent" the day it is posted and "received" only on the day its card
says, so the timeline shows both, each on its own date of record.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.files import display_name
from core.forms import date_range_check

from ..models import CaseEvent, Delivery
from ..proofs import proof_check
from .base import _lock
from .notice import recipient_in_words
from .timeline import event_add


def _same_receipt(delivery: Delivery, received_on, received_by: str, proof) -> bool:
    return (
        delivery.received_on == received_on
        and delivery.received_by == received_by
        and (proof is None or delivery.receipt_proof_name == display_name(proof.name))
    )


def receipt_sentence(delivery: Delivery) -> str:
    """The timeline's line: "Received by the SIB; signed by J. Ortiz. Proof on file: card.pdf"."""
    words = f"Received by {recipient_in_words(delivery.recipient, delivery.recipient_name)}"
    if delivery.received_by:
        words += f"; signed or acknowledged by {delivery.received_by}"
    words += f" (the copy sent on {delivery.sent_on:%B %-d, %Y}"
    if delivery.reference:
        words += f", {delivery.reference_label} {delivery.reference}"
    words += ")."
    if delivery.receipt_proof_name:
        words += f" Proof of receipt on file: {delivery.receipt_proof_name}."
    return words


@transaction.atomic
def delivery_receipt_record(
    *,
    delivery_id: int,
    user,
    received_on: datetime.date,
    received_by: str = "",
    proof=None,
    source: str = "",
    expected_version: int | None = None,
) -> Delivery:
    """
    Record that a copy of the notice arrived, on `received_on`, with who
    signed for it and an optional proof file (a PDF, PNG or JPEG, checked by
    its content). Every check runs before anything is written, so a refused
    receipt leaves neither a row nor a file behind. Repeating the same
    receipt returns the copy unchanged; a different one for a copy that
    already has its receipt is refused rather than overwriting the evidence.
    """
    delivery = Delivery.objects.only("request_id").get(pk=delivery_id)
    case = _lock(delivery.request_id, expected_version)  # the case first, as every writer
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    received_by = " ".join((received_by or "").split())
    if delivery.received_on is not None:
        if _same_receipt(delivery, received_on, received_by, proof):
            return delivery
        raise ValidationError(
            {
                "received_on": "This copy's receipt is already recorded "
                f"({delivery.received_on:%B %-d, %Y})."
            }
        )
    if delivery.status == Delivery.Status.FAILED:
        raise ValidationError({"received_on": "This copy failed: it was never received."})
    if received_on is None:
        raise ValidationError({"received_on": "Give the date the copy was received."})
    date_range_check(received_on, field="received_on")
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "This date is in the future."})
    if received_on < delivery.sent_on:
        raise ValidationError(
            {
                "received_on": "A copy cannot be received before it was sent "
                f"(sent on {delivery.sent_on:%B %-d, %Y})."
            }
        )
    extension = None
    if proof is not None:
        try:
            extension = proof_check(proof)
        except ValidationError as error:
            raise ValidationError({"proof": error.messages}) from None
    delivery.received_on = received_on
    delivery.received_by = received_by
    stored = None
    if proof is not None:
        delivery.receipt_proof_name = display_name(proof.name)
        delivery.receipt_proof.save(f"proof{extension}", proof, save=False)
        stored = delivery.receipt_proof.name
    try:
        delivery._history_user = user
        delivery._change_reason = "Receipt recorded"
        delivery.full_clean()
        delivery.save(
            update_fields=["received_on", "received_by", "receipt_proof", "receipt_proof_name"]
        )
        event_add(
            case=case,
            kind=CaseEvent.Kind.RECEIPT,
            occurred_on=received_on,
            actor=user,
            summary=receipt_sentence(delivery),
            source=source,
            reason="Receipt of the notice recorded",
        )
    except Exception:  # a refused receipt leaves no file behind
        if stored:
            delivery.receipt_proof.storage.delete(stored)
        raise
    return delivery
