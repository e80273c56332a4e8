"""Every write to the deployment plan goes through here, so that its history says who and why."""

import csv
import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from core import pagecache

from .models import Jurisdiction, State, normalise_name

_UNSET = object()


@transaction.atomic
def jurisdiction_plan_update(
    *,
    jurisdiction_id: int,
    user=None,
    reason: str,
    scheduled_activation: datetime.date | None | object = _UNSET,
    actual_activation: datetime.date | None | object = _UNSET,
    plan_status: str | object = _UNSET,
) -> Jurisdiction:
    """
    Change a jurisdiction's place on the deployment plan.

    Only the arguments given are changed. The row is locked while it changes,
    the change is kept in the jurisdiction's history with the acting user and
    the reason, and nothing is written when nothing changes.
    """
    jurisdiction = Jurisdiction.objects.select_for_update().get(pk=jurisdiction_id)
    changes = {
        "scheduled_activation": scheduled_activation,
        "actual_activation": actual_activation,
        "plan_status": plan_status,
    }
    changed = []
    for field, value in changes.items():
        if value is _UNSET or getattr(jurisdiction, field) == value:
            continue
        setattr(jurisdiction, field, value)
        changed.append(field)
    if not changed:
        return jurisdiction
    if "plan_status" in changed and plan_status not in Jurisdiction.PlanStatus.values:
        raise ValidationError({"plan_status": f"Unknown plan status {plan_status!r}."})
    jurisdiction.full_clean(exclude=["seal"], validate_unique=False)
    jurisdiction._history_user = user
    jurisdiction._change_reason = reason
    jurisdiction.save(update_fields=changed)
    pagecache.changed("plan")
    return jurisdiction


FIXTURES = Path(__file__).resolve().parent / "fixtures"


@transaction.atomic
def directory_load_census(*, user=None) -> dict[str, int]:
    """
    Load every state, territory and 2010 county-equivalent that is missing.

    Rows already present (matched by FIPS code) are left as they are, so that
    running it twice doubles nothing and never undoes an admin's edit.
    """
    created = {"states": 0, "jurisdictions": 0}
    states_by_fips = {s.fips: s for s in State.objects.all()}
    new_states = []
    with open(FIXTURES / "states.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["fips"] not in states_by_fips:
                new_states.append(
                    State(
                        fips=row["fips"],
                        postal_code=row["postal_code"],
                        name=row["name"],
                        is_territory=row["is_territory"] == "1",
                    )
                )
    if new_states:
        bulk_create_with_history(
            new_states, State, default_user=user, default_change_reason="Census directory"
        )
        created["states"] = len(new_states)
        states_by_fips = {s.fips: s for s in State.objects.all()}

    known = set(Jurisdiction.objects.exclude(fips="").values_list("fips", flat=True))
    new_jurisdictions = []
    with open(FIXTURES / "counties_2010.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["fips"] in known:
                continue
            new_jurisdictions.append(
                Jurisdiction(
                    state=states_by_fips[row["fips"][:2]],
                    fips=row["fips"],
                    name=row["name"],
                    kind=row["kind"],
                    search_name=normalise_name(row["name"]),
                )
            )
    if new_jurisdictions:
        bulk_create_with_history(
            new_jurisdictions,
            Jurisdiction,
            batch_size=1000,
            default_user=user,
            default_change_reason="2010 Census county list",
        )
        created["jurisdictions"] = len(new_jurisdictions)
    if new_states or new_jurisdictions:
        pagecache.changed("plan")
    return created
