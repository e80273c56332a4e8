"""Reads of the directory and the deployment plan."""

from django.db.models import QuerySet

from .models import Jurisdiction, State, StateAgreementEvent
from .models_agreements import AGREEMENT_STATUS, NO_AGREEMENT


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


def state_agreement_events(*, state_id: int) -> list[StateAgreementEvent]:
    """A state's agreement with ICE, oldest record first (one query)."""
    return list(StateAgreementEvent.objects.filter(state_id=state_id).order_by("occurred_on", "id"))


def state_agreement_statuses() -> dict[str, str]:
    """
    Each state's agreement as its latest record says it ("In force", "Ended"...),
    by postal code; a state with no record is absent. One query: the records are few.
    """
    statuses = {}
    for postal_code, kind in StateAgreementEvent.objects.order_by(
        "state_id", "occurred_on", "id"
    ).values_list("state__postal_code", "kind"):
        statuses[postal_code] = AGREEMENT_STATUS.get(kind, NO_AGREEMENT)
    return statuses


def agreements_among(*, agreements: list, dates: list) -> list[list]:
    """
    Where a state's agreement records fall among a timeline's dates (sorted):
    for each date, the records on or before it not placed yet, and last those after all.
    So a case's timeline shows the state's agreement in date order without copying it.
    """
    placed: list[list] = [[] for _ in range(len(dates) + 1)]
    position = 0
    for record in sorted(agreements, key=lambda a: (a.occurred_on, a.pk or 0)):
        while position < len(dates) and dates[position] < record.occurred_on:
            position += 1
        placed[position].append(record)
    return placed


def state_plan_counts(*, state_id: int) -> list[dict]:
    """How many of a state's jurisdictions stand at each place on the plan (one query)."""
    from django.db.models import Count

    labels = dict(Jurisdiction.PlanStatus.choices)
    rows = (
        Jurisdiction.objects.filter(state_id=state_id)
        .values("plan_status")
        .annotate(count=Count("id"))
        .order_by("plan_status")
    )
    return [
        {"status": r["plan_status"], "label": labels.get(r["plan_status"], ""), "count": r["count"]}
        for r in rows
    ]
