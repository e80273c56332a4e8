"""
A deployment schedule, applied from the cases' side.

The directory applies a schedule to the plan (jurisdictions.schedules.services)
and knows nothing of cases; applying one here calls that, then puts a public
event on the timeline of every open case whose jurisdiction's scheduled date
moved, in the same transaction: the plan and the cases change together or not
at all. The views, the load_schedule command and the tests apply schedules
through these functions.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from jurisdictions.models import ScheduleVersion
from jurisdictions.schedules import services as plan

from ..models import CaseEvent, OptOutRequest
from .timeline import events_add_many

BATCH = 500


def _batches(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _show(day: str | None) -> str:
    if not day:
        return "none"
    return f"{datetime.date.fromisoformat(day):%b %-d, %Y}"


def _open_cases_locked(jurisdiction_ids: list[int]) -> list[OptOutRequest]:
    """
    The open cases of these jurisdictions, locked, whole rows: their history
    rows copy every field.
    """
    cases = []
    for batch in _batches(sorted(set(jurisdiction_ids))):
        cases.extend(
            OptOutRequest.objects.open()
            .filter(jurisdiction_id__in=batch)
            .order_by("id")
            .select_for_update()
        )
    return cases


def schedule_cases_to_flag(*, report: dict) -> int:
    """
    How many open cases a checked schedule would flag if applied now: those
    of the jurisdictions whose scheduled date it moves (what the preview and
    a dry run say before anything is written).
    """
    ids = sorted({e["jurisdiction_id"] for e in plan.moved_rows(report or {})})
    if not ids:
        return 0
    # One query whatever the size of the schedule: the preview's count is pinned.
    return OptOutRequest.objects.open().filter(jurisdiction_id__in=ids).count()


def _flag_open_cases(*, version: ScheduleVersion, user) -> int:
    """
    Put a public event on the timeline of every open case whose jurisdiction's
    scheduled date this schedule moved, saying from what to what; the case
    page's own warning (activation_date_moved) follows from the new date.
    Returns the number of cases flagged.
    """
    moved = {e["jurisdiction_id"]: e for e in plan.moved_rows(version.report or {})}
    cases = _open_cases_locked(list(moved))
    if not cases:
        return 0
    uploaded = timezone.localtime(version.uploaded_at or timezone.now())
    summaries, sources = {}, {}
    for case in cases:
        entry = moved[case.jurisdiction_id]
        if entry["old_scheduled"] is None:
            what = "set the scheduled activation date"
        elif entry["earlier"]:
            what = "moved the scheduled activation date EARLIER"
        else:
            what = "moved the scheduled activation date later"
        summaries[case.pk] = (
            f"ICE's deployment schedule “{version.file_name}” of {uploaded:%b %-d, %Y} "
            f"{what}: {_show(entry['old_scheduled'])} → {_show(entry['new_scheduled'])}."
        )
        sources[case.pk] = (
            f"Deployment schedule no. {version.pk}, row {entry['row']} "
            f"(SHA-256 {version.sha256[:12]}…)"
        )
    events_add_many(
        cases=cases,
        kind=CaseEvent.Kind.SCHEDULE,
        occurred_on=timezone.localdate(),
        summaries=summaries,
        sources=sources,
        actor=user,
        is_public=True,
        reason=f"Deployment schedule “{version.file_name}” (no. {version.pk})",
    )
    return len(cases)


@transaction.atomic
def schedule_apply(*, version_id: int, user) -> ScheduleVersion:
    """
    Apply a checked schedule to the plan and flag the open cases whose date it
    moved, in one transaction. Applying twice changes nothing more (the plan's
    service says whether this call applied it). Raises what the plan's
    schedule_apply raises: PlanChangedError when the plan moved since the
    preview, ValidationError for a schedule that cannot be applied.
    """
    version, applied_now = plan.schedule_apply(version_id=version_id, user=user)
    if applied_now:
        flagged = _flag_open_cases(version=version, user=user)
        plan.schedule_cases_flagged_record(version=version, count=flagged)
    return version


def schedule_load(
    *, file_name: str, content: bytes, user=None, dry_run: bool = False
) -> tuple[dict, ScheduleVersion | None]:
    """
    Check a schedule and, unless it has an error or this is a dry run, apply
    it at once with its flags on the open cases (the load_schedule command).
    The report says how many open cases it flags ("cases_to_flag"); returns
    it and the applied version (None when nothing was written).
    """
    if dry_run:
        report, _ = plan.schedule_load(file_name=file_name, content=content, dry_run=True)
        report["cases_to_flag"] = schedule_cases_to_flag(report=report)
        return report, None
    with transaction.atomic():
        report, version = plan.schedule_load(file_name=file_name, content=content, user=user)
        if version is None:  # rows in error: nothing was written
            report["cases_to_flag"] = schedule_cases_to_flag(report=report)
            return report, None
        report["cases_to_flag"] = flagged = _flag_open_cases(version=version, user=user)
        plan.schedule_cases_flagged_record(version=version, count=flagged)
    return report, version
