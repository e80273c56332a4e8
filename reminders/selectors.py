"""
Reads for reminders: which reminders are due on a day (a fixed number of
queries however many cases there are), the bell, the lists, the case panel.
"""

import datetime
import functools
import operator
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core import peruser
from jurisdictions.models import Jurisdiction, Membership
from optouts.models import OPEN_STAGES, CaseEvent, OptOutRequest

from .models import Anchor, Notification, Reminder, ReminderRule, ReminderSnooze, SweepRun
from .schedule import latest_due, next_due, shift

# The sweep runs hourly: a day without one means no worker, no beat and no cron.
SWEEP_LATE_AFTER = datetime.timedelta(days=1)


@dataclass(frozen=True)
class DueReminder:
    case_id: int
    rule: ReminderRule
    due_on: datetime.date


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _local_date(value) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def active_rules() -> list[ReminderRule]:
    return list(ReminderRule.objects.filter(is_active=True))


def snoozed_keys(
    *, today: datetime.date, case_id: int | None = None
) -> set[tuple[int, int | None]]:
    """(case id, rule id or None for every rule) of the snoozes still running on `today`."""
    qs = ReminderSnooze.objects.filter(until__gt=today, cancelled_at__isnull=True)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return set(qs.values_list("case_id", "rule_id"))


def _reach(rule: ReminderRule) -> int:
    """Calendar days that `rule.days` can span (business days stretch over weekends)."""
    longest = max(rule.day_list)
    return longest * 2 + 14 if rule.business_days else longest


_NOT_TO_BE_ACTIVATED = [Jurisdiction.PlanStatus.REMOVED, Jurisdiction.PlanStatus.ACTIVATED]


def _condition(rule: ReminderRule, today: datetime.date) -> Q:
    """
    A coarse condition in SQL for an open case that may be due for `rule` on
    `today`, on the anchor date: it never leaves out a due case, and Python
    refines it (business days, repeats). A LAST_CHANGE rule needs the case
    annotated with `last_activity`.
    """
    q = Q(stage__in=OPEN_STAGES)
    if rule.stage:
        q &= Q(stage=rule.stage)
    shortest = min(rule.day_list)
    tomorrow = _start_of(today + datetime.timedelta(days=1))
    cutoff = _start_of(today - datetime.timedelta(days=shortest - 1))
    if rule.anchor == Anchor.STAGE_ENTERED:
        return q & Q(stage_entered_at__lt=cutoff)
    if rule.anchor == Anchor.LAST_CHANGE:
        return q & (
            Q(last_activity__lte=today - datetime.timedelta(days=shortest))
            | Q(last_activity__isnull=True, stage_entered_at__lt=cutoff)
        )
    if rule.anchor == Anchor.MEETING:
        if rule.before:
            horizon = _start_of(today + datetime.timedelta(days=_reach(rule) + 1))
            return q & Q(meeting_at__gte=tomorrow, meeting_at__lt=horizon)
        return q & Q(meeting_at__lt=cutoff)
    q &= Q(
        jurisdiction__scheduled_activation__isnull=False,
        jurisdiction__actual_activation__isnull=True,
    ) & ~Q(jurisdiction__plan_status__in=_NOT_TO_BE_ACTIVATED)
    if rule.before:
        return q & Q(
            jurisdiction__scheduled_activation__gt=today,
            jurisdiction__scheduled_activation__lte=today + datetime.timedelta(days=_reach(rule)),
        )
    return q & Q(jurisdiction__scheduled_activation__lte=today - datetime.timedelta(days=shortest))


def _candidates(rule: ReminderRule, today: datetime.date) -> QuerySet:
    """Open cases that may be due for `rule` on `today`, with their latest reminder's date."""
    qs = OptOutRequest.objects.all()
    if rule.anchor == Anchor.LAST_CHANGE:
        qs = qs.annotate(last_activity=Subquery(_last_activity()))
    qs = qs.filter(_condition(rule, today))
    last_due = Reminder.objects.filter(case=OuterRef("pk"), rule=rule).order_by("-due_on")
    # In id order, so that concurrent sweeps insert in the same order (no deadlock).
    return qs.annotate(last_due=Subquery(last_due.values("due_on")[:1])).order_by("pk")


def _last_activity():
    """The date of a case's latest timeline entry, reminders aside: when it was last touched."""
    return (
        CaseEvent.objects.filter(request=OuterRef("pk"))
        .exclude(kind=CaseEvent.Kind.REMINDER)
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )


def _anchor_of(rule: ReminderRule, row: dict) -> datetime.date | None:
    return _local_date(
        {
            Anchor.STAGE_ENTERED: row["stage_entered_at"],
            Anchor.LAST_CHANGE: row.get("last_activity") or row["stage_entered_at"],
            Anchor.MEETING: row["meeting_at"],
            Anchor.ACTIVATION: row["jurisdiction__scheduled_activation"],
        }[rule.anchor]
    )


def _timing(rule: ReminderRule) -> dict:
    """A rule's days, as latest_due and next_due take them."""
    return {
        "days": rule.day_list,
        "before": rule.before,
        "business": rule.business_days,
        "repeat_every": rule.repeat_every,
    }


def due_reminders(*, today: datetime.date) -> list[DueReminder]:
    """
    Every reminder due on `today` and not yet written: for each case and rule
    only the latest due date (a sweep that missed days catches up without a
    flood), none for a snoozed case. Two queries plus one per active rule.
    """
    rules = active_rules()
    snoozed = snoozed_keys(today=today)
    due = []
    for rule in rules:
        fields = ["last_activity"] if rule.anchor == Anchor.LAST_CHANGE else []
        rows = _candidates(rule, today).values(
            *fields,
            "pk",
            "stage_entered_at",
            "meeting_at",
            "jurisdiction__scheduled_activation",
            "last_due",
        )
        for row in rows.iterator(chunk_size=5000):
            case_id = row["pk"]
            if (case_id, None) in snoozed or (case_id, rule.pk) in snoozed:
                continue
            anchor = _anchor_of(rule, row)
            if anchor is None:
                continue
            due_on = latest_due(anchor=anchor, today=today, **_timing(rule))
            if due_on is None or (row["last_due"] and row["last_due"] >= due_on):
                continue
            due.append(DueReminder(case_id=case_id, rule=rule, due_on=due_on))
    return due


# The bell's count and the length of the reminders list, kept per user until
# a notification of theirs is created or read (services.notifications_changed);
# the limit bounds a change made around the services.
NOTIFICATIONS = "notifications"
NOTIFICATIONS_SECONDS = 3600


def notification_counts(*, user) -> tuple[int, int]:
    """(unread, all) of the user's notifications: one round trip to the cache, no query."""

    def count() -> tuple[int, int]:
        found = Notification.objects.filter(user=user).aggregate(
            unread=Count("id", filter=Q(read_at__isnull=True)), total=Count("id")
        )
        return found["unread"], found["total"]

    return peruser.kept(user, NOTIFICATIONS, count, seconds=NOTIFICATIONS_SECONDS)


def unread_count(*, user) -> int:
    """The bell on every signed-in page."""
    return notification_counts(user=user)[0]


# How reminders reach the user by email, kept per user until they choose
# again (services.preference_set, or the admin).
PREFERENCE = "reminder-preference"


def delivery_preference(*, user) -> str:
    """The user's choice of email delivery ("immediate" unless they chose): no query once kept."""
    from .models import Delivery, ReminderPreference

    def read() -> str:
        chosen = ReminderPreference.objects.filter(user=user).values_list("delivery", flat=True)
        return chosen.first() or Delivery.IMMEDIATE

    return peruser.kept(user, PREFERENCE, read, seconds=NOTIFICATIONS_SECONDS)


def notifications_for(*, user) -> QuerySet:
    return Notification.objects.filter(user=user).select_related(
        "reminder__rule",
        "reminder__case__jurisdiction__state",
        "event__request__jurisdiction__state",
    )


@dataclass(frozen=True)
class Condition:
    """One rule a case meets today, and since when (for a date ahead: the date)."""

    rule: ReminderRule
    since: datetime.date
    on: datetime.date | None = None


@dataclass(frozen=True)
class Attention:
    case: OptOutRequest
    conditions: list[Condition]

    @property
    def is_urgent(self) -> bool:
        return any(c.rule.is_urgent for c in self.conditions)


def _attention_scope(user) -> Q:
    """The cases whose reminders `user` gets: their jurisdictions' (staff, counsel); admins all."""
    if user.is_superuser:
        return Q()
    roles = [Membership.Role.STAFF, Membership.Role.COUNSEL]
    mine = Membership.objects.filter(user=user, role__in=roles).values("jurisdiction_id")
    return Q(jurisdiction_id__in=mine)


def _conditions_met(
    row: dict, rules: list[ReminderRule], today: datetime.date, snoozed: set
) -> list[Condition]:
    """The rules `row` meets on `today`, as the sweep sees them, most urgent first."""
    if row["jurisdiction__actual_activation"] or (
        row["jurisdiction__plan_status"] in _NOT_TO_BE_ACTIVATED
    ):
        row = {**row, "jurisdiction__scheduled_activation": None}
    met = []
    for rule in rules:
        if rule.stage and rule.stage != row["stage"]:
            continue
        if (row["pk"], None) in snoozed or (row["pk"], rule.pk) in snoozed:
            continue
        anchor = _anchor_of(rule, row)
        if anchor is None:
            continue
        timing = _timing(rule)
        if latest_due(anchor=anchor, today=today, **timing) is None:
            continue
        first = max(timing["days"]) if rule.before else min(timing["days"])
        since = shift(anchor, first, business=rule.business_days, before=rule.before)
        met.append(Condition(rule=rule, since=since, on=anchor if rule.before else None))
    return met


def needs_attention(*, user, today: datetime.date | None = None, limit: int = 10) -> dict:
    """
    The user's cases that are stuck today by the reminder rules (a draft
    untouched, no meeting after the notice, a meeting not scheduled or not
    recorded, no resolution, an activation date near), most urgent then
    longest stuck first: `items` (at most `limit`) and `more` (the rest).

    From the cases' state, not from unread reminders: reading a reminder does
    not unstick a case, and a case is listed before its first reminder goes
    out. A snoozed case is left out while its snooze runs, as its reminders
    are. Four queries however many cases and rules there are.
    """
    today = today or timezone.localdate()
    rules = active_rules()
    if not rules:
        return {"items": [], "more": 0}
    snoozed = snoozed_keys(today=today)
    anywhere = functools.reduce(operator.or_, (_condition(rule, today) for rule in rules))
    rows = (
        OptOutRequest.objects.filter(_attention_scope(user))
        .annotate(last_activity=Subquery(_last_activity()))
        .filter(anywhere)
        .values(
            "pk",
            "stage",
            "stage_entered_at",
            "last_activity",
            "meeting_at",
            "jurisdiction__scheduled_activation",
            "jurisdiction__actual_activation",
            "jurisdiction__plan_status",
        )
    )
    stuck = []
    for row in rows.iterator(chunk_size=5000):
        met = _conditions_met(row, rules, today, snoozed)
        if met:
            met.sort(key=lambda c: (not c.rule.is_urgent, c.since))
            stuck.append((row["pk"], met))
    stuck.sort(key=lambda item: (not item[1][0].rule.is_urgent, item[1][0].since, item[0]))
    shown = stuck[:limit]
    cases = OptOutRequest.objects.select_related("jurisdiction__state").in_bulk(
        [pk for pk, _ in shown]
    )
    return {
        "items": [Attention(case=cases[pk], conditions=met) for pk, met in shown if pk in cases],
        "more": len(stuck) - len(shown),
    }


SWEEP_LAST_KEY = "scomm:reminders:sweep-last"


def sweep_last() -> SweepRun | None:
    """
    The latest completed reminders sweep, on any stack (worker, beat or cron).
    Read from the cache between sweeps: every signed-in overview asks, and a
    new sweep forgets the kept answer (reminders.services.reminders_sweep).
    """
    found = cache.get(SWEEP_LAST_KEY)
    if found is None:
        found = SweepRun.objects.order_by("-finished_at", "-id").first() or False
        cache.set(SWEEP_LAST_KEY, found, timeout=None)
    return found or None


def sweep_overdue(*, now: datetime.datetime | None = None) -> dict:
    """
    Whether the reminders sweep has not run for a day (or never): then nothing
    reminds anyone, and the overview says so to those who rely on it.
    """
    now = now or timezone.now()
    last = sweep_last()
    late = last is None or last.finished_at < now - SWEEP_LATE_AFTER
    return {"late": late, "last": last}


@dataclass(frozen=True)
class Upcoming:
    rule: ReminderRule
    due_on: datetime.date
    snoozed_until: datetime.date | None


def case_panel(*, case: OptOutRequest, today: datetime.date) -> dict:
    """What the case page shows about reminders: what comes next, what went, the snoozes."""
    rules = active_rules()
    snoozes = list(
        ReminderSnooze.objects.filter(case=case, cancelled_at__isnull=True, until__gt=today)
        .select_related("rule", "created_by")
        .order_by("until")
    )
    sent = list(
        Reminder.objects.filter(case=case)
        .exclude(status=Reminder.Status.PENDING)
        .select_related("rule")
        .order_by("-due_on", "-id")[:10]
    )
    snooze_until = {}
    for s in snoozes:
        snooze_until[s.rule_id] = max(s.until, snooze_until.get(s.rule_id, s.until))
    row = {
        "stage_entered_at": case.stage_entered_at,
        "last_activity": (
            case.events.exclude(kind=CaseEvent.Kind.REMINDER)
            .order_by("-occurred_on")
            .values_list("occurred_on", flat=True)
            .first()
        ),
        "meeting_at": case.meeting_at,
        "jurisdiction__scheduled_activation": (
            None
            if case.jurisdiction.actual_activation
            or case.jurisdiction.plan_status
            in (Jurisdiction.PlanStatus.REMOVED, Jurisdiction.PlanStatus.ACTIVATED)
            else case.jurisdiction.scheduled_activation
        ),
    }
    upcoming = []
    if case.is_open:
        for rule in rules:
            if rule.stage and rule.stage != case.stage:
                continue
            anchor = _anchor_of(rule, row)
            if anchor is None:
                continue
            due_on = next_due(anchor=anchor, today=today, **_timing(rule))
            if due_on is None:
                continue
            until = max(
                [u for u in (snooze_until.get(None), snooze_until.get(rule.pk)) if u],
                default=None,
            )
            upcoming.append(Upcoming(rule=rule, due_on=due_on, snoozed_until=until))
        upcoming.sort(key=lambda u: u.due_on)
    return {"rules": rules, "snoozes": snoozes, "sent": sent, "upcoming": upcoming}


def unsent_reminders(*, stale_before: datetime.datetime) -> Q:
    """Reminders waiting to be sent that no sweep queued, or whose queueing is stale."""
    return Q(status=Reminder.Status.PENDING) & (
        Q(queued_at__isnull=True) | Q(queued_at__lt=stale_before)
    )
