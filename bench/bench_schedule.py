"""
How long a whole-country deployment schedule (3,200 rows) takes to check and to
apply, compared with a bare bulk insert of the same 3,200 rows in the same
database in the same run.

    .venv/bin/python bench/bench_schedule.py            # a throwaway SQLite file
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_schedule.py

The figures: the check (read, match, diff; writes nothing), the first apply
(3,200 jurisdictions get a date), and a second schedule moving a third of the
dates with 300 open cases to flag. Each is printed in seconds and as a ratio
to the bare insert.
"""

import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
if "DATABASE_URL" not in os.environ:
    _tmp = tempfile.mkdtemp(prefix="scomm-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scomm.settings")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

ROWS = 3200


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def schedule_csv(jurisdictions, seed: int) -> bytes:
    """A schedule as it comes in the wild: mixed state and name forms and date formats."""
    from tests.jurisdictions.test_schedule_support import csv_bytes

    rng = random.Random(seed)
    formats = [
        lambda d: d.isoformat(),
        lambda d: f"{d.month}/{d.day}/{d.year}",
        lambda d: f"{d:%B} {d.day}, {d.year}",
    ]
    rows = []
    # A short name shared by two places of a state ("Richmond": the county and
    # the city in Virginia) is refused as ambiguous: such rows give the full name.
    from collections import Counter

    from jurisdictions.models import Jurisdiction

    shared = Counter(Jurisdiction.objects.values_list("state_id", "search_name"))
    for j in jurisdictions:
        day = datetime.date(2010, 10, 4) + datetime.timedelta(weeks=rng.randint(0, 150))
        state = rng.choice([j.state.postal_code, j.state.name])
        fips = j.fips if rng.random() < 0.5 else ""
        short = (
            shared[(j.state_id, j.search_name)] == 1
            and not shared[(j.state_id, j.search_name + " city")]
        )
        name = j.name if fips or not short or rng.random() < 0.5 else j.search_name.title()
        rows.append([state, name, fips, rng.choice(formats)(day), ""])
    return csv_bytes(rows, bom=True)


def main() -> None:
    from jurisdictions.models import Jurisdiction, State
    from jurisdictions.schedules.checking import schedule_check
    from jurisdictions.schedules.services import schedule_load
    from jurisdictions.services import directory_load_census
    from optouts.models import OptOutRequest

    call_command("migrate", verbosity=0)
    directory_load_census()
    jurisdictions = list(
        Jurisdiction.objects.exclude(fips="").select_related("state").order_by("fips")[:ROWS]
    )
    assert len(jurisdictions) == ROWS, len(jurisdictions)
    Jurisdiction.objects.update(scheduled_activation=None, actual_activation=None)
    print(f"database: {connection.vendor}, {ROWS} rows")

    # The baseline: the same rows, bulk-inserted bare (no check, no history), then undone.
    with transaction.atomic():
        state = State.objects.create(name="Benchmark", postal_code="ZZ", fips="99")
        plain = [
            Jurisdiction(
                state=state,
                name=f"{j.name} {j.fips}",  # one state here: names must differ
                search_name=j.search_name,
                scheduled_activation=datetime.date(2010, 10, 4),
            )
            for j in jurisdictions
        ]
        bare, _ = timed(lambda: Jurisdiction.objects.bulk_create(plain, batch_size=500))
        transaction.set_rollback(True)
    print(f"bare bulk_create of {ROWS} rows:      {bare:6.3f} s   1.0x")

    first = schedule_csv(jurisdictions, seed=1)
    check, report = timed(lambda: schedule_check(content=first, file_name="ice-2010-09.csv"))
    assert not report["errors"], report["errors"][:3]
    print(f"check (preview, writes nothing):   {check:6.3f} s  {check / bare:5.1f}x")

    apply_new, (report, version) = timed(
        lambda: schedule_load(file_name="ice-2010-09.csv", content=first)
    )
    assert version is not None and report["counts"]["new"] == ROWS, report["counts"]
    print(f"check + apply, {ROWS} new dates:     {apply_new:6.3f} s  {apply_new / bare:5.1f}x")

    rng = random.Random(2)
    for j in rng.sample(jurisdictions, 300):
        OptOutRequest.objects.create(
            jurisdiction_id=j.pk,
            requesting_official="Sheriff",
            scheduled_activation_at_filing=datetime.date(2010, 10, 4),
        )
    second = schedule_csv(jurisdictions, seed=3)
    apply_changed, (report, version) = timed(
        lambda: schedule_load(file_name="ice-2010-10.csv", content=second)
    )
    counts = report["counts"]
    assert version is not None and counts["errors"] == 0
    print(
        f"check + apply, {counts['changed']} changed, {version.cases_flagged} cases flagged: "
        f"{apply_changed:6.3f} s  {apply_changed / bare:5.1f}x"
    )
    worst = max(check, apply_new, apply_changed)
    print(f"slowest step: {worst:.2f} s ({'seconds, not minutes' if worst < 10 else 'TOO SLOW'})")

    # Leave a shared database as it was found (a throwaway SQLite file is simply dropped).
    if connection.vendor != "sqlite":
        from jurisdictions.models import ScheduleVersion
        from optouts.models import CaseEvent

        CaseEvent.objects.filter(kind="schedule").delete()
        OptOutRequest.objects.filter(requesting_official="Sheriff", reasons="").delete()
        ScheduleVersion.objects.filter(
            file_name__in=["ice-2010-09.csv", "ice-2010-10.csv"]
        ).delete()


if __name__ == "__main__":
    main()
