"""
A realistic data set for the benchmarks: every state and county of the 2010
census (~3,200 jurisdictions), 10,000 cases and 100,000 timeline events by
default; other sizes keep ten events per case.

    .venv/bin/python bench/dataset.py [--cases 10000]   # into DATABASE_URL (or SQLite)

Idempotent: a data set already in place is left as it is.
"""

import datetime
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scomm.settings")

CASES = 10_000
EVENTS = 100_000


def build(*, cases: int = CASES, events: int = EVENTS, seed: int = 2010) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from jurisdictions.models import Jurisdiction
    from jurisdictions.services import directory_load_census
    from optouts import tally
    from optouts.models import CaseEvent, OptOutRequest, Stage

    # A data set made before the counts were kept is counted by the
    # migration's own hook (optouts.tally.on_migrated).
    call_command("migrate", verbosity=0)
    directory_load_census()
    if OptOutRequest.objects.count() >= cases:
        return {"jurisdictions": Jurisdiction.objects.count(), "cases": cases, "events": events}
    rng = random.Random(seed)
    jurisdictions = list(Jurisdiction.objects.values_list("id", flat=True))
    start = datetime.date(2009, 1, 1)
    stages = list(Stage.values)
    with transaction.atomic():
        Jurisdiction.objects.filter(id__in=jurisdictions[::2]).update(
            scheduled_activation=datetime.date(2010, 9, 1), plan_status="scheduled"
        )
        Jurisdiction.objects.filter(id__in=jurisdictions[::7]).update(
            actual_activation=datetime.date(2010, 6, 8), plan_status="activated"
        )
        rows = []
        for i in range(cases):
            stage = stages[i % len(stages)]
            opened = start + datetime.timedelta(days=rng.randrange(700))
            closed = stage in (Stage.RESOLVED, Stage.WITHDRAWN)
            rows.append(
                OptOutRequest(
                    jurisdiction_id=jurisdictions[i % len(jurisdictions)],
                    stage=stage,
                    outcome="denied" if stage == Stage.RESOLVED else "",
                    closed_on=opened + datetime.timedelta(days=60) if closed else None,
                    requesting_official=f"Sheriff {i}",
                    reasons="Community trust. " * 5,
                    opened_on=opened,
                )
            )
        made = OptOutRequest.objects.bulk_create(rows, batch_size=2000)
        per_case = max(1, events // cases)
        # In slices, so a large data set never holds every event in memory.
        for first in range(0, len(made), 5000):
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        request_id=case.pk,
                        kind="reply" if k else "created",
                        occurred_on=case.opened_on + datetime.timedelta(days=k),
                        summary=f"Step {k} of request {case.pk}",
                        is_public=k % 5 != 4,
                    )
                    for case in made[first : first + 5000]
                    for k in range(per_case)
                ],
                batch_size=5000,
            )
    # The cases were written in bulk, without the signals that count them.
    tally.rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner sees the rows just loaded
    return {
        "jurisdictions": Jurisdiction.objects.count(),
        "cases": OptOutRequest.objects.count(),
        "events": CaseEvent.objects.count(),
    }


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=CASES)
    args = parser.parse_args()
    print(build(cases=args.cases, events=args.cases * (EVENTS // CASES)))
