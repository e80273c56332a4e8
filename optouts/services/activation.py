"""
A jurisdiction's activation, recorded on the timeline of each of its open cases.

The activation is what an opt-out request races against; once it happens
while a request is open (San Francisco, June 2010) the case must say so in its
own record, dated the day of the activation, and its followers must hear of
it. The date is written by the directory — a deployment schedule,
jurisdiction_plan_update, an edit in the admin — which may not import the
cases app, so the directory sends jurisdictions.signals.activated inside its
transaction and `activations_record` (connected in OptoutsConfig.ready)
writes the events in that same transaction: the date and the events commit
together or not at all. The events go through events_add_many, the one
writer of the timeline, so case_events_added tells the followers after commit.
"""

import datetime
from collections import defaultdict

from django.db import transaction

from jurisdictions.models import DatePrecision
from jurisdictions.models_agreements import date_shown

from ..models import CaseEvent, OptOutRequest
from .timeline import events_add_many

BATCH = 500


@transaction.atomic
def activations_record(
    *,
    activations: dict[int, tuple[datetime.date, str] | datetime.date],
    user=None,
    source: str = "",
) -> list[CaseEvent]:
    """
    Put a public "Jurisdiction activated" event, dated the activation day, on
    every open case of these jurisdictions (id -> date, or (date, precision)).

    Safe to repeat: a case that already has an activation event of that date
    gets no second one. Returns the events added.
    """
    wanted = {
        pk: value if isinstance(value, tuple) else (value, DatePrecision.DAY)
        for pk, value in activations.items()
        if value
    }
    if not wanted:
        return []
    ids = sorted(wanted)
    cases = []
    for start in range(0, len(ids), BATCH):
        cases.extend(
            OptOutRequest.objects.open()
            .filter(jurisdiction_id__in=ids[start : start + BATCH])
            .select_related("jurisdiction", "jurisdiction__state")
            .order_by("id")
            .select_for_update(of=("self",))
        )
    if not cases:
        return []
    recorded = set(
        CaseEvent.objects.filter(
            request__in=[c.pk for c in cases], kind=CaseEvent.Kind.ACTIVATION
        ).values_list("request_id", "occurred_on")
    )
    groups: dict[tuple, list[OptOutRequest]] = defaultdict(list)
    for case in cases:
        day, precision = wanted[case.jurisdiction_id]
        if (case.pk, day) not in recorded:
            groups[(day, precision)].append(case)
    added = []
    for (day, precision), group in groups.items():
        added += events_add_many(
            cases=group,
            kind=CaseEvent.Kind.ACTIVATION,
            occurred_on=day,
            date_precision=precision,
            summaries={c.pk: _summary(c, day, precision) for c in group},
            sources={c.pk: source[:300] for c in group},
            actor=user,
            is_public=True,
            reason=f"Jurisdiction activated ({source or 'plan updated'})"[:100],
        )
    return added


def _summary(case: OptOutRequest, day: datetime.date, precision: str) -> str:
    """Says whether the activation came while the request stood (San Francisco) or before it."""
    if precision == DatePrecision.MONTH:
        when = f"in {date_shown(day, precision)}"
    elif precision == DatePrecision.ON_OR_BEFORE:
        when = date_shown(day, precision)
    else:
        when = f"on {date_shown(day, precision)}"
    where = f"Secure Communities was activated in {case.jurisdiction} {when}"
    if case.opened_on and case.opened_on > day:
        return f"{where}, before this request was made."
    return f"{where}, while this request was open."


def on_jurisdictions_activated(sender, *, activations, user=None, source="", **kwargs):
    """The receiver of jurisdictions.signals.activated: see the module's docstring."""
    activations_record(activations=activations, user=user, source=source)
