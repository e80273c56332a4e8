"""
The reminders sweep over 1,000 and 100,000 cases: its time and its number of
queries. The same 200 cases are due in both; the others are quiet (recent
activity, meetings and activation dates far off), as most cases are.

    .venv/bin/python bench/bench_reminders.py            # a throwaway SQLite file
    DATABASE_URL=postgres://.../scratch .venv/bin/python bench/bench_reminders.py

With DATABASE_URL, use a scratch database: the bench adds its rows and deletes
them at the end.
"""

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scomm.settings")
_scratch = None
if not os.environ.get("DATABASE_URL"):
    _scratch = Path(tempfile.mkdtemp()) / "bench_reminders.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{_scratch}"
os.environ.setdefault("EMAIL_URL", "dummymail://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from jurisdictions.models import Jurisdiction, State  # noqa: E402
from optouts.models import CaseEvent, OptOutRequest, Stage  # noqa: E402
from reminders import services  # noqa: E402
from reminders.models import Notification, Reminder, ReminderRule  # noqa: E402

DUE = 200
TODAY = timezone.localdate()
QUIET_STAGES = [
    Stage.DRAFT,
    Stage.NOTICE_SENT,
    Stage.MEETING_REQUESTED,
    Stage.MEETING_SCHEDULED,
    Stage.MEETING_HELD,
    Stage.RESOLVED,
    Stage.WITHDRAWN,
]


def setup_jurisdictions() -> list[Jurisdiction]:
    state, _ = State.objects.get_or_create(
        fips="99", defaults={"name": "Bench State", "postal_code": "QZ"}
    )
    clear(Jurisdiction.objects.filter(state=state))
    Jurisdiction.objects.filter(state=state)._raw_delete(connection.alias)
    return Jurisdiction.objects.bulk_create(
        Jurisdiction(
            state=state,
            name=f"Bench {i} County",
            scheduled_activation=TODAY + datetime.timedelta(days=200 + i % 300),
            plan_status="scheduled",
        )
        for i in range(500)
    )


@transaction.atomic
def make_cases(total: int, jurisdictions: list[Jurisdiction]) -> None:
    now = timezone.now()
    long_ago = now - datetime.timedelta(days=15)
    rows = []
    for i in range(total):
        j = jurisdictions[i % len(jurisdictions)]
        if i < DUE:
            rows.append(
                OptOutRequest(
                    jurisdiction=j,
                    stage=Stage.NOTICE_SENT,
                    requesting_official="Sheriff",
                    stage_entered_at=long_ago,
                )
            )
            continue
        stage = QUIET_STAGES[i % len(QUIET_STAGES)]
        closed = stage in (Stage.RESOLVED, Stage.WITHDRAWN)
        rows.append(
            OptOutRequest(
                jurisdiction=j,
                stage=stage,
                outcome="denied" if stage == Stage.RESOLVED else "",
                closed_on=TODAY if closed else None,
                requesting_official="Sheriff",
                stage_entered_at=now,
                meeting_at=now + datetime.timedelta(days=40)
                if stage == Stage.MEETING_SCHEDULED
                else None,
            )
        )
    for start in range(0, len(rows), 5000):
        OptOutRequest.objects.bulk_create(rows[start : start + 5000])
    drafts = OptOutRequest.objects.filter(
        jurisdiction__in=jurisdictions, stage=Stage.DRAFT
    ).values_list("pk", flat=True)
    CaseEvent.objects.bulk_create(
        (CaseEvent(request_id=pk, kind=CaseEvent.Kind.CREATED, summary="Drafted") for pk in drafts),
        batch_size=5000,
    )


def clear(jurisdictions) -> None:
    """Delete the bench's rows with plain DELETEs (no per-row cascade in Python)."""
    cases = OptOutRequest.objects.filter(jurisdiction__in=jurisdictions)
    Notification.objects.filter(reminder__case__in=cases)._raw_delete(connection.alias)
    Reminder.objects.filter(case__in=cases)._raw_delete(connection.alias)
    CaseEvent.objects.filter(request__in=cases)._raw_delete(connection.alias)
    cases._raw_delete(connection.alias)


def measure() -> tuple[float, int, int]:
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        claimed = services.reminders_sweep(today=TODAY, enqueue=False)
        elapsed = time.perf_counter() - start
    return elapsed, len(ctx.captured_queries), len(claimed)


def main() -> None:
    print(f"database: {connection.vendor}")
    call_command("migrate", verbosity=0)
    rules = ReminderRule.objects.filter(is_active=True).count()
    jurisdictions = setup_jurisdictions()
    results = {}
    try:
        for total in (1_000, 100_000):
            clear(jurisdictions)
            start = time.perf_counter()
            make_cases(total, jurisdictions)
            print(f"  ({total:,} cases made in {time.perf_counter() - start:.1f} s)")
            first = measure()
            again = measure()
            results[total] = (first, again)
            print(
                f"{total:>7,} cases: first sweep {first[0] * 1000:8.1f} ms, {first[1]} queries, "
                f"{first[2]} reminders written | second sweep {again[0] * 1000:8.1f} ms, "
                f"{again[1]} queries, {again[2]} new"
            )
    finally:
        clear(jurisdictions)
        Jurisdiction.objects.filter(pk__in=[j.pk for j in jurisdictions])._raw_delete(
            connection.alias
        )
    (small, small_again), (large, large_again) = results[1_000], results[100_000]
    print(f"active rules: {rules}; due cases in both runs: {DUE}")
    print(
        f"queries, 100,000 / 1,000 cases: first sweep {large[1]} / {small[1]} "
        f"= {large[1] / small[1]:.2f}x; second sweep {large_again[1]} / {small_again[1]} "
        f"= {large_again[1] / small_again[1]:.2f}x"
    )
    print(
        f"time, 100,000 / 1,000 cases: first sweep {large[0] / small[0]:.1f}x, "
        f"second sweep {large_again[0] / small_again[0]:.1f}x (for 100x the cases)"
    )
    if _scratch:
        _scratch.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
