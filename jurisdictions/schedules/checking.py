"""
Checking a schedule: each row matched to one jurisdiction (by FIPS code first,
then by state and normalised name), then compared with the plan in force.

The result is a report, a plain dict that can be stored as JSON and shown as
the preview: rows that give a jurisdiction its first date ("new"), rows that
change a date ("changed"), rows that change nothing ("unchanged"), and rows in
error, each with its row number, its column and why.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from ..models import PlanStatus
from . import guards
from .directory import Directory, is_statewide
from .reading import (
    COLUMN_LABELS,
    CellError,
    ScheduleFileError,
    Table,
    parse_dated,
    parse_fips,
    read_table,
    text_value,
)

__all__ = ["Directory", "plan_diff", "rows_match", "schedule_check"]

PROGRESS_EVERY = 500


@dataclass
class MatchedRow:
    row: int
    jurisdiction_id: int
    scheduled: datetime.date | None
    actual: datetime.date | None
    scheduled_precision: str = "day"
    actual_precision: str = "day"
    statewide: str = ""  # "All remaining jurisdictions in Virginia" for an expanded row


def _error(row: int, column: str, value, message: str) -> dict:
    shown = "" if value is None else text_value(value)
    if isinstance(value, datetime.datetime | datetime.date):
        shown = value.isoformat()[:10]
    return {
        "row": row,
        "column": COLUMN_LABELS[column],
        "value": shown[:120],
        "message": message,
    }


def rows_match(
    table: Table, directory: Directory, progress: Callable[[int, int], None] | None = None
) -> tuple[list[MatchedRow], list[dict]]:
    """
    Every row matched to a jurisdiction, or an error for each value that is wrong.
    A row for a whole state stands for each of its jurisdictions that no other row names.
    """
    matched: list[MatchedRow] = []
    errors: list[dict] = []
    seen: dict[int, int] = {}
    statewide: dict[int, tuple] = {}  # state id -> (row, dates, state)
    total = len(table.rows)
    for index, (number, cells) in enumerate(table.rows, start=1):
        row_errors = []
        raw = {key: table.cell(cells, key) for key in COLUMN_LABELS}
        dates = {}
        for key in ("scheduled", "actual"):
            try:
                dates[key] = parse_dated(raw[key])
            except CellError as exc:
                row_errors.append(_error(number, key, raw[key], str(exc)))
        if dates.keys() == {"scheduled", "actual"} and not dates["scheduled"][0]:
            if "scheduled" in table.columns and not dates["actual"][0]:
                row_errors.append(
                    _error(number, "scheduled", None, "The scheduled activation date is missing.")
                )
            elif not dates["actual"][0]:
                row_errors.append(_error(number, "actual", None, "The activation date is missing."))
        actual = dates.get("actual", (None, "day"))[0]
        if actual and actual > datetime.date.today():
            row_errors.append(
                _error(
                    number,
                    "actual",
                    raw["actual"],
                    f"The actual activation date {actual:%B %-d, %Y} is in the future.",
                )
            )
        jurisdiction = None
        try:
            fips = parse_fips(raw["fips"])
        except CellError as exc:
            row_errors.append(_error(number, "fips", raw["fips"], str(exc)))
            fips = None
        try:
            state = directory.state(raw["state"])
        except CellError as exc:
            row_errors.append(_error(number, "state", raw["state"], str(exc)))
            state = None
        name = text_value(raw["jurisdiction"])
        if state is not None and fips is not None and is_statewide(name, fips):
            try:
                directory.state_rest(state=state, fips=fips)
            except CellError as exc:
                message, column = exc.args
                row_errors.append(_error(number, column, raw[column], message))
            if state["id"] in statewide:
                row_errors.append(
                    _error(
                        number,
                        "jurisdiction",
                        raw["jurisdiction"],
                        f"{state['name']} as a whole is already on row "
                        f"{statewide[state['id']][0]}: a state's remaining jurisdictions "
                        "appear once.",
                    )
                )
            if row_errors:
                errors.extend(row_errors)
            else:
                statewide[state["id"]] = (number, dates, state)
            continue
        if state is not None and fips is not None:
            if len(fips) == 2:
                row_errors.append(
                    _error(
                        number,
                        "fips",
                        raw["fips"],
                        f"{fips} is a state's FIPS code, but the row names “{name}”: give the "
                        "county's five digits, or write “All remaining jurisdictions”.",
                    )
                )
            else:
                try:
                    jurisdiction, _ = directory.jurisdiction(state=state, name=name, fips=fips)
                except CellError as exc:
                    message, column = exc.args
                    row_errors.append(_error(number, column, raw[column], message))
        if jurisdiction is not None:
            first = seen.get(jurisdiction["id"])
            if first is not None:
                row_errors.append(
                    _error(
                        number,
                        "jurisdiction",
                        raw["jurisdiction"],
                        f"{directory.label(jurisdiction['id'])} is already on row {first}: "
                        "each jurisdiction appears once.",
                    )
                )
            else:
                seen[jurisdiction["id"]] = number
        if row_errors:
            errors.extend(row_errors)
        else:
            matched.append(_matched(number, jurisdiction["id"], dates))
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)
    for number, dates, state in statewide.values():
        label = f"All remaining jurisdictions in {state['name']}"
        for pk in directory.state_rest(state=state, fips=""):
            if pk not in seen:
                matched.append(_matched(number, pk, dates, statewide=label))
    return matched, errors


def _matched(number: int, pk: int, dates: dict, statewide: str = "") -> MatchedRow:
    scheduled, scheduled_precision = dates.get("scheduled", (None, "day"))
    actual, actual_precision = dates.get("actual", (None, "day"))
    return MatchedRow(
        row=number,
        jurisdiction_id=pk,
        scheduled=scheduled,
        actual=actual,
        scheduled_precision=scheduled_precision,
        actual_precision=actual_precision,
        statewide=statewide,
    )


def next_status(current: str, actual: datetime.date | None) -> str:
    """A jurisdiction on ICE's schedule is on the plan: scheduled, or activated once it was."""
    if actual:
        return PlanStatus.ACTIVATED
    if current in (PlanStatus.NOT_SCHEDULED, PlanStatus.POSTPONED, PlanStatus.REMOVED):
        return PlanStatus.SCHEDULED
    return current


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def plan_diff(
    matched: list[MatchedRow],
    current: dict[int, dict],
    directory: Directory,
    cases: dict[int, dict] | None = None,
) -> dict[str, list[dict]]:
    """
    Each matched row against the plan in force. `current` gives, per jurisdiction id,
    its dates, their precisions and its plan status now; `cases`, what guards.cases_for
    said of its cases. A row that would override a resolution is "held" (guards.py).
    """
    diff = {"held": [], "new": [], "changed": [], "unchanged": []}
    cases = cases or {}
    for m in matched:
        now = current[m.jurisdiction_id]
        old_scheduled, old_actual, old_status = (
            now["scheduled_activation"],
            now["actual_activation"],
            now["plan_status"],
        )
        old_precisions = (
            now.get("scheduled_activation_precision") or "day",
            now.get("actual_activation_precision") or "day",
        )
        # An activation-only list leaves the scheduled date as it was.
        if m.scheduled:
            new_scheduled, new_scheduled_precision = m.scheduled, m.scheduled_precision
        else:
            new_scheduled, new_scheduled_precision = old_scheduled, old_precisions[0]
        if m.actual:
            new_actual, new_actual_precision = m.actual, m.actual_precision
        else:
            new_actual, new_actual_precision = old_actual, old_precisions[1]
        new_status = next_status(old_status, new_actual)
        entry = {
            "row": m.row,
            "jurisdiction_id": m.jurisdiction_id,
            "jurisdiction": directory.label(m.jurisdiction_id),
            "statewide": m.statewide,
            "old_scheduled": _iso(old_scheduled),
            "new_scheduled": _iso(new_scheduled),
            "old_actual": _iso(old_actual),
            "new_actual": _iso(new_actual),
            "old_scheduled_precision": old_precisions[0],
            "new_scheduled_precision": new_scheduled_precision,
            "old_actual_precision": old_precisions[1],
            "new_actual_precision": new_actual_precision,
            "old_status": old_status,
            "new_status": new_status,
            "earlier": bool(old_scheduled and new_scheduled and new_scheduled < old_scheduled),
        }
        old = (old_scheduled, old_actual, old_status, *old_precisions)
        new = (new_scheduled, new_actual, new_status, new_scheduled_precision)
        new += (new_actual_precision,)
        if old == new:
            diff["unchanged"].append(entry)
            continue
        entry["holds"] = guards.holds(entry, cases.get(m.jurisdiction_id))
        if entry["holds"]:
            diff["held"].append(entry)
        elif old_scheduled is None and old_actual is None:
            diff["new"].append(entry)
        else:
            diff["changed"].append(entry)
    return diff


def fingerprint(diff: dict[str, list[dict]]) -> str:
    """The same plan and the same file give the same fingerprint; any difference changes it."""
    keys = ("jurisdiction_id", "old_scheduled", "new_scheduled", "old_actual", "new_actual")
    keys += ("old_status", "new_status", "new_scheduled_precision", "new_actual_precision")
    flat = sorted(
        [
            kind,
            *(entry.get(k) for k in keys),
            [(h["code"], [c["id"] for c in h["cases"]]) for h in entry.get("holds", [])],
        ]
        for kind, entries in diff.items()
        for entry in entries
    )
    return hashlib.sha256(json.dumps(flat, default=str).encode()).hexdigest()


def counts_of(diff: dict[str, list[dict]], errors: list[dict] = ()) -> dict[str, int]:
    counts = {kind: len(diff.get(kind, [])) for kind in ("held", "new", "changed", "unchanged")}
    counts["errors"] = len({e["row"] for e in errors})
    return counts


def diff_of(matched: list[MatchedRow], current: dict[int, dict], directory: Directory) -> dict:
    """The diff, with what the cases app says of the jurisdictions whose row changes something."""
    ids = [m.jurisdiction_id for m in matched]
    return plan_diff(matched, current, directory, guards.cases_for(ids) if ids else {})


def schedule_check(
    *,
    content: bytes,
    file_name: str,
    progress: Callable[[int, int], None] | None = None,
    current: dict[int, dict] | None = None,
) -> dict:
    """
    Check a schedule file against the directory and the plan in force; write nothing.

    Returns the report: counts, the diff, the errors, and a fingerprint of the diff so
    that applying can prove it applies what the preview showed.
    """
    report = {
        "file_name": file_name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "file_error": "",
        "columns": {},
        "ignored_columns": [],
        "rows_total": 0,
        "held": [],
        "new": [],
        "changed": [],
        "unchanged": [],
        "errors": [],
        "counts": {"held": 0, "new": 0, "changed": 0, "unchanged": 0, "errors": 0},
        "fingerprint": "",
    }
    try:
        table = read_table(content=content, file_name=file_name)
    except ScheduleFileError as exc:
        report["file_error"] = str(exc)
        return report
    report["columns"] = {COLUMN_LABELS[k]: v for k, v in table.header_labels.items()}
    report["ignored_columns"] = table.ignored
    report["rows_total"] = len(table.rows)
    if progress:
        progress(0, len(table.rows))
    directory = Directory()
    matched, errors = rows_match(table, directory, progress)
    diff = diff_of(matched, current or directory.jurisdictions, directory)
    report.update(diff)
    report["errors"] = errors
    report["counts"] = counts_of(diff, errors)
    report["statewide"] = sorted({m.statewide for m in matched if m.statewide})
    report["fingerprint"] = fingerprint(diff)
    return report
