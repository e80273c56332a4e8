"""
The one table of the case's moves: action -> (stages it may start from, stage it leads to).

A resolution may come without a meeting (San Francisco's came as a phone
call), so `resolve` starts from any stage after the notice was sent. A
meeting may be postponed (San Francisco asked on 28 Sep 2010 to postpone its
13 Oct meeting, with no new date) or cancelled; a postponed meeting given a
new date is scheduled again, and ICE may ask again for a cancelled one.
"""

from .models import OPEN_STAGES, Stage

AFTER_NOTICE = frozenset(
    {
        Stage.NOTICE_SENT,
        Stage.MEETING_REQUESTED,
        Stage.MEETING_SCHEDULED,
        Stage.MEETING_POSTPONED,
        Stage.MEETING_CANCELLED,
        Stage.MEETING_HELD,
    }
)

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "send_notice": (frozenset({Stage.DRAFT}), Stage.NOTICE_SENT),
    "request_meeting": (
        frozenset({Stage.NOTICE_SENT, Stage.MEETING_CANCELLED}),
        Stage.MEETING_REQUESTED,
    ),
    "schedule_meeting": (
        frozenset(
            {
                Stage.NOTICE_SENT,
                Stage.MEETING_REQUESTED,
                Stage.MEETING_SCHEDULED,
                Stage.MEETING_POSTPONED,
                Stage.MEETING_CANCELLED,
            }
        ),
        Stage.MEETING_SCHEDULED,
    ),
    "postpone_meeting": (frozenset({Stage.MEETING_SCHEDULED}), Stage.MEETING_POSTPONED),
    "cancel_meeting": (
        frozenset({Stage.MEETING_REQUESTED, Stage.MEETING_SCHEDULED, Stage.MEETING_POSTPONED}),
        Stage.MEETING_CANCELLED,
    ),
    "hold_meeting": (frozenset({Stage.MEETING_SCHEDULED}), Stage.MEETING_HELD),
    "resolve": (AFTER_NOTICE, Stage.RESOLVED),
    "withdraw": (frozenset(OPEN_STAGES), Stage.WITHDRAWN),
}

LABELS = {
    "send_notice": "Send the notice",
    "request_meeting": "ICE asked for a meeting",
    "schedule_meeting": "Schedule the meeting",
    "postpone_meeting": "Postpone the meeting",
    "cancel_meeting": "Cancel the meeting",
    "hold_meeting": "The meeting was held",
    "resolve": "Record the resolution",
    "withdraw": "Withdraw the request",
}


def allowed_actions(stage: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if stage in sources]


# The move each open stage waits for: the case page opens its form.
NEXT_MOVE: dict[str, str] = {
    Stage.DRAFT: "send_notice",
    Stage.NOTICE_SENT: "request_meeting",
    Stage.MEETING_REQUESTED: "schedule_meeting",
    Stage.MEETING_SCHEDULED: "hold_meeting",
    Stage.MEETING_POSTPONED: "schedule_meeting",
    Stage.MEETING_CANCELLED: "request_meeting",
    Stage.MEETING_HELD: "resolve",
}
