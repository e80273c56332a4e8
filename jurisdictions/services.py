"""Every write to the deployment plan goes through here, so that its history says who and why."""

import csv
import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from core import pagecache

from .models import Jurisdiction, State, StateAgreementEvent, normalise_name
from .signals import activated_send

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
    scheduled_activation_precision: str | object = _UNSET,
    actual_activation_precision: str | object = _UNSET,
) -> Jurisdiction:
    """
    Change a jurisdiction's place on the deployment plan.

    Only the arguments given are changed. The row is locked while it changes,
    the change is kept in the jurisdiction's history with the acting user and
    the reason, and nothing is written when nothing changes. A new actual
    activation date is announced (jurisdictions.signals.activated) inside the
    transaction, so that the open cases record it with the date or not at all.
    """
    jurisdiction = Jurisdiction.objects.select_for_update().get(pk=jurisdiction_id)
    changes = {
        "scheduled_activation": scheduled_activation,
        "actual_activation": actual_activation,
        "plan_status": plan_status,
        "scheduled_activation_precision": scheduled_activation_precision,
        "actual_activation_precision": actual_activation_precision,
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
    if "actual_activation" in changed and jurisdiction.actual_activation:
        activated_send(
            activations={
                jurisdiction.pk: (
                    jurisdiction.actual_activation,
                    jurisdiction.actual_activation_precision,
                )
            },
            user=user,
            source=reason,
        )
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
    created["agreement_events"] = state_agreements_load(user=user)
    if new_states or new_jurisdictions or created["agreement_events"]:
        pagecache.changed("plan")
    return created


def state_agreements_load(*, user=None) -> int:
    """
    Add the agreements on record (fixtures/state_agreements.csv) of the states
    that have none yet: a state an admin already documented is left as it is.
    Returns the number of records added.
    """
    states = {s.postal_code: s for s in State.objects.all()}
    documented = set(StateAgreementEvent.objects.values_list("state_id", flat=True).distinct())
    new = []
    with open(FIXTURES / "state_agreements.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            state = states.get(row["state"])
            if state is None or state.pk in documented:
                continue
            new.append(
                StateAgreementEvent(
                    state=state,
                    kind=row["kind"],
                    occurred_on=datetime.date.fromisoformat(row["occurred_on"]),
                    precision=row["precision"],
                    signed_by=row["signed_by"],
                    opt_out_clause=row["opt_out_clause"],
                    source=row["source"],
                    note=row["note"],
                )
            )
    if new:
        bulk_create_with_history(
            new,
            StateAgreementEvent,
            default_user=user,
            default_change_reason="Agreements on record",
        )
    return len(new)
