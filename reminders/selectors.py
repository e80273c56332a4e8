"""
Reads for reminders: which reminders are due on a day (a fixed number of
queries however many cases there are), the bell, the lists, the case panel.
"""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from optouts.models import OPEN_STAGES, CaseEvent, OptOutRequest

from .models import Anchor, Notification, Reminder, ReminderRule, ReminderSnooze
from .schedule import latest_due, next_due


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


def _candidates(rule: ReminderRule, today: datetime.date) -> QuerySet:
    """
    Open cases that may be due for `rule` on `today`: a coarse filter in SQL on
    the anchor date (never leaving out a due case), refined in Python.
    """
    qs = OptOutRequest.objects.filter(stage__in=OPEN_STAGES)
    if rule.stage:
        qs = qs.filter(stage=rule.stage)
    shortest = min(rule.day_list)
    tomorrow = _start_of(today + datetime.timedelta(days=1))
    if rule.anchor == Anchor.STAGE_ENTERED:
        cutoff = _start_of(today - datetime.timedelta(days=shortest - 1))
        qs = qs.filter(stage_entered_at__lt=cutoff)
    elif rule.anchor == Anchor.LAST_CHANGE:
        cutoff = _start_of(today - datetime.timedelta(days=shortest - 1))
        qs = qs.annotate(last_activity=Subquery(_last_activity())).filter(
            Q(last_activity__lte=today - datetime.timedelta(days=shortest))
            | Q(last_activity__isnull=True, stage_entered_at__lt=cutoff)
        )
    elif rule.anchor == Anchor.MEETING:
        if rule.before:
            horizon = _start_of(today + datetime.timedelta(days=_reach(rule) + 1))
            qs = qs.filter(meeting_at__gte=tomorrow, meeting_at__lt=horizon)
        else:
            cutoff = _start_of(today - datetime.timedelta(days=shortest - 1))
            qs = qs.filter(meeting_at__lt=cutoff)
    else:
        qs = qs.filter(
            jurisdiction__scheduled_activation__isnull=False,
            jurisdiction__actual_activation__isnull=True,
        ).exclude(
            jurisdiction__plan_status__in=[
                Jurisdiction.PlanStatus.REMOVED,
                Jurisdiction.PlanStatus.ACTIVATED,
            ]
        )
        if rule.before:
            qs = qs.filter(
                jurisdiction__scheduled_activation__gt=today,
                jurisdiction__scheduled_activation__lte=today
                + datetime.timedelta(days=_reach(rule)),
            )
        else:
            qs = qs.filter(
                jurisdiction__scheduled_activation__lte=today - datetime.timedelta(days=shortest)
            )
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


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(*, user) -> QuerySet:
    return Notification.objects.filter(user=user).select_related(
        "reminder__rule", "reminder__case__jurisdiction__state"
    )


def needs_attention(*, user, limit: int = 10) -> list[Notification]:
    """The user's unread reminders, most urgent first, for the home page."""
    return list(
        notifications_for(user=user)
        .filter(read_at__isnull=True)
        .order_by("-reminder__rule__is_urgent", "-reminder__due_on", "-id")[:limit]
    )


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
