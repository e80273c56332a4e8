"""Reads of the directory and the deployment plan."""

from django.db.models import QuerySet

from .models import Jurisdiction, State


def jurisdiction_list() -> QuerySet:
    """
    Jurisdictions with their state in one query, by state and name;
    jurisdictions.filters.JurisdictionFilter narrows them.
    """
    return (
        Jurisdiction.objects.select_related("state")
        .only(
            "id",
            "name",
            "kind",
            "fips",
            "scheduled_activation",
            "actual_activation",
            "plan_status",
            "state__name",
            "state__postal_code",
        )
        .order_by("state__name", "name")
    )


def state_list() -> QuerySet:
    return State.objects.order_by("name")


def jurisdiction_history(*, jurisdiction: Jurisdiction, limit: int = 200) -> list[dict]:
    """
    The jurisdiction's plan changes, newest first, each with what changed.

    Two queries whatever the length: the history rows with their users, then nothing else;
    the diff is computed between neighbouring rows in Python.
    """
    records = list(
        jurisdiction.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    fields = ["scheduled_activation", "actual_activation", "plan_status", "name", "fips"]
    labels = {f: Jurisdiction._meta.get_field(f).verbose_name for f in fields}
    entries = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(entries) == limit:
            break
        changes = []
        for field in fields:
            new = getattr(newer, field)
            old = getattr(older, field) if older is not None else None
            if older is None or new != old:
                if older is None and new in (None, ""):
                    continue
                if field == "plan_status":
                    new = Jurisdiction.PlanStatus(new).label if new else new
                    old = Jurisdiction.PlanStatus(old).label if old else old
                changes.append({"field": labels[field], "old": old, "new": new})
        if older is not None and not changes:
            continue
        entries.append(
            {
                "date": newer.history_date,
                "user": newer.history_user,
                "reason": newer.history_change_reason or "",
                "created": older is None,
                "changes": changes,
            }
        )
    return entries
