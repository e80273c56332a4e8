"""
The one table of the case's moves: action -> (stages it may start from, stage it leads to).

A resolution may come without a meeting (San Francisco's came as a phone
call), so `resolve` starts from any stage after the notice was sent.
"""

from .models import OPEN_STAGES, Stage

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "send_notice": (frozenset({Stage.DRAFT}), Stage.NOTICE_SENT),
    "request_meeting": (frozenset({Stage.NOTICE_SENT}), Stage.MEETING_REQUESTED),
    "schedule_meeting": (
        frozenset({Stage.NOTICE_SENT, Stage.MEETING_REQUESTED, Stage.MEETING_SCHEDULED}),
        Stage.MEETING_SCHEDULED,
    ),
    "hold_meeting": (frozenset({Stage.MEETING_SCHEDULED}), Stage.MEETING_HELD),
    "resolve": (
        frozenset(
            {
                Stage.NOTICE_SENT,
                Stage.MEETING_REQUESTED,
                Stage.MEETING_SCHEDULED,
                Stage.MEETING_HELD,
            }
        ),
        Stage.RESOLVED,
    ),
    "withdraw": (frozenset(OPEN_STAGES), Stage.WITHDRAWN),
}

LABELS = {
    "send_notice": "Send the notice",
    "request_meeting": "ICE asked for a meeting",
    "schedule_meeting": "Schedule the meeting",
    "hold_meeting": "The meeting was held",
    "resolve": "Record the resolution",
    "withdraw": "Withdraw the request",
}


def allowed_actions(stage: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if stage in sources]
