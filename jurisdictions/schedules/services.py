"""
Every write a deployment schedule makes to the directory: keeping the upload,
storing its check, and applying it to the plan in one transaction — all rows
or none.

The open cases whose date a schedule moves are the cases app's business: its
own schedule service (optouts.services.schedules) calls these, then records
the change on the cases in the same transaction. Nothing here knows of cases.
"""

import datetime
import hashlib
from collections import defaultdict
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import outbox, pagecache

from ..models import Jurisdiction, ScheduleVersion
from ..signals import activated_send
from .checking import Directory, counts_of, diff_of, fingerprint, rows_match, schedule_check
from .reading import ScheduleFileError, read_head, read_table

CHUNK = 500


class PlanChangedError(ValidationError):
    """The plan changed between the preview and the apply: the preview no longer tells the truth."""


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def applied_rows(report: dict) -> list[dict]:
    """The rows a report applies (or applied): all but those held back and not confirmed."""
    held = [e for e in report.get("held", []) if e.get("confirmed")]
    return report.get("new", []) + report.get("changed", []) + held


def moved_rows(report: dict) -> list[dict]:
    """
    The rows of a check's report (or an applied diff) whose scheduled
    activation date moves, a first date included: what the open cases of
    those jurisdictions are told of.
    """
    return [e for e in applied_rows(report) if e["old_scheduled"] != e["new_scheduled"]]


def already_applied(sha256: str) -> dict | None:
    """The schedule already applied from the same file (same SHA-256), if any."""
    earlier = (
        ScheduleVersion.objects.filter(sha256=sha256, status=ScheduleVersion.Status.APPLIED)
        .order_by("-applied_at")
        .values("id", "applied_at", "file_name")
        .first()
    )
    if earlier is None:
        return None
    return {**earlier, "applied_at": earlier["applied_at"].isoformat()}


def already_applied_message(earlier: dict) -> str:
    day = datetime.datetime.fromisoformat(earlier["applied_at"])
    return (
        f"This file (the same SHA-256) was already applied on {day:%b %-d, %Y} as schedule "
        f"no. {earlier['id']} (“{earlier['file_name']}”); nothing was written."
    )


class ScheduleApplied(NamedTuple):
    """What schedule_apply did: the version, and whether this call applied it."""

    version: ScheduleVersion
    applied_now: bool


def schedule_upload(*, file_name: str, content: bytes, user) -> ScheduleVersion:
    """
    Keep an uploaded schedule and queue its check; the plan is not touched.

    A file that cannot be read as a schedule at all (not a spreadsheet, empty,
    wrong columns, too many rows, an .xlsx that unpacks too large), or one
    already applied (the same SHA-256), is refused here with a ValidationError,
    and nothing is kept. Only the file's first rows are read here (read_head):
    its rows are read once, by the check in the background.
    """
    from ..tasks import schedule_check as schedule_check_task

    earlier = already_applied(hashlib.sha256(content).hexdigest())
    if earlier:
        raise ValidationError({"file": already_applied_message(earlier)})
    try:
        _, expected_rows = read_head(content=content, file_name=file_name)
    except ScheduleFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    with transaction.atomic():
        version = ScheduleVersion.objects.create(
            file_name=file_name[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            content=content,
            source=ScheduleVersion.Source.UPLOAD,
            status=ScheduleVersion.Status.CHECKING,
            uploaded_by=user,
            rows_total=expected_rows,
        )
        outbox.enqueue(schedule_check_task, version.pk)
    return version


def schedule_check_run(*, version_id: int) -> ScheduleVersion:
    """
    Check a kept upload against the directory and the plan in force, store the report.

    Progress is written as the rows are checked so that the preview page can show it.
    Safe to repeat: an upload already checked or applied is returned as it is.
    """
    version = ScheduleVersion.objects.get(pk=version_id)
    if version.status != ScheduleVersion.Status.CHECKING:
        return version

    def progress(done: int, total: int) -> None:
        ScheduleVersion.objects.filter(pk=version_id).update(rows_checked=done, rows_total=total)

    report = schedule_check(
        content=bytes(version.content), file_name=version.file_name, progress=progress
    )
    report["already_applied"] = already_applied(version.sha256)
    counts = report["counts"]
    ScheduleVersion.objects.filter(pk=version_id, status=ScheduleVersion.Status.CHECKING).update(
        status=ScheduleVersion.Status.CHECKED,
        report=report,
        rows_total=report["rows_total"],
        rows_checked=report["rows_total"],
        new_count=counts["new"],
        changed_count=counts["changed"] + counts["held"],
        unchanged_count=counts["unchanged"],
        error_count=counts["errors"] + (1 if report["file_error"] else 0),
    )
    version.refresh_from_db()
    return version


def schedule_recheck(*, version_id: int) -> ScheduleVersion:
    """Check a kept upload again, against the plan as it is now."""
    from ..tasks import schedule_check as schedule_check_task

    with transaction.atomic():
        version = ScheduleVersion.objects.select_for_update().get(pk=version_id)
        if version.status == ScheduleVersion.Status.APPLIED:
            raise ValidationError("This schedule is already applied.")
        version.status = ScheduleVersion.Status.CHECKING
        version.rows_checked = 0
        version.save(update_fields=["status", "rows_checked"])
        outbox.enqueue(schedule_check_task, version.pk)
    return version


@transaction.atomic
def schedule_discard(*, version_id: int) -> None:
    """Forget an upload that was not applied; an applied schedule is kept for the record."""
    version = ScheduleVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        return
    if version.status == ScheduleVersion.Status.APPLIED:
        raise ValidationError("An applied schedule is kept for the record.")
    version.delete()


@transaction.atomic
def schedule_apply(
    *, version_id: int, user, confirmed: frozenset[int] = frozenset()
) -> ScheduleApplied:
    """
    Apply a checked schedule to the plan: every row or none, except the rows
    held back (guards.py) whose jurisdiction id is not in `confirmed`: those
    are kept in the report, marked unconfirmed, and change nothing.

    The file is checked again inside the transaction with the jurisdictions locked,
    and must give exactly the diff the preview showed; if the plan changed since,
    PlanChangedError is raised and nothing is written. Applying twice is harmless:
    the second call says it applied nothing, so that its caller (the cases' own
    schedule service) does not tell the cases twice.
    """
    version = ScheduleVersion.objects.select_for_update().get(pk=version_id)
    if version.status == ScheduleVersion.Status.APPLIED:
        return ScheduleApplied(version, applied_now=False)
    if version.status == ScheduleVersion.Status.CHECKING:
        raise ValidationError("This schedule is still being checked. Wait for the preview.")
    if version.error_count:
        raise ValidationError(
            "This schedule has rows in error, so none of it can be applied. Correct the file "
            "and upload it again."
        )
    earlier = already_applied(version.sha256)
    if earlier:
        raise ValidationError(already_applied_message(earlier))
    _apply(
        version=version,
        user=user,
        expected=version.report.get("fingerprint"),
        confirmed=confirmed,
    )
    return ScheduleApplied(version, applied_now=True)


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
    is a dry run, apply it at once; the rows held back are applied only with
    `override_resolutions`.

    Returns the report and the applied version (None when nothing was written).
    Run it inside the caller's transaction to add the cases' side of the change.
    """
    report = schedule_check(content=content, file_name=file_name)
    report["already_applied"] = already_applied(report["sha256"])
    if report["file_error"] or report["errors"] or report["already_applied"] or dry_run:
        return report, None
    with transaction.atomic():
        counts = report["counts"]
        version = ScheduleVersion.objects.create(
            file_name=file_name[:255],
            sha256=report["sha256"],
            size=len(content),
            content=content,
            source=ScheduleVersion.Source.COMMAND,
            status=ScheduleVersion.Status.CHECKED,
            uploaded_by=user,
            rows_total=report["rows_total"],
            rows_checked=report["rows_total"],
            new_count=counts["new"],
            changed_count=counts["changed"],
            unchanged_count=counts["unchanged"],
            report=report,
        )
        confirmed = frozenset(e["jurisdiction_id"] for e in report["held"])
        report = _apply(
            version=version,
            user=user,
            expected=report["fingerprint"],
            confirmed=confirmed if override_resolutions else frozenset(),
        )
    return report, version


def _apply(
    *, version: ScheduleVersion, user, expected: str | None, confirmed: frozenset[int]
) -> dict:
    """Write the plan, its history and the version, in the caller's transaction."""
    content = bytes(version.content)
    try:
        table = read_table(content=content, file_name=version.file_name)
    except ScheduleFileError as exc:
        raise ValidationError(str(exc)) from exc
    directory = Directory()
    matched, errors = rows_match(table, directory)
    if errors:
        raise ValidationError(
            f"{len({e['row'] for e in errors})} rows are in error now; check the file again."
        )
    ids = [m.jurisdiction_id for m in matched]
    locked: dict[int, Jurisdiction] = {}
    for chunk in _chunks(ids):
        locked.update(
            (j.pk, j) for j in Jurisdiction.objects.select_for_update().filter(pk__in=chunk)
        )
    fields = ("scheduled_activation", "actual_activation", "plan_status")
    fields += ("scheduled_activation_precision", "actual_activation_precision")
    current = {pk: {f: getattr(j, f) for f in fields} for pk, j in locked.items()}
    diff = diff_of(matched, current, directory)
    if expected is not None and fingerprint(diff) != expected:
        raise PlanChangedError(
            "The deployment plan changed since this preview was made, so the preview no "
            "longer shows what applying would do. Check the file again and review the new preview."
        )
    now = timezone.now()
    reason = f"Deployment schedule “{version.file_name}” (no. {version.pk})"
    for entry in diff["held"]:
        entry["confirmed"] = entry["jurisdiction_id"] in confirmed

    groups: dict[tuple, list[int]] = defaultdict(list)
    changed_objects = []
    activations = {}
    for entry in applied_rows(diff):
        j = locked[entry["jurisdiction_id"]]
        j.scheduled_activation = _day(entry["new_scheduled"])
        j.actual_activation = _day(entry["new_actual"])
        j.scheduled_activation_precision = entry["new_scheduled_precision"]
        j.actual_activation_precision = entry["new_actual_precision"]
        j.plan_status = entry["new_status"]
        j._change_reason = f"{reason}, row {entry['row']}"
        if entry.get("confirmed"):
            j._change_reason += " (confirmed over a resolution)"
        changed_objects.append(j)
        groups[tuple(getattr(j, f) for f in fields)].append(j.pk)
        if j.actual_activation and entry["old_actual"] != entry["new_actual"]:
            activations[j.pk] = (j.actual_activation, j.actual_activation_precision)
    # One UPDATE per distinct set of dates: a schedule has few distinct dates, so this is
    # a handful of statements for thousands of rows. History rows are written in bulk.
    for values, pks in groups.items():
        for chunk in _chunks(pks):
            Jurisdiction.objects.filter(pk__in=chunk).update(
                **dict(zip(fields, values, strict=True))
            )
    if changed_objects:
        Jurisdiction.history.bulk_history_create(
            changed_objects, update=True, default_user=user, default_date=now, batch_size=CHUNK
        )

    pagecache.changed("plan")
    counts = counts_of(diff)
    report = {**(version.report or {}), **diff, "counts": counts, "fingerprint": fingerprint(diff)}
    version.report = report
    version.status = ScheduleVersion.Status.APPLIED
    version.applied_by = user
    version.applied_at = now
    version.new_count = counts["new"]
    version.changed_count = counts["changed"] + sum(1 for e in diff["held"] if e["confirmed"])
    version.unchanged_count = counts["unchanged"]
    version.error_count = 0
    version.save()
    # The open cases record the activations in this transaction (jurisdictions.signals).
    activated_send(activations=activations, user=user, source=f"{reason}")
    return report


def _day(iso: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(iso) if iso else None


def schedule_cases_flagged_record(*, version: ScheduleVersion, count: int) -> None:
    """
    Keep on the applied version how many open cases it flagged, as the cases
    app counted them, in the transaction that applied it.
    """
    version.cases_flagged = count
    version.report = {**(version.report or {}), "cases_flagged": count}
    version.save(update_fields=["cases_flagged", "report"])


__all__ = [
    "PlanChangedError",
    "already_applied",
    "applied_rows",
    "ScheduleApplied",
    "moved_rows",
    "schedule_apply",
    "schedule_cases_flagged_record",
    "schedule_check_run",
    "schedule_discard",
    "schedule_load",
    "schedule_recheck",
    "schedule_upload",
]
