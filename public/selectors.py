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

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    Max,
    Q,
    QuerySet,
    TextField,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jurisdictions.models import Jurisdiction, State
from optouts import tally
from optouts.models import (
    CaseEvent,
    OptOutRequest,
    Outcome,
    Stage,
)
from optouts.status import ORDER, PENDING_STAGES, pending_exists, status_of

from .models import Follow

# Date of each step, taken from the public stage events of the timeline.
STEP_FIELDS = {
    "notice_sent_on": Stage.NOTICE_SENT,
    "meeting_requested_on": Stage.MEETING_REQUESTED,
    "meeting_scheduled_on": Stage.MEETING_SCHEDULED,
    "meeting_held_on": Stage.MEETING_HELD,
    "resolved_on": Stage.RESOLVED,
    "withdrawn_on": Stage.WITHDRAWN,
}


def listed_cases() -> QuerySet:
    """Public cases for a short list of names and dates: joined, without derived columns."""
    return OptOutRequest.objects.public().select_related("jurisdiction__state")


def public_cases() -> QuerySet:
    """Cases the public data covers, with jurisdiction and state, in one query."""
    return listed_cases().with_activated_while_pending()


def public_case_ids() -> QuerySet:
    """The public cases' keys alone, for a subquery: no joins, no annotations to carry."""
    return OptOutRequest.objects.public().values("pk")


def public_events() -> QuerySet:
    """Public timeline events of public cases, newest first."""
    return (
        CaseEvent.objects.filter(is_public=True, request__in=public_case_ids())
        .select_related("request__jurisdiction__state")
        .order_by("-occurred_on", "-recorded_at", "-id")
    )


def case_is_public(case: OptOutRequest) -> bool:
    return public_cases().filter(pk=case.pk).exists()


class UtcText(Func):
    """
    A moment as text in UTC ("2010-06-08 17:30:00.000000"), for files of
    every case: read as text, it skips the database driver's time-zone
    loader, the costliest part of reading a row. SQLite keeps moments as
    this text already.
    """

    output_field = TextField()
    template = "CAST(%(expressions)s AS text)"

    def as_postgresql(self, compiler, connection, **extra):
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
        return self.as_sql(compiler, connection, template=template, **extra)


def cases_for_export() -> QuerySet:
    """
    One row per public case with the date of each step and the days waiting,
    one query. Only the public stage events are joined (in the join's own
    condition): the rest of the timeline, ten times as many rows, is neither
    joined nor grouped. The meeting and the start of the stage also come as
    text in UTC (`meeting_at_utc`, `stage_entered_at_utc`).
    """
    cases = public_cases().annotate(
        stage_events=FilteredRelation(
            "events",
            condition=Q(events__kind=CaseEvent.Kind.STAGE, events__is_public=True),
        )
    )
    steps = {
        name: Max("stage_events__occurred_on", filter=Q(stage_events__to_stage=stage))
        for name, stage in STEP_FIELDS.items()
    }
    return cases.annotate(
        **steps,
        meeting_at_utc=UtcText("meeting_at"),
        stage_entered_at_utc=UtcText("stage_entered_at"),
    ).order_by("id")


# --- the dashboard ---------------------------------------------------------


def public_case_groups() -> list[tuple]:
    """
    Public cases counted by stage, outcome, activation while pending and
    month filed: the overview's figures and its chart's requests both come
    from these few hundred rows, kept with every change (optouts.tally),
    whatever the number of cases.
    """
    return tally.public_groups()


def filed_by_month(groups: list[tuple]) -> dict[datetime.date, int]:
    """Public cases filed each month, from public_case_groups (no query)."""
    filed: Counter = Counter()
    for *_, month, n in groups:
        filed[month] += n
    return dict(filed)


def dashboard(*, today: datetime.date | None = None, groups: list[tuple] | None = None) -> dict:
    """
    Where things stand at a glance, from public_case_groups (read here unless
    given). A fixed number of queries, whatever the size.
    """
    today = today or timezone.localdate()
    if groups is None:
        groups = public_case_groups()
    stage_rows: Counter = Counter()
    outcome_rows: Counter = Counter()
    awp_total = 0
    for stage, outcome, awp, _month, n in groups:
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
    # The overview's lists read a few columns each: their cases' other fields stay behind.
    named = ("jurisdiction__name", "jurisdiction__state__postal_code")
    waiting = list(
        listed_cases()
        .filter(stage__in=PENDING_STAGES)
        .only("stage", "stage_entered_at", *named)
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
    awp = tally.latest_activated_while_pending(
        listed_cases().only("opened_on", "jurisdiction__actual_activation", *named)
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


def activity_by_month(
    *, max_bars: int = 80, filed: dict | None = None, jurisdictions: list[tuple] | None = None
) -> list[dict]:
    """
    Jurisdictions activated and opt-out requests filed over the whole range
    of the data, in two aggregate queries: the first activations of 2008
    and a case filed this year on one axis, so no early bar drops out when a
    recent case arrives. One bar per month while the range fits in
    `max_bars` bars, else per quarter, half-year or year, so that bars stay
    wide enough to see and to point at. Empty periods in between are kept,
    so the time axis is even.

    Each row: "month" (the first day of its period), "months" (the period's
    length), "activations", "requests". `filed`, public cases filed per
    month (filed_by_month), and `jurisdictions` (jurisdiction_groups) spare
    the queries.
    """
    activations: Counter = Counter()
    for _plan_status, month, _pending, _mapped, n in (
        jurisdiction_groups() if jurisdictions is None else jurisdictions
    ):
        if month is not None:
            activations[month] += n
    if filed is None:
        filed = filed_by_month(public_case_groups())
    months = sorted(set(activations) | set(filed))
    if not months:
        return []
    first, last = months[0], months[-1]
    span = _month_index(last) - _month_index(first) + 1
    size = next((n for n in (1, 3, 6, 12) if span <= max_bars * n), 12)
    if size == 12 and span > max_bars * 12:
        size = -(-span // max_bars // 12) * 12  # whole years, still no more than max_bars bars
    # Periods start on a calendar boundary (January, April…), so they read as quarters or years.
    start = _add_months(first, -((first.month - 1) % size))
    result = []
    period = start
    while period <= last:
        result.append({"month": period, "months": size, "activations": 0, "requests": 0})
        period = _add_months(period, size)
    for counts, key in ((activations, "activations"), (filed, "requests")):
        for month, n in counts.items():
            result[(_month_index(month) - _month_index(start)) // size][key] += n
    return result


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _add_months(day: datetime.date, n: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def map_statuses() -> list[dict]:
    """
    Every jurisdiction with a FIPS code and its status (optouts.status, the
    one vocabulary of the map, the pages and the API), in one query.
    """
    rows = (
        Jurisdiction.objects.exclude(fips="")
        .annotate(
            pending=pending_exists(),
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
        status = status_of(
            plan_status=row["plan_status"],
            actual_activation=row["actual_activation"],
            pending=row["pending"],
        )
        row["status"], row["status_label"] = status.value, status.label
        result.append(row)
    return result


def jurisdiction_groups() -> list[tuple]:
    """
    The jurisdictions counted by plan status, month of activation, pending
    opt-out and whether the map shows them (a FIPS code): the overview's
    totals by status and its chart's activations both come from these few
    hundred rows, in one pass over the jurisdictions.
    """
    return list(
        Jurisdiction.objects.annotate(
            month=TruncMonth("actual_activation"),
            pending=pending_exists(),
            mapped=ExpressionWrapper(~Q(fips=""), output_field=BooleanField()),
        )
        .values_list("plan_status", "month", "pending", "mapped")
        .annotate(n=Count("id"))
        .order_by()
    )


def status_totals(jurisdictions: list[tuple] | None = None) -> dict:
    """
    The overview's figures per status (status_table's "statuses" and
    "totals") of the counties on the map, from jurisdiction_groups (read
    here unless given).
    """
    totals: Counter = Counter()
    for plan_status, month, pending, mapped, n in (
        jurisdiction_groups() if jurisdictions is None else jurisdictions
    ):
        if not mapped:
            continue
        status = status_of(plan_status=plan_status, actual_activation=month, pending=pending)
        totals[status.value] += n
    return {
        "statuses": [(s.value, s.label) for s in ORDER],
        "totals": [totals.get(s.value, 0) for s in ORDER],
    }


def status_table(rows: list[dict]) -> dict:
    """Counts per state and status from the map's rows (no query)."""
    per_state: dict[tuple[str, str], Counter] = {}
    for row in rows:
        per_state.setdefault((row["state_name"], row["postal_code"]), Counter())[row["status"]] += 1
    totals = Counter()
    for counts in per_state.values():
        totals.update(counts)
    return {
        "statuses": [(s.value, s.label) for s in ORDER],
        "states": [
            {
                "name": name,
                "postal_code": code,
                "counts": [counts.get(s.value, 0) for s in ORDER],
            }
            for (name, code), counts in sorted(per_state.items())
        ],
        "totals": [totals.get(s.value, 0) for s in ORDER],
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
