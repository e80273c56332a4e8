"""
Reads for the public side: the dashboard, the map, the feeds, the exports and
the API. Every read here shows only what the public may see.

What the public may see of a case: the case once its notice has gone out
(a draft is the jurisdiction's unfinished work, and a draft withdrawn before
any copy was sent never became public), and of its timeline only the events
marked public (never an internal note).
"""

import datetime
from collections import Counter

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jurisdictions.models import Jurisdiction, State
from optouts.models import (
    OPEN_STAGES,
    CaseEvent,
    OptOutRequest,
    Outcome,
    Stage,
    is_public_stage,
)

from .models import Follow

# Open stages in which the notice has gone out: the jurisdiction's opt-out is pending.
PENDING_STAGES = tuple(s for s in Stage if s in OPEN_STAGES and s != Stage.DRAFT)

# Date of each step, taken from the public stage events of the timeline.
STEP_FIELDS = {
    "notice_sent_on": Stage.NOTICE_SENT,
    "meeting_requested_on": Stage.MEETING_REQUESTED,
    "meeting_scheduled_on": Stage.MEETING_SCHEDULED,
    "meeting_held_on": Stage.MEETING_HELD,
    "resolved_on": Stage.RESOLVED,
    "withdrawn_on": Stage.WITHDRAWN,
}


class MapStatus:
    """The status a county is coloured by on the map, most telling first."""

    REMOVED = "removed"
    PENDING = "pending"
    ACTIVATED = "activated"
    SCHEDULED = "scheduled"
    NOT_SCHEDULED = "not_scheduled"

    LABELS = {
        NOT_SCHEDULED: "Not scheduled",
        SCHEDULED: "Scheduled",
        ACTIVATED: "Activated",
        PENDING: "Opt-out pending",
        REMOVED: "Removed from plan",
    }
    ORDER = [NOT_SCHEDULED, SCHEDULED, ACTIVATED, PENDING, REMOVED]


def public_cases() -> QuerySet:
    """Cases the public data covers, with jurisdiction and state, in one query."""
    return (
        OptOutRequest.objects.public()
        .select_related("jurisdiction", "jurisdiction__state")
        .with_activated_while_pending()
    )


def public_case_ids() -> QuerySet:
    return public_cases().values("pk")


def public_events() -> QuerySet:
    """Public timeline events of public cases, newest first."""
    return (
        CaseEvent.objects.filter(is_public=True, request__in=public_case_ids())
        .select_related("request__jurisdiction__state")
        .order_by("-occurred_on", "-recorded_at", "-id")
    )


def case_is_public(case: OptOutRequest) -> bool:
    return public_cases().filter(pk=case.pk).exists()


def cases_for_export() -> QuerySet:
    """One row per public case with the date of each step and the days waiting, one query."""
    public_stage = Q(events__kind=CaseEvent.Kind.STAGE, events__is_public=True)
    steps = {
        name: Max("events__occurred_on", filter=public_stage & Q(events__to_stage=stage))
        for name, stage in STEP_FIELDS.items()
    }
    return public_cases().annotate(**steps).order_by("id")


# --- the dashboard ---------------------------------------------------------


def dashboard(*, today: datetime.date | None = None) -> dict:
    """Where things stand at a glance. A fixed number of queries, whatever the size."""
    today = today or timezone.localdate()
    # One grouped query gives the stages, the outcomes and the count of cases
    # activated while pending (among the public ones).
    groups = (
        OptOutRequest.objects.with_has_delivery()
        .with_activated_while_pending()
        .values_list("stage", "outcome", "has_delivery", "activated_while_pending")
        .annotate(n=Count("id"))
        .order_by()
    )
    stage_rows: Counter = Counter()
    outcome_rows: Counter = Counter()
    awp_total = 0
    for stage, outcome, has_delivery, awp, n in groups:
        if not is_public_stage(stage, has_delivery):
            continue  # drafts are the jurisdiction's unfinished work, not counted in public
        stage_rows[stage] += n
        if stage == Stage.RESOLVED:
            outcome_rows[outcome] += n
        if awp:
            awp_total += n
    open_stages = [
        {"value": s.value, "label": s.label, "count": stage_rows.get(s.value, 0)}
        for s in Stage
        if s in PENDING_STAGES
    ]
    outcomes = [
        {"value": o.value, "label": o.label, "count": outcome_rows.get(o.value, 0)} for o in Outcome
    ]
    waiting = list(
        public_cases()
        .filter(stage__in=PENDING_STAGES)
        .defer("reasons", "outcome_text", "jurisdiction__letterhead")
        .order_by("stage_entered_at", "id")[:10]
    )
    for case in waiting:
        case.days_waiting = case.days_in_stage(today)
    upcoming = list(
        Jurisdiction.objects.select_related("state")
        .filter(scheduled_activation__gte=today, actual_activation__isnull=True)
        .exclude(plan_status=Jurisdiction.PlanStatus.REMOVED)
        .only("id", "name", "scheduled_activation", "plan_status", "state__postal_code")
        .order_by("scheduled_activation", "state__name", "name")[:10]
    )
    for j in upcoming:
        j.days_left = (j.scheduled_activation - today).days
    awp = list(
        public_cases()
        .filter(activated_while_pending=True)
        .defer("reasons", "outcome_text", "jurisdiction__letterhead")
        .order_by("-jurisdiction__actual_activation", "id")[:10]
    )
    return {
        "today": today,
        "open_stages": open_stages,
        "open_total": sum(s["count"] for s in open_stages),
        "outcomes": outcomes,
        "resolved_total": sum(o["count"] for o in outcomes),
        "withdrawn_total": stage_rows.get(Stage.WITHDRAWN, 0),
        "waiting": waiting,
        "upcoming": upcoming,
        "activated_while_pending": awp,
        "activated_while_pending_total": awp_total,
    }


def activity_by_month(*, max_months: int = 36) -> list[dict]:
    """
    Jurisdictions activated and opt-out requests filed, per month: two
    aggregate queries. The most recent `max_months` months that have any
    activity, with empty months in between kept so the time axis is even.
    """
    activations = dict(
        Jurisdiction.objects.filter(actual_activation__isnull=False)
        .annotate(month=TruncMonth("actual_activation"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    filed = dict(
        public_cases()
        .annotate(month=TruncMonth("opened_on"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    months = sorted(set(activations) | set(filed))
    if not months:
        return []
    last = months[-1]
    first = max(months[0], _add_months(last, -(max_months - 1)))
    result = []
    month = first
    while month <= last:
        result.append(
            {
                "month": month,
                "activations": activations.get(month, 0),
                "requests": filed.get(month, 0),
            }
        )
        month = _add_months(month, 1)
    return result


def _add_months(day: datetime.date, n: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def map_statuses() -> list[dict]:
    """
    Every jurisdiction with a FIPS code and its status on the map, in one
    query: removed from the plan; opt-out pending (an open case whose notice
    has gone out); activated; scheduled (or postponed); not scheduled.
    """
    pending = OptOutRequest.objects.filter(jurisdiction=OuterRef("pk"), stage__in=PENDING_STAGES)
    rows = (
        Jurisdiction.objects.exclude(fips="")
        .annotate(
            pending=Exists(pending),
            postal_code=F("state__postal_code"),
            state_name=F("state__name"),
        )
        .values(
            "id",
            "fips",
            "name",
            "postal_code",
            "state_name",
            "plan_status",
            "actual_activation",
            "pending",
        )
    )
    result = []
    for row in rows:
        row["status"] = _map_status(row)
        result.append(row)
    return result


def _map_status(row: dict) -> str:
    status = row["plan_status"]
    if status == Jurisdiction.PlanStatus.REMOVED:
        return MapStatus.REMOVED
    if row["pending"]:
        return MapStatus.PENDING
    if row["actual_activation"] or status == Jurisdiction.PlanStatus.ACTIVATED:
        return MapStatus.ACTIVATED
    if status in (Jurisdiction.PlanStatus.SCHEDULED, Jurisdiction.PlanStatus.POSTPONED):
        return MapStatus.SCHEDULED
    return MapStatus.NOT_SCHEDULED


def status_table(rows: list[dict]) -> dict:
    """Counts per state and status from the map's rows (no query)."""
    per_state: dict[tuple[str, str], Counter] = {}
    for row in rows:
        per_state.setdefault((row["state_name"], row["postal_code"]), Counter())[row["status"]] += 1
    totals = Counter()
    for counts in per_state.values():
        totals.update(counts)
    return {
        "statuses": [(s, MapStatus.LABELS[s]) for s in MapStatus.ORDER],
        "states": [
            {
                "name": name,
                "postal_code": code,
                "counts": [counts.get(s, 0) for s in MapStatus.ORDER],
            }
            for (name, code), counts in sorted(per_state.items())
        ],
        "totals": [totals.get(s, 0) for s in MapStatus.ORDER],
    }


def states() -> list[tuple[str, str]]:
    return list(State.objects.order_by("name").values_list("postal_code", "name"))


# --- followers -------------------------------------------------------------


def follower_emails_for_case(case: OptOutRequest) -> list[str]:
    """Confirmed addresses following the case, its jurisdiction or its state; each once."""
    jurisdiction = case.jurisdiction
    return sorted(
        set(
            Follow.objects.filter(confirmed_at__isnull=False)
            .filter(
                Q(case_id=case.pk)
                | Q(jurisdiction_id=jurisdiction.pk)
                | Q(state_id=jurisdiction.state_id)
            )
            .values_list("email", flat=True)
        )
    )


def followers_for_case(case: OptOutRequest) -> dict[str, Follow]:
    """
    One follow per confirmed address, the most specific (case, then
    jurisdiction, then state): its unsubscribe link goes in the email.
    """
    jurisdiction = case.jurisdiction
    follows = (
        Follow.objects.filter(confirmed_at__isnull=False)
        .filter(
            Q(case_id=case.pk)
            | Q(jurisdiction_id=jurisdiction.pk)
            | Q(state_id=jurisdiction.state_id)
        )
        .select_related("case__jurisdiction__state", "jurisdiction__state", "state")
    )

    def rank(f: Follow) -> int:
        return 0 if f.case_id else 1 if f.jurisdiction_id else 2

    result: dict[str, Follow] = {}
    for follow in sorted(follows, key=rank):
        result.setdefault(follow.email.lower(), follow)
    return result
