"""
What every move of a case shares: the lock with its version check, the check
against the transition table, the errors a refused move raises, and the
checks of a date of record against today and against the case's other dates.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Min
from django.utils import timezone

from core.forms import date_range_check
from jurisdictions.models import Jurisdiction

from ..facts import DatePrecision, date_display, earliest, latest
from ..models import OptOutRequest, Recipient, Stage
from ..transitions import TRANSITIONS

REQUIRED_RECIPIENTS = (Recipient.SIB, Recipient.ICE)


class TransitionError(ValidationError):
    """A move the transition table forbids, or that the case is not ready for."""


class ConcurrentChangeError(TransitionError):
    """Someone else changed the case since this user loaded it."""


def _lock(case_id: int, expected_version: int | None) -> OptOutRequest:
    """
    The case, locked for a move, its county locked first: the order in which
    the directory's writers take them (a new activation date locks the
    county, then its open cases), so a move and an activation of the same
    county wait for each other instead of deadlocking.
    """
    county = OptOutRequest.objects.filter(pk=case_id).values_list("jurisdiction_id", flat=True)
    list(Jurisdiction.objects.select_for_update().filter(pk__in=county).values_list("pk"))
    case = (
        OptOutRequest.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .get(pk=case_id)
    )
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


# --- dates of record ----------------------------------------------------------
#
# Each check raises a ValidationError keyed by the form field that holds the
# date, naming both dates, so that the case page, the admin and the demo all
# refuse the same facts with the same words.


def precision_check(precision: str, *, field: str = "date_precision") -> str:
    if precision not in DatePrecision.values:
        raise ValidationError(
            {field: "Choose how precise the date is: a day, a month, or on or before a day."}
        )
    return precision


def not_future(day: datetime.date, precision: str, *, field: str, what: str) -> None:
    """What is recorded has happened: refused only when even its earliest day is ahead."""
    date_range_check(day, field=field)
    today = timezone.localdate()
    if earliest(day, precision) > today:
        raise ValidationError(
            {
                field: f"{what} ({date_display(day, precision)}) is in the future: today is {date_display(today)}."
            }
        )


def not_before(
    day: datetime.date,
    precision: str,
    *,
    field: str,
    what: str,
    other: datetime.date | None,
    other_precision: str = DatePrecision.DAY,
    other_what: str,
) -> None:
    """Refused when `day` certainly comes before `other` (their precisions considered)."""
    if other is not None and latest(day, precision) < earliest(other, other_precision):
        raise ValidationError(
            {
                field: f"{what} ({date_display(day, precision)}) cannot come before "
                f"{other_what} ({date_display(other, other_precision)})."
            }
        )


def first_copy_on(case: OptOutRequest) -> datetime.date | None:
    """The day the first copy of the notice went out, if any did."""
    return case.deliveries.aggregate(first=Min("sent_on"))["first"]


def after_notice_check(
    case: OptOutRequest, day: datetime.date, precision: str, *, field: str, what: str
) -> None:
    """Nothing ICE did about the request comes before the first copy of the notice."""
    not_before(
        day,
        precision,
        field=field,
        what=what,
        other=first_copy_on(case),
        other_what="the first copy of the notice",
    )


def after_stage_check(
    case: OptOutRequest, day: datetime.date, precision: str, *, field: str, what: str
) -> None:
    """A move comes no earlier than the move that put the case where it is."""
    entered = case.events.filter(to_stage=case.stage).order_by("-recorded_at", "-id").first()
    if entered is not None:
        not_before(
            day,
            precision,
            field=field,
            what=what,
            other=entered.occurred_on,
            other_precision=entered.date_precision,
            other_what=f"the case became “{case.get_stage_display()}”",
        )


def date_of_record_check(
    case: OptOutRequest,
    day: datetime.date,
    precision: str,
    *,
    field: str = "occurred_on",
    what: str,
) -> None:
    """The checks every move after the notice makes on its date: a precision, not ahead, in order."""
    precision_check(precision)
    not_future(day, precision, field=field, what=what)
    after_notice_check(case, day, precision, field=field, what=what)
    after_stage_check(case, day, precision, field=field, what=what)


def opening_check(
    day: datetime.date, precision: str, *, reopens: OptOutRequest | None = None
) -> None:
    """
    A request is opened no later than today and, when it renews a denied
    one, no earlier than the denial it answers.
    """
    precision_check(precision, field="opened_precision")
    not_future(day, precision, field="opened_on", what="The request")
    if reopens is not None and reopens.closed_on:
        denial = reopens.events.filter(to_stage=Stage.RESOLVED).order_by("-id").first()
        not_before(
            day,
            precision,
            field="opened_on",
            what="The new request",
            other=reopens.closed_on,
            other_precision=denial.date_precision if denial else DatePrecision.DAY,
            other_what="the denial it renews",
        )
