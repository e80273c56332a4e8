"""
The only writer of a case and its timeline (STYLE.md, "Our layout").

    base        the lock with its version check, the transition check, the errors,
                the checks of a date of record against today and the case's dates
    timeline    event_add and events_add_many: every timeline event, whoever
                causes it, and the case_events_added signal after the commit
    notice      drafting (one jurisdiction or a whole state), the copies of the
                notice sent, renewing a denied request
    receipts    the receipt of a copy: when it arrived, who signed, the proof
    mail        a copy of the notice that failed (a bounced email)
    meeting     the meeting: asked for, scheduled, postponed, cancelled, held
    moves       the resolution, the withdrawal
    schedules   a deployment schedule applied to the plan and to the open cases
    activation  a jurisdiction's activation on its open cases' timelines
    touch       the one rule for when a case's public artefacts are stale

Callers import from here: `from optouts import services`.
"""

from .base import ConcurrentChangeError, TransitionError
from .mail import delivery_fail
from .meeting import (
    optout_cancel_meeting,
    optout_hold_meeting,
    optout_postpone_meeting,
    optout_request_meeting,
    optout_schedule_meeting,
)
from .moves import optout_resolve, optout_withdraw
from .notice import (
    deliveries_record,
    delivery_record,
    missing_recipients,
    optout_create,
    optout_reopen,
    optout_send_notice,
    statewide_entry,
)
from .receipts import delivery_receipt_record
from .activation import activations_record
from .schedules import schedule_apply, schedule_cases_to_flag, schedule_load
from .timeline import event_add, event_record, events_add_many
from .touch import case_touch

__all__ = [
    "ConcurrentChangeError",
    "TransitionError",
    "activations_record",
    "case_touch",
    "deliveries_record",
    "delivery_fail",
    "delivery_receipt_record",
    "delivery_record",
    "event_add",
    "event_record",
    "events_add_many",
    "missing_recipients",
    "optout_cancel_meeting",
    "optout_create",
    "optout_hold_meeting",
    "optout_postpone_meeting",
    "optout_reopen",
    "optout_request_meeting",
    "optout_resolve",
    "optout_schedule_meeting",
    "optout_send_notice",
    "optout_withdraw",
    "schedule_apply",
    "schedule_cases_to_flag",
    "schedule_load",
    "statewide_entry",
]
