"""
Due dates, as plain functions of dates: business days (weekdays that are not
US federal holidays) and the latest due date of a rule on a given day.
"""

import bisect
import datetime
from functools import lru_cache

from django.core.cache import cache

ONE_DAY = datetime.timedelta(days=1)


def plus(day: datetime.date, delta: datetime.timedelta) -> datetime.date:
    """`day + delta`, held at the first or last day Python knows instead of overflowing."""
    try:
        return day + delta
    except OverflowError:
        return datetime.date.max if delta > datetime.timedelta(0) else datetime.date.min


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[datetime.date]:
    """
    The US federal holidays of `year`, from the `holidays` package. A web
    worker reads them from the shared cache, which the first process to need
    a year fills: the package holds every country's calendar (about 11 MB a
    process), and a worker that never loads it stays that much smaller.
    """
    key = f"scomm:holidays:US:{year}:v1"
    kept = cache.get(key)
    if kept is None:
        import holidays  # noqa: PLC0415 (only where the shared cache lacks the year)

        kept = sorted(holidays.country_holidays("US", years=[year]).keys())
        cache.set(key, kept, timeout=None)
    return frozenset(kept)


@lru_cache(maxsize=8)
def _sorted_holidays(first_year: int, last_year: int) -> list[datetime.date]:
    days = set()
    for year in range(first_year, last_year + 1):
        days |= {d for d in _holidays_of(year) if d.weekday() < 5}
    return sorted(days)


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_business_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th business day after `day` (before it when n < 0); n == 0 gives `day`."""
    step = ONE_DAY if n >= 0 else -ONE_DAY
    remaining = abs(n)
    while remaining:
        following = plus(day, step)
        if following == day:  # the first or last day Python knows
            return day
        day = following
        if is_business_day(day):
            remaining -= 1
    return day


def _weekdays_through(day: datetime.date) -> int:
    """Weekdays from a fixed Monday up to and including `day`."""
    days = day.toordinal() - 1  # ordinal 1 is a Monday
    weeks, rest = divmod(days + 1, 7)
    return weeks * 5 + min(rest, 5)


def business_days_between(start: datetime.date, end: datetime.date) -> int:
    """Business days in (start, end]; 0 when end <= start."""
    if end <= start:
        return 0
    weekdays = _weekdays_through(end) - _weekdays_through(start)
    table = _sorted_holidays(start.year, end.year)
    off = bisect.bisect_right(table, end) - bisect.bisect_right(table, start)
    return weekdays - off


def shift(day: datetime.date, days: int, *, business: bool, before: bool) -> datetime.date:
    sign = -1 if before else 1
    if business:
        return add_business_days(day, sign * days)
    return plus(day, datetime.timedelta(days=sign * days))


def latest_due(
    *,
    anchor: datetime.date,
    days: list[int],
    today: datetime.date,
    before: bool = False,
    business: bool = False,
    repeat_every: int | None = None,
) -> datetime.date | None:
    """
    The latest due date on or before `today`, or None if nothing is due yet.

    After a date: anchor + each of `days`, then every `repeat_every` days.
    Before a date: anchor - each of `days`, only while the date is still ahead.
    A sweep that missed days gets only the latest due date, never one per day.
    """
    if before:
        if anchor <= today:
            return None
        dues = [shift(anchor, d, business=business, before=True) for d in days]
        dues = [d for d in dues if d <= today]
        return max(dues, default=None)
    best = None
    for d in days:
        base = shift(anchor, d, business=business, before=False)
        if base > today:
            continue
        due = base
        if repeat_every:
            if business:
                count = business_days_between(base, today)
                extra = count % repeat_every
                last = today
                while not is_business_day(last):
                    last -= ONE_DAY
                due = add_business_days(last, -extra) if count else base
            else:
                due = plus(
                    base,
                    datetime.timedelta(days=((today - base).days // repeat_every) * repeat_every),
                )
        if best is None or due > best:
            best = due
    return best


def next_due(
    *,
    anchor: datetime.date,
    days: list[int],
    today: datetime.date,
    before: bool = False,
    business: bool = False,
    repeat_every: int | None = None,
) -> datetime.date | None:
    """The first due date after `today`, for showing what comes next on a case."""
    if before:
        dues = [shift(anchor, d, business=business, before=True) for d in days]
        return min((d for d in dues if today < d < anchor), default=None)
    best = None
    for d in days:
        base = shift(anchor, d, business=business, before=False)
        due = base
        if base <= today:
            if not repeat_every:
                continue
            if business:
                count = business_days_between(base, today)
                last = today
                while not is_business_day(last):
                    last -= ONE_DAY
                due = add_business_days(last, repeat_every - count % repeat_every)
            else:
                steps = (today - base).days // repeat_every + 1
                due = plus(base, datetime.timedelta(days=steps * repeat_every))
        if best is None or due < best:
            best = due
    return best
