"""
The record of fact: every fact of a case has its date of record, the day it
happened, with the precision the source allows. Much of the 2010 record is
known only to the month ("at the end of August") or as a latest date ("by
the time of the article"), and a tracker that forced a day would invent one.

A date of record is the range of days it may stand for; two facts are out of
order only when they are certainly so (the latest day one may stand for comes
before the earliest day of the other), and a fact is in the future only when
its earliest day is.
"""

import calendar
import datetime

from django.db import models
from django.utils.dateformat import format as date_format

# One vocabulary of precision for every date of record, the plan's and the cases'.
from jurisdictions.models import DatePrecision

__all__ = ["DatePrecision", "MeetingParty", "date_display", "earliest", "latest"]


class MeetingParty(models.TextChoices):
    """Who asked to postpone or cancel the meeting."""

    JURISDICTION = "jurisdiction", "The jurisdiction"
    ICE = "ice", "ICE"
    STATE = "state", "The state"
    OTHER = "other", "Someone else"


def earliest(day: datetime.date, precision: str) -> datetime.date:
    """The first day a date of record may stand for."""
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    if precision == DatePrecision.ON_OR_BEFORE:
        return datetime.date.min
    return day


def latest(day: datetime.date, precision: str) -> datetime.date:
    """The last day a date of record may stand for."""
    if precision == DatePrecision.MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return day


def date_display(day: datetime.date | None, precision: str = DatePrecision.DAY) -> str:
    """A date of record in words: "Sep 28, 2010", "September 2010", "on or before Sep 28, 2010"."""
    if day is None:
        return ""
    if precision == DatePrecision.MONTH:
        return date_format(day, "F Y")
    if precision == DatePrecision.ON_OR_BEFORE:
        return "on or before " + date_format(day, "M j, Y")
    return date_format(day, "M j, Y")
