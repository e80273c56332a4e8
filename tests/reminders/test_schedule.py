import datetime

from hypothesis import given
from hypothesis import strategies as st

from reminders.schedule import (
    add_business_days,
    business_days_between,
    is_business_day,
    latest_due,
    next_due,
)

D = datetime.date


def test_business_days_skip_weekends_and_federal_holidays():
    assert not is_business_day(D(2010, 9, 6))  # Labor Day, a Monday
    assert not is_business_day(D(2010, 9, 4))  # a Saturday
    assert add_business_days(D(2010, 9, 3), 1) == D(2010, 9, 7)  # Friday -> Tuesday
    assert add_business_days(D(2010, 9, 7), -1) == D(2010, 9, 3)
    assert add_business_days(D(2010, 11, 24), 1) == D(2010, 11, 26)  # over Thanksgiving


@given(
    start=st.dates(min_value=D(2009, 1, 1), max_value=D(2012, 12, 31)),
    n=st.integers(min_value=0, max_value=400),
)
def test_counting_business_days_agrees_with_stepping_them(start, n):
    end = add_business_days(start, n)
    assert business_days_between(start, end) == n


def test_a_rule_after_a_date_is_due_once_the_days_have_passed():
    kw = {"anchor": D(2010, 9, 1), "days": [14]}
    assert latest_due(today=D(2010, 9, 14), **kw) is None
    assert latest_due(today=D(2010, 9, 15), **kw) == D(2010, 9, 15)
    assert latest_due(today=D(2010, 12, 1), **kw) == D(2010, 9, 15)


def test_a_repeating_rule_gives_only_the_latest_due_date_after_missed_days():
    kw = {"anchor": D(2010, 9, 1), "days": [14], "repeat_every": 7}
    assert latest_due(today=D(2010, 9, 21), **kw) == D(2010, 9, 15)
    assert latest_due(today=D(2010, 9, 22), **kw) == D(2010, 9, 22)
    # The beat was down for five weeks: one reminder, the latest, not five.
    assert latest_due(today=D(2010, 10, 27), **kw) == D(2010, 10, 27)
    assert latest_due(today=D(2010, 10, 26), **kw) == D(2010, 10, 20)
    assert next_due(today=D(2010, 10, 26), **kw) == D(2010, 10, 27)


def test_a_repeating_rule_in_business_days_lands_on_business_days():
    kw = {"anchor": D(2010, 8, 30), "days": [5], "repeat_every": 5, "business": True}
    first = latest_due(today=D(2010, 9, 7), **kw)
    assert first == D(2010, 9, 7)  # Labor Day pushed it from Monday the 6th
    assert latest_due(today=D(2010, 9, 13), **kw) == D(2010, 9, 7)
    assert latest_due(today=D(2010, 9, 14), **kw) == D(2010, 9, 14)
    assert next_due(today=D(2010, 9, 8), **kw) == D(2010, 9, 14)


def test_days_before_an_activation_give_the_latest_step_and_stop_on_the_day():
    kw = {"anchor": D(2010, 10, 31), "days": [30, 14, 7, 1], "before": True}
    assert latest_due(today=D(2010, 9, 30), **kw) is None
    assert latest_due(today=D(2010, 10, 1), **kw) == D(2010, 10, 1)
    # Missed the 14-day and 7-day steps: only the 7-day one is still worth sending.
    assert latest_due(today=D(2010, 10, 25), **kw) == D(2010, 10, 24)
    assert latest_due(today=D(2010, 10, 31), **kw) is None
    assert next_due(today=D(2010, 10, 1), **kw) == D(2010, 10, 17)


def test_three_business_days_before_a_monday_meeting_is_the_wednesday():
    kw = {"anchor": D(2010, 9, 27), "days": [3], "before": True, "business": True}
    assert latest_due(today=D(2010, 9, 21), **kw) is None
    assert latest_due(today=D(2010, 9, 22), **kw) == D(2010, 9, 22)


def test_federal_holidays_are_shared_through_the_cache():
    from django.core.cache import cache

    from reminders import schedule

    schedule._holidays_of.cache_clear()
    cache.delete("scomm:holidays:US:2010:v1")
    days = schedule._holidays_of(2010)
    # Independence Day 2010 fell on a Sunday: observed on Monday, July 5.
    assert datetime.date(2010, 7, 5) in days and datetime.date(2010, 11, 11) in days
    assert set(cache.get("scomm:holidays:US:2010:v1")) == days

    # Another process finds the year in the cache and reads it from there.
    schedule._holidays_of.cache_clear()
    cache.set("scomm:holidays:US:2010:v1", [datetime.date(2010, 3, 3)], timeout=60)
    assert schedule._holidays_of(2010) == {datetime.date(2010, 3, 3)}
    schedule._holidays_of.cache_clear()
    cache.delete("scomm:holidays:US:2010:v1")
