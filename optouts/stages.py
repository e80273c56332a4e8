"""
The stages a case passes through and the outcomes it may end with, and the
one rule of what the public sees of it. The moves between stages are in
optouts.transitions; models import these from here.
"""

from django.db import models


class Stage(models.TextChoices):
    DRAFT = "draft", "Draft"
    NOTICE_SENT = "notice_sent", "Notice sent"
    MEETING_REQUESTED = "meeting_requested", "Meeting requested"
    MEETING_SCHEDULED = "meeting_scheduled", "Meeting scheduled"
    MEETING_POSTPONED = "meeting_postponed", "Meeting postponed"
    MEETING_CANCELLED = "meeting_cancelled", "Meeting cancelled"
    MEETING_HELD = "meeting_held", "Meeting held"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STAGES = frozenset(set(Stage) - {Stage.RESOLVED, Stage.WITHDRAWN})


class Outcome(models.TextChoices):
    REMOVED = "removed", "Removed from the deployment plan"
    DATE_ADJUSTED = "date_adjusted", "Activation date adjusted"
    DENIED = "denied", "Denied / activated as scheduled"
    # What a request made after activation was answered (Arlington, Santa Clara, 2010).
    REFUSED = "refused", "Refused: participation is mandatory"
    GAVE_UP = "gave_up", "The jurisdiction stopped asking"
    DEACTIVATED = "deactivated", "ICE deactivated the jurisdiction"
    OTHER = "other", "Other"


# A refusal can be answered with a new notice (San Francisco renewed its
# request after the 2010 refusal by telephone).
RENEWABLE_OUTCOMES = frozenset({Outcome.DENIED, Outcome.REFUSED})


def is_public_stage(stage: str, has_delivery: bool) -> bool:
    """
    A request is public from its first copy of the notice ("notice partly
    sent"); a draft no copy went out of, withdrawn or not, never is.
    """
    return has_delivery or stage not in (Stage.DRAFT, Stage.WITHDRAWN)
