"""
Writes for reminders.

Exactly once comes from the database. The sweep inserts one Reminder row per
case, rule and due date (a unique constraint; a conflicting insert is ignored),
then claims the unsent rows with one UPDATE that stamps a claim token, and
queues the claimed ids through the outbox (core.outbox) in the same
transaction. The send locks its row
and does nothing if the row is no longer pending, so a retried or duplicated
task sends nothing twice; a row whose task was lost (a worker killed) stays
pending and the next sweep queues it again.
"""

import datetime
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import make_msgid
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from core import faults, outbox, pagecache, peruser
from core.delivered import delivery
from optouts.models import CaseEvent, OptOutRequest
from optouts.services import event_add

from . import emails, selectors
from .models import (
    Anchor,
    Delivery,
    Notification,
    Reminder,
    ReminderPreference,
    ReminderRule,
    ReminderSnooze,
    SweepRun,
)
from .recipients import case_recipients

SNOOZE_LONGEST_DAYS = 366


def _requeue_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "REMINDERS_REQUEUE_MINUTES", 30))


def reminders_sweep(
    *,
    today: datetime.date | None = None,
    enqueue: bool = True,
    requeue_after: datetime.timedelta | None = None,
) -> list[int]:
    """
    Write every reminder due on `today` and claim every unsent one; return the
    claimed ids. With `enqueue`, each id goes to the send task after commit;
    without, the caller sends them (the remind_stalled command).

    Rows still pending whose queueing is older than `requeue_after` are claimed
    again: their task was lost, and the send is safe to repeat.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    requeue_after = _requeue_after() if requeue_after is None else requeue_after
    due = selectors.due_reminders(today=today)
    token = uuid.uuid4().hex
    with transaction.atomic():
        Reminder.objects.bulk_create(
            [
                Reminder(case_id=d.case_id, rule=d.rule, due_on=d.due_on, created_at=now)
                for d in due
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        # One UPDATE claims the rows. It skips rows another sweep (or a send)
        # holds locked, and a row another sweep queued no longer matches.
        unsent = (
            Reminder.objects.filter(selectors.unsent_reminders(stale_before=now - requeue_after))
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values("pk")
        )
        Reminder.objects.filter(pk__in=Subquery(unsent)).update(claim=token, queued_at=now)
        claimed = list(
            Reminder.objects.filter(claim=token, status=Reminder.Status.PENDING)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if enqueue and claimed:
            from .tasks import reminder_send as task

            outbox.enqueue_many(task, [(pk,) for pk in claimed])
        # In the same transaction: a sweep is recorded as run only once its rows are.
        SweepRun.objects.create(
            started_at=now,
            finished_at=timezone.now(),
            swept_for=today,
            due_count=len(due),
            queued_count=len(claimed),
        )
        transaction.on_commit(lambda: cache.delete(selectors.SWEEP_LAST_KEY))
    return claimed


def _why_not_now(reminder: Reminder, case: OptOutRequest, today: datetime.date) -> str:
    """Empty when the reminder still applies; otherwise why it is not sent."""
    rule = reminder.rule
    if not rule.is_active:
        return "The rule was turned off."
    if not case.is_open:
        return "The case is closed."
    if rule.stage and case.stage != rule.stage:
        return "The case moved to another stage."
    snoozed = selectors.snoozed_keys(today=today, case_id=case.pk)
    if (case.pk, None) in snoozed or (case.pk, rule.pk) in snoozed:
        return "Snoozed."
    return ""


@transaction.atomic
def reminder_send(*, reminder_id: int, today: datetime.date | None = None) -> Reminder:
    """
    Tell the case's people about one reminder: a notification each and a line
    on the case's internal timeline. Does nothing when the row was already sent
    or skipped, so that a retried task repeats nothing.
    """
    today = today or timezone.localdate()
    reminder = (
        Reminder.objects.select_for_update(of=("self",)).select_related("rule").get(pk=reminder_id)
    )
    if reminder.status != Reminder.Status.PENDING:
        return reminder
    # The case is locked after the reminder (never the other way round
    # elsewhere): its timeline gets a line, and its version moves on.
    case = (
        OptOutRequest.objects.select_for_update(of=("self",))
        .select_related("jurisdiction__state")
        .get(pk=reminder.case_id)
    )
    now = timezone.now()
    reason = _why_not_now(reminder, case, today)
    if reason:
        reminder.status = Reminder.Status.SKIPPED
        reminder.note = reason
        reminder.sent_at = now
        reminder.save(update_fields=["status", "note", "sent_at"])
        # The case page lists it (a sent one moves the timeline, which says so).
        pagecache.changed("cases")
        return reminder
    users = list(case_recipients(case=case))
    Notification.objects.bulk_create(
        [Notification(user=u, reminder=reminder, created_at=now) for u in users],
        ignore_conflicts=True,
    )
    notifications_changed(user_ids=[u.pk for u in users])
    reminder.status = Reminder.Status.SENT
    reminder.sent_at = now
    reminder.recipient_count = len(users)
    reminder.save(update_fields=["status", "sent_at", "recipient_count"])
    event_add(
        case=case,
        kind=CaseEvent.Kind.REMINDER,
        occurred_on=today,
        summary=f"Reminder: {reminder.rule.name} "
        f"({len(users)} {'person' if len(users) == 1 else 'people'} told).",
        is_public=False,
        reason="Reminder sent",
    )
    if reminder.rule.anchor == Anchor.ACTIVATION and case.jurisdiction.scheduled_activation:
        # The public hears of a nearing activation date too: a public line on
        # the timeline, which the case's followers are emailed about.
        days = (case.jurisdiction.scheduled_activation - reminder.due_on).days
        event_add(
            case=case,
            kind=CaseEvent.Kind.REMINDER,
            occurred_on=today,
            summary=f"{case.jurisdiction.name} is scheduled to be activated in {days} "
            f"day{'s' if days != 1 else ''}, on "
            f"{case.jurisdiction.scheduled_activation:%B %-d, %Y}, while this request is open.",
            is_public=True,
            reason="Reminder sent",
        )
    return reminder


def case_event_notify(*, event_id: int) -> int:
    """
    Tell the case's staff and counsel (not whoever caused it) of one event: a
    notification each, once (a unique row), then an email to those who want
    one at once; the digest takes the others. Safe to repeat.
    """
    event = CaseEvent.objects.select_related("request").get(pk=event_id)
    users = [u for u in case_recipients(case=event.request) if u.pk != event.actor_id]
    Notification.objects.bulk_create(
        [Notification(user=u, event=event) for u in users], ignore_conflicts=True
    )
    notifications_changed(user_ids=[u.pk for u in users])
    pending = Notification.objects.filter(event=event, emailed_at__isnull=True).select_related(
        "user__reminder_preference", "event__request__jurisdiction__state"
    )
    sent = 0
    for notification in pending.order_by("id"):
        if not notification.user.email or _delivery_of(notification.user) != Delivery.IMMEDIATE:
            continue
        sent += _claim_and_send(
            filters={"pk": notification.pk},
            build=lambda token, n=notification: emails.case_event_email(notification=n),
        )
    return len(users)


def _delivery_of(user) -> str:
    try:
        return user.reminder_preference.delivery
    except ReminderPreference.DoesNotExist:
        return Delivery.IMMEDIATE


def _claim_and_send(*, filters: dict, build) -> int:
    """
    Email the notifications matching `filters` not emailed yet, once, in
    three steps kept apart so that a task killed between two is retried:

    1. a Message-ID is kept on the rows that have none (committed first);
    2. claimed: the rows are locked in a transaction and stamped with a claim
       token (`build(token)` reads them by it);
    3. delivered: `emailed_at` is set in that transaction once the mail
       server took the email.

    A send that fails, or a worker killed in it, rolls the claim back: the
    rows are not emailed, and the retry sends them with the same Message-ID,
    so a mail server that took the first copy shows one message. A duplicate
    task waits on the lock, then finds them emailed. Returns emails sent.
    """
    ids = list(
        Notification.objects.filter(emailed_at__isnull=True, **filters).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids, email_message_id="").update(
        email_message_id=make_msgid(domain=settings.SCOMM_REPLY_DOMAIN)
    )
    sent = 0
    delivered = []  # rows whose email the mail server took, for a database lost meanwhile

    def mark():
        return Notification.objects.filter(pk__in=delivered, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )

    with delivery(mark, what="reminder notifications") as _sent, transaction.atomic():
        rows = (
            Notification.objects.select_for_update()
            .filter(pk__in=ids, emailed_at__isnull=True)
            .values_list("pk", "email_message_id")
        )
        by_message = {}
        for pk, message_id in rows:
            by_message.setdefault(message_id, []).append(pk)
        for message_id, pks in by_message.items():  # one, unless an earlier was cut short
            token = uuid.uuid4().hex
            Notification.objects.filter(pk__in=pks).update(email_claim=token)
            message = build(token)
            message.extra_headers["Message-ID"] = message_id
            faults.pause_at("email-claimed")  # the fault tests kill a worker here
            message.send()
            delivered.extend(pks)
            _sent()
            Notification.objects.filter(pk__in=pks).update(emailed_at=timezone.now())
            sent += 1
    return sent


def reminder_emails_send(*, reminder_id: int) -> int:
    """Email one reminder to each of its recipients who wants emails one by one."""
    pending = list(
        Notification.objects.filter(reminder_id=reminder_id, emailed_at__isnull=True)
        .select_related(
            "user__reminder_preference", "reminder__rule", "reminder__case__jurisdiction__state"
        )
        .order_by("id")
    )
    sent = 0
    for notification in pending:
        if not notification.user.email or _delivery_of(notification.user) != Delivery.IMMEDIATE:
            continue
        sent += _claim_and_send(
            filters={"pk": notification.pk},
            build=lambda token, n=notification: emails.reminder_email(notification=n),
        )
    return sent


def digest_send(*, user_id: int | None = None) -> int:
    """
    One email per user who chose the daily digest, with the reminders not yet
    read nor emailed. Returns the number of emails sent.
    """
    waiting = Notification.objects.filter(
        emailed_at__isnull=True,
        read_at__isnull=True,
        user__is_active=True,
        user__reminder_preference__delivery=Delivery.DIGEST,
    ).exclude(user__email="")
    if user_id is not None:
        waiting = waiting.filter(user_id=user_id)
    sent = 0
    for uid in sorted(set(waiting.values_list("user_id", flat=True))):

        def build(token, uid=uid):
            items = list(
                Notification.objects.filter(email_claim=token, user_id=uid)
                .select_related(
                    "user",
                    "reminder__rule",
                    "reminder__case__jurisdiction__state",
                    "event__request__jurisdiction__state",
                )
                .order_by("-reminder__rule__is_urgent", "reminder__due_on", "id")
            )
            return emails.digest_email(user=items[0].user, notifications=items)

        sent += _claim_and_send(filters={"user_id": uid, "read_at__isnull": True}, build=build)
    return sent


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them, or those in `ids`)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    count = qs.update(read_at=timezone.now())
    if count:
        notifications_changed(user_ids=[user.pk])
        peruser.forget(user, selectors.NOTIFICATIONS)  # the page shows the bell after this
    return count


def notifications_changed(*, user_ids) -> None:
    """These users' notifications were created or read: their kept counts are stale."""
    peruser.changed(selectors.NOTIFICATIONS, user_ids)


def preference_set(*, user, delivery: str) -> ReminderPreference:
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": "Choose how reminders reach you by email."})
    preference, _ = ReminderPreference.objects.update_or_create(
        user=user, defaults={"delivery": delivery}
    )
    peruser.changed(selectors.PREFERENCE, [user.pk])
    peruser.forget(user, selectors.PREFERENCE)
    return preference


@transaction.atomic
def snooze_create(
    *,
    case_id: int,
    user,
    until: datetime.date,
    reason: str,
    rule_id: int | None = None,
    today: datetime.date | None = None,
) -> ReminderSnooze:
    """Hold back a case's reminders (one rule, or all) until a date, saying why."""
    today = today or timezone.localdate()
    case = OptOutRequest.objects.select_for_update().get(pk=case_id)
    errors = {}
    if not case.is_open:
        raise ValidationError("A closed request has no reminders to snooze.")
    if until is None or until <= today:
        errors["until"] = "Choose a day after today."
    elif (until - today).days > SNOOZE_LONGEST_DAYS:
        errors["until"] = "A reminder is snoozed for a year at most."
    if not (reason or "").strip():
        errors["reason"] = "Say why the reminders can wait."
    rule = None
    if rule_id is not None:
        rule = ReminderRule.objects.filter(pk=rule_id, is_active=True).first()
        if rule is None:
            errors["rule"] = "Choose one of the reminders, or all of them."
    if errors:
        raise ValidationError(errors)
    snooze = ReminderSnooze(
        case=case, rule=rule, until=until, reason=reason.strip(), created_by=user
    )
    snooze.full_clean()
    snooze.save()
    # "Needs your attention" leaves a snoozed case out.
    pagecache.changed("cases")
    return snooze


@transaction.atomic
def snooze_cancel(*, snooze_id: int, user) -> ReminderSnooze:
    """End a snooze now; repeating it changes nothing."""
    snooze = ReminderSnooze.objects.select_for_update().get(pk=snooze_id)
    if snooze.cancelled_at is None:
        snooze.cancelled_at = timezone.now()
        snooze.save(update_fields=["cancelled_at"])
        pagecache.changed("cases")
    return snooze
