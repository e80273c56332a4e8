"""
What a schedule must not override silently (DESIGN.md, "The record of fact").

A row is held back — applied only when an admin confirms it — when it would
put back on the plan a jurisdiction that was removed from it, move a date of
a jurisdiction whose opt-out request is open (or whose date a resolution
adjusted), or set a scheduled date after the jurisdiction's actual activation.

The cases are the cases app's, which the directory may not import: it
registers a provider here (`cases_provider`, from OptoutsConfig.ready) that
says, for some jurisdictions, their open requests and their latest
resolution. Without a provider only the plan's own facts hold a row back.
"""

import datetime
from collections.abc import Callable

from ..models import PlanStatus
from ..models_agreements import date_shown

# jurisdiction ids -> {id: {"open": [case...], "resolved": case | None}}, where a case is
# {"id", "label", "url", "stage" or "outcome", "outcome_label", "new_activation"}.
Provider = Callable[[list[int]], dict[int, dict]]
_providers: list[Provider] = []


def cases_provider(func: Provider) -> Provider:
    """Register the function that says which cases a schedule's rows touch."""
    if func not in _providers:
        _providers.append(func)
    return func


def cases_for(jurisdiction_ids: list[int]) -> dict[int, dict]:
    found: dict[int, dict] = {}
    for provider in _providers:
        for pk, cases in provider(sorted(set(jurisdiction_ids))).items():
            found.setdefault(pk, {"open": [], "resolved": None})
            found[pk]["open"] += cases.get("open", [])
            found[pk]["resolved"] = found[pk]["resolved"] or cases.get("resolved")
    return found


def _day(iso: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(iso) if iso else None


def holds(entry: dict, cases: dict | None) -> list[dict]:
    """Why this row of the diff waits for an admin's confirmation; [] when it does not."""
    cases = cases or {"open": [], "resolved": None}
    found = []
    resolved = cases["resolved"]
    labels = dict(PlanStatus.choices)
    if entry["old_status"] == PlanStatus.REMOVED and entry["new_status"] != PlanStatus.REMOVED:
        by = ""
        if resolved and resolved.get("outcome") == "removed":
            by = f" by the resolution of {resolved['label']} ({resolved['outcome_label']})"
        found.append(
            {
                "code": "removed",
                "message": f"Removed from the plan{by}: this row would put it back on the plan "
                f"as “{labels[entry['new_status']]}”.",
                "cases": [resolved] if by else [],
            }
        )
    moves = entry["old_scheduled"] != entry["new_scheduled"] and entry["old_scheduled"]
    moves_actual = entry["old_actual"] and entry["old_actual"] != entry["new_actual"]
    what = (
        f"its scheduled activation date from {_shown(entry, 'old_scheduled')} to "
        f"{_shown(entry, 'new_scheduled')}"
        if moves
        else f"its actual activation date from {_shown(entry, 'old_actual')} to "
        f"{_shown(entry, 'new_actual')}"
    )
    if (moves or moves_actual) and cases["open"]:
        names = "; ".join(f"{c['label']} ({c['stage']})" for c in cases["open"])
        found.append(
            {
                "code": "open_case",
                "message": f"Open request: {names}. This row would move {what}.",
                "cases": cases["open"],
            }
        )
    if (
        (moves or moves_actual)
        and resolved
        and resolved.get("outcome") == "date_adjusted"
        and resolved.get("new_activation") == entry["old_scheduled"]
    ):
        found.append(
            {
                "code": "date_adjusted",
                "message": f"The date was set by the resolution of {resolved['label']} "
                f"({resolved['outcome_label']}): this row would move {what}.",
                "cases": [resolved],
            }
        )
    scheduled, actual = _day(entry["new_scheduled"]), _day(entry["new_actual"])
    changes = entry["old_scheduled"] != entry["new_scheduled"] or moves_actual
    if changes and scheduled and actual and scheduled > actual:
        found.append(
            {
                "code": "after_actual",
                "message": f"The scheduled date {_shown(entry, 'new_scheduled')} would come "
                f"after its actual activation {_shown(entry, 'new_actual')}.",
                "cases": [],
            }
        )
    return found


def _shown(entry: dict, key: str) -> str:
    day = _day(entry[key])
    if day is None:
        return "none"
    return date_shown(day, entry.get(f"{key}_precision") or "day")
