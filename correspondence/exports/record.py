"""
What the case file's own pages say, read off the bundle of
correspondence.selectors.case_file: the dates of record for the cover, the
timeline in date-of-record order with the jurisdiction's activation in its
place, and the copies of the notice with their receipts.

Each date is shown with its precision, as the record knows it: a day, a
month, or a latest date. Who acted is the office (optouts.offices); the
jurisdiction's own version adds the person.
"""

import datetime

from django.utils.dateformat import format as date_format

from optouts.models import EventKind
from optouts.offices import acting_office, requesting_office

DAY, MONTH, ON_OR_BEFORE = "day", "month", "on_or_before"
PRECISION_WORDS = {
    DAY: "to the day",
    MONTH: "to the month",
    ON_OR_BEFORE: "latest date",
}


def date_of_record(day: datetime.date | None, precision: str = DAY) -> dict | None:
    """A date as the record knows it: the words, and how precise they are."""
    if day is None:
        return None
    if precision == MONTH:
        text = date_format(day, "F Y")
    elif precision == ON_OR_BEFORE:
        text = "on or before " + date_format(day, "F j, Y")
    else:
        text = date_format(day, "F j, Y")
    return {"date": day, "text": text, "precision": PRECISION_WORDS.get(precision, precision)}


def _precision(thing, field: str = "date_precision") -> str:
    """The precision of a date, from the field that says it, or from the older flag."""
    precision = getattr(thing, field, None)
    if precision:
        return precision
    return MONTH if getattr(thing, "date_is_approximate", False) else DAY


def _who(event, *, include_private: bool) -> str:
    office = acting_office(event)
    if not office:
        return ""
    if include_private and event.actor is not None:
        person = event.actor.get_full_name() or event.actor.get_username()
        return f"{office} ({person})"
    return office


def timeline_rows(bundle: dict) -> list[dict]:
    """
    The timeline in date-of-record order, one row per event, the
    jurisdiction's activation placed on its day after that day's events (as
    on the case page) unless an event already records it.
    """
    include_private = bundle["include_private"]
    rows = [
        {
            "when": date_of_record(event.occurred_on, _precision(event)),
            "kind": event.get_kind_display(),
            "summary": event.summary,
            "source": event.source,
            "who": _who(event, include_private=include_private),
            "internal": not event.is_public,
            "order": (event.occurred_on, 0, index),
        }
        for index, event in enumerate(bundle["timeline"])
    ]
    jurisdiction = bundle["jurisdiction"]
    activated = jurisdiction.actual_activation
    recorded = any(
        event.kind == EventKind.ACTIVATION and event.occurred_on == activated
        for event in bundle["timeline"]
    )
    if activated and not recorded:
        rows.append(
            {
                "when": date_of_record(activated),
                "kind": EventKind.ACTIVATION.label,
                "summary": f"Secure Communities was activated in {jurisdiction.name}.",
                "source": "ICE's deployment plan",
                "who": "",
                "internal": False,
                "activation": True,
                "order": (activated, 1, 0),
            }
        )
    rows.sort(key=lambda row: row["order"])
    return rows


def _first_sent(deliveries, recipient: str) -> datetime.date | None:
    days = [d.sent_on for d in deliveries if d.recipient == recipient]
    return min(days) if days else None


def _closing_precision(bundle: dict) -> str:
    """How precisely the closing is known: that of the event that closed the case."""
    closed = bundle["case"].closed_on
    for event in reversed(bundle["timeline"]):
        if event.to_stage in ("resolved", "withdrawn") and event.occurred_on == closed:
            return _precision(event)
    return DAY


def dates_of_record(bundle: dict) -> list[tuple[str, dict | None]]:
    """The case's dates for the cover, each with its precision, in the order they happen."""
    case = bundle["case"]
    jurisdiction = bundle["jurisdiction"]
    deliveries = bundle["deliveries"]
    meeting = case.meeting_at.date() if case.meeting_at else None
    dates = [
        ("Request opened", date_of_record(case.opened_on, _precision(case, "opened_precision"))),
        ("Scheduled activation when filed", date_of_record(case.scheduled_activation_at_filing)),
        (
            "Notice sent to the State Identification Bureau",
            date_of_record(_first_sent(deliveries, "sib")),
        ),
        ("Notice sent to ICE", date_of_record(_first_sent(deliveries, "ice"))),
        ("Meeting", date_of_record(meeting)),
        ("Closed", date_of_record(case.closed_on, _closing_precision(bundle))),
        ("Scheduled activation", date_of_record(jurisdiction.scheduled_activation)),
        ("Activated", date_of_record(jurisdiction.actual_activation)),
    ]
    return [(label, when) for label, when in dates if when is not None]


def _receipt(delivery) -> str:
    """The receipt of one copy, in words: when it arrived, who took it, or that it failed."""
    if getattr(delivery, "status", "sent") == "failed":
        failed = getattr(delivery, "failed_on", None)
        reason = getattr(delivery, "failure", "")
        when = f" on {date_format(failed, 'F j, Y')}" if failed else ""
        return f"Did not arrive{when}" + (f": {reason}" if reason else "")
    received = getattr(delivery, "received_on", None) or getattr(delivery, "acknowledged_on", None)
    if not received:
        return "No receipt on record"
    by = getattr(delivery, "received_by", "")
    proof = getattr(delivery, "receipt_proof_name", "")
    text = f"Received {date_format(received, 'F j, Y')}" + (f" by {by}" if by else "")
    return text + (f" (proof: {proof})" if proof else "")


def delivery_rows(bundle: dict) -> list[dict]:
    """Each copy of the notice: to whom, how, when, its reference and its receipt."""
    return [
        {
            "recipient": delivery.recipient_name or delivery.get_recipient_display(),
            "recipient_kind": delivery.get_recipient_display(),
            "method": delivery.get_method_display(),
            "sent": date_of_record(delivery.sent_on),
            "reference": delivery.reference,
            "receipt": _receipt(delivery),
        }
        for delivery in sorted(bundle["deliveries"], key=lambda d: (d.sent_on, d.pk))
    ]


def case_file_context(bundle: dict) -> dict:
    """The bundle with what the case file's own pages show."""
    return {
        **bundle,
        "office": requesting_office(bundle["case"]),
        "dates": dates_of_record(bundle),
        "rows": timeline_rows(bundle),
        "delivery_rows": delivery_rows(bundle),
    }
