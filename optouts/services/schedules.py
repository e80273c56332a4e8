"""
A deployment schedule, applied from the cases' side.

The directory applies a schedule to the plan (jurisdictions.schedules.services)
and knows nothing of cases; applying one here calls that, then puts a public
event on the timeline of every open case whose jurisdiction's scheduled date
moved, in the same transaction: the plan and the cases change together or not
at all. The views, the load_schedule command and the tests apply schedules
through these functions.

A schedule never overrides a resolution silently: `schedule_cases_at_stake`,
registered with jurisdictions.schedules.guards, tells the check which open
requests and which resolutions each row touches, and such rows are applied
only where the admin confirms them (`confirmed`, `override_resolutions`).
The activations a schedule records reach the open cases through
jurisdictions.signals.activated (optouts.services.activation).
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import ScheduleVersion
from jurisdictions.schedules import services as plan

from ..models import CaseEvent, OptOutRequest
from ..stages import Outcome, Stage
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


def schedule_cases_at_stake(jurisdiction_ids: list[int]) -> dict[int, dict]:
    """
    For jurisdictions.schedules.guards: each jurisdiction's open requests and
    its latest resolution that set its place on the plan (removed, or date
    adjusted). Two queries whatever the number of jurisdictions.
    """
    found: dict[int, dict] = {}
    ids = sorted(set(jurisdiction_ids))
    stages = dict(Stage.choices)
    outcomes = dict(Outcome.choices)
    for batch in _batches(ids):
        for case in (
            OptOutRequest.objects.open()
            .filter(jurisdiction_id__in=batch)
            .order_by("id")
            .values("id", "jurisdiction_id", "stage", "opened_on")
        ):
            entry = found.setdefault(case["jurisdiction_id"], {"open": [], "resolved": None})
            entry["open"].append({**_case(case), "stage": stages.get(case["stage"], "")})
        for case in (
            OptOutRequest.objects.filter(
                jurisdiction_id__in=batch,
                stage=Stage.RESOLVED,
                outcome__in=[Outcome.REMOVED, Outcome.DATE_ADJUSTED],
            )
            .order_by("jurisdiction_id", "-closed_on", "-id")
            .values("id", "jurisdiction_id", "opened_on", "outcome", "outcome_new_activation")
        ):
            entry = found.setdefault(case["jurisdiction_id"], {"open": [], "resolved": None})
            if entry["resolved"] is None:
                entry["resolved"] = {
                    **_case(case),
                    "outcome": case["outcome"],
                    "outcome_label": outcomes.get(case["outcome"], ""),
                    "new_activation": (
                        case["outcome_new_activation"].isoformat()
                        if case["outcome_new_activation"]
                        else None
                    ),
                }
    return found


def _case(row: dict) -> dict:
    return {
        "id": row["id"],
        "label": f"request no. {row['id']} (opened {row['opened_on']:%b %-d, %Y})",
        "url": reverse("optouts:detail", args=[row["id"]]),
    }


@transaction.atomic
def schedule_apply(*, version_id: int, user, confirmed=()) -> ScheduleVersion:
    """
    Apply a checked schedule to the plan and flag the open cases whose date it
    moved, in one transaction. The rows held back because they would override
    a resolution are applied only for the jurisdiction ids in `confirmed` (the
    rows the admin ticked). Applying twice changes nothing more (the plan's
    service says whether this call applied it). Raises what the plan's
    schedule_apply raises: PlanChangedError when the plan moved since the
    preview, ValidationError for a schedule that cannot be applied.
    """
    version, applied_now = plan.schedule_apply(
        version_id=version_id, user=user, confirmed=frozenset(int(pk) for pk in confirmed)
    )
    if applied_now:
        flagged = _flag_open_cases(version=version, user=user)
        plan.schedule_cases_flagged_record(version=version, count=flagged)
    return version


def schedule_load(
    *,
    file_name: str,
    content: bytes,
    user=None,
    dry_run: bool = False,
    override_resolutions: bool = False,
) -> tuple[dict, ScheduleVersion | None]:
    """
    Check a schedule and, unless it has an error, was already applied or this
    is a dry run, apply it at once with its flags on the open cases (the
    load_schedule command); the rows that would override a resolution only
    with `override_resolutions`. The report says how many open cases it flags
    ("cases_to_flag"); returns it and the applied version (None when nothing
    was written).
    """
    if dry_run:
        report, _ = plan.schedule_load(file_name=file_name, content=content, dry_run=True)
        report["cases_to_flag"] = schedule_cases_to_flag(report=report)
        return report, None
    with transaction.atomic():
        report, version = plan.schedule_load(
            file_name=file_name,
            content=content,
            user=user,
            override_resolutions=override_resolutions,
        )
        if version is None:  # rows in error: nothing was written
            report["cases_to_flag"] = schedule_cases_to_flag(report=report)
            return report, None
        report["cases_to_flag"] = flagged = _flag_open_cases(version=version, user=user)
        plan.schedule_cases_flagged_record(version=version, count=flagged)
    return report, version
