"""The export's times in the site's zone, an offset per hour, still right when the clocks change."""

import datetime
import zoneinfo

import pytest

from public.views import LocalTimes


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("America/Los_Angeles", datetime.date(2026, 3, 8)),  # on the hour of UTC
        ("America/Los_Angeles", datetime.date(2026, 11, 1)),
        ("America/St_Johns", datetime.date(2026, 3, 8)),  # on the half hour
        ("America/St_Johns", datetime.date(2026, 11, 1)),
        ("Australia/Lord_Howe", datetime.date(2026, 4, 5)),  # by half an hour
        ("UTC", datetime.date(2026, 3, 8)),
    ],
)
def test_every_time_reads_as_the_zone_converts_it(zone, day):
    zone = zoneinfo.ZoneInfo(zone)
    today = day + datetime.timedelta(days=3)
    times = LocalTimes(zone, today)
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    start -= datetime.timedelta(hours=14)
    for minutes in range(0, 48 * 60, 7):
        moment = start + datetime.timedelta(minutes=minutes, microseconds=minutes % 3)
        local = moment.astimezone(zone)
        utc = moment.replace(tzinfo=None).isoformat(" ")
        assert times[utc] == (local.isoformat(), max((today - local.date()).days, 0)), utc
    assert times[None] == ("", "")
