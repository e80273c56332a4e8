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

from ..models import Jurisdiction, PlanStatus, State, normalise_name
from .reading import (
    COLUMN_LABELS,
    STATE_ALIASES,
    CellError,
    ScheduleFileError,
    Table,
    parse_date,
    parse_fips,
    read_table,
    state_key,
    text_value,
)

PROGRESS_EVERY = 500


@dataclass
class MatchedRow:
    row: int
    jurisdiction_id: int
    scheduled: datetime.date
    actual: datetime.date | None


class Directory:
    """The states and jurisdictions, read once (two queries), indexed for matching."""

    def __init__(self):
        self.states = {}
        self.state_names = {}
        self._state_cache = {}
        for state in State.objects.values("id", "name", "postal_code", "fips"):
            self.state_names[state["id"]] = state
            for key in (state["name"], state["postal_code"], state["fips"]):
                self.states[state_key(key)] = state
        self.by_fips = {}
        self.by_name = {}
        self.jurisdictions = {}
        for j in Jurisdiction.objects.values(
            "id",
            "state_id",
            "name",
            "fips",
            "search_name",
            "scheduled_activation",
            "actual_activation",
            "plan_status",
        ):
            self.jurisdictions[j["id"]] = j
            if j["fips"]:
                self.by_fips[j["fips"]] = j
            self.by_name.setdefault((j["state_id"], j["search_name"]), []).append(j)

    def label(self, jurisdiction_id: int) -> str:
        j = self.jurisdictions[jurisdiction_id]
        return f"{j['name']}, {self.state_names[j['state_id']]['postal_code']}"

    def state(self, value) -> dict:
        text = text_value(value)
        if not text:
            raise CellError("The state is missing.")
        state = self._state_cache.get(text)
        if state is None:
            key = state_key(text)
            state = self.states.get(STATE_ALIASES.get(key, key))
            self._state_cache[text] = state
        if state is None:
            raise CellError(
                f"“{text}” is not a state: write its name (California) or its postal code (CA)."
            )
        return state

    def jurisdiction(self, *, state: dict, name: str, fips: str) -> tuple[dict, str]:
        """The one jurisdiction a row names, and the column that identified it."""
        by_fips = self.by_fips.get(fips) if fips else None
        if by_fips is not None:
            if by_fips["state_id"] != state["id"]:
                other = self.state_names[by_fips["state_id"]]["name"]
                raise CellError(
                    f"FIPS code {fips} is {by_fips['name']} in {other}, not in {state['name']}.",
                    "fips",
                )
            return by_fips, "fips"
        if not name:
            if fips:
                raise CellError(
                    f"No jurisdiction has FIPS code {fips}, and the row gives no name.", "fips"
                )
            raise CellError("The jurisdiction's name is missing.", "jurisdiction")
        candidates = self._named(state["id"], name)
        if not candidates:
            where = f" with FIPS code {fips} or" if fips else ""
            raise CellError(
                f"No jurisdiction{where} named “{name}” in {state['name']}. Check the "
                "spelling against the directory, or give its FIPS code.",
                "jurisdiction",
            )
        if len(candidates) > 1:
            names = " and ".join(sorted(c["name"] for c in candidates))
            raise CellError(
                f"“{name}” matches {len(candidates)} jurisdictions in {state['name']}: "
                f"{names}. Write the full name or give the FIPS code.",
                "jurisdiction",
            )
        found = candidates[0]
        if fips and found["fips"] and found["fips"] != fips:
            raise CellError(
                f"“{name}” in {state['name']} has FIPS code {found['fips']}, not {fips}.", "fips"
            )
        return found, "jurisdiction"

    def _named(self, state_id: int, name: str) -> list[dict]:
        key = normalise_name(name)
        found = self.by_name.get((state_id, key), [])
        if not found and key.startswith("city of "):
            found = self.by_name.get((state_id, key[len("city of ") :] + " city"), [])
        return found


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
    """Every row matched to a jurisdiction, or an error for each value that is wrong."""
    matched: list[MatchedRow] = []
    errors: list[dict] = []
    seen: dict[int, int] = {}
    total = len(table.rows)
    for index, (number, cells) in enumerate(table.rows, start=1):
        row_errors = []
        raw = {key: table.cell(cells, key) for key in COLUMN_LABELS}
        dates = {}
        for key in ("scheduled", "actual"):
            try:
                dates[key] = parse_date(raw[key])
            except CellError as exc:
                row_errors.append(_error(number, key, raw[key], str(exc)))
        if "scheduled" in dates and dates["scheduled"] is None:
            row_errors.append(
                _error(number, "scheduled", None, "The scheduled activation date is missing.")
            )
        if dates.get("actual") and dates["actual"] > datetime.date.today():
            row_errors.append(
                _error(
                    number,
                    "actual",
                    raw["actual"],
                    f"The actual activation date {dates['actual']:%B %-d, %Y} is in the future.",
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
        if state is not None and fips is not None:
            try:
                jurisdiction, _ = directory.jurisdiction(
                    state=state, name=text_value(raw["jurisdiction"]), fips=fips
                )
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
            matched.append(
                MatchedRow(
                    row=number,
                    jurisdiction_id=jurisdiction["id"],
                    scheduled=dates["scheduled"],
                    actual=dates["actual"],
                )
            )
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)
    return matched, errors


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
    matched: list[MatchedRow], current: dict[int, dict], directory: Directory
) -> dict[str, list[dict]]:
    """
    Each matched row against the plan in force. `current` gives, per jurisdiction id,
    its scheduled_activation, actual_activation and plan_status now.
    """
    diff = {"new": [], "changed": [], "unchanged": []}
    for m in matched:
        now = current[m.jurisdiction_id]
        old_scheduled, old_actual, old_status = (
            now["scheduled_activation"],
            now["actual_activation"],
            now["plan_status"],
        )
        new_actual = m.actual or old_actual
        new_status = next_status(old_status, new_actual)
        entry = {
            "row": m.row,
            "jurisdiction_id": m.jurisdiction_id,
            "jurisdiction": directory.label(m.jurisdiction_id),
            "old_scheduled": _iso(old_scheduled),
            "new_scheduled": _iso(m.scheduled),
            "old_actual": _iso(old_actual),
            "new_actual": _iso(new_actual),
            "old_status": old_status,
            "new_status": new_status,
            "earlier": bool(old_scheduled and m.scheduled < old_scheduled),
        }
        if old_scheduled is None:
            diff["new"].append(entry)
        elif (old_scheduled, old_actual, old_status) != (m.scheduled, new_actual, new_status):
            diff["changed"].append(entry)
        else:
            diff["unchanged"].append(entry)
    return diff


def fingerprint(diff: dict[str, list[dict]]) -> str:
    """The same plan and the same file give the same fingerprint; any difference changes it."""
    keys = ("jurisdiction_id", "old_scheduled", "new_scheduled", "old_actual", "new_actual")
    keys += ("old_status", "new_status")
    flat = sorted(
        [kind, *(entry[k] for k in keys)] for kind, entries in diff.items() for entry in entries
    )
    return hashlib.sha256(json.dumps(flat, default=str).encode()).hexdigest()


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
        "new": [],
        "changed": [],
        "unchanged": [],
        "errors": [],
        "counts": {"new": 0, "changed": 0, "unchanged": 0, "errors": 0},
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
    diff = plan_diff(matched, current or directory.jurisdictions, directory)
    report.update(diff)
    report["errors"] = errors
    report["counts"] = {
        "new": len(diff["new"]),
        "changed": len(diff["changed"]),
        "unchanged": len(diff["unchanged"]),
        "errors": len({e["row"] for e in errors}),
    }
    report["fingerprint"] = fingerprint(diff)
    return report
