"""
What every move of a case shares: the lock with its version check, the check
against the transition table, and the errors a refused move raises.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..models import OptOutRequest, Recipient, Stage
from ..transitions import TRANSITIONS

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
