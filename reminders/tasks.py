"""
Reminder tasks. Each takes ids, calls its service, and handles only retries;
all are safe to repeat, so they acknowledge late (a killed worker's task is
delivered again, and the sweep re-queues what was lost).
"""

from celery import shared_task
from django.db import DatabaseError

from core import faults

from . import services

RETRY = {
    "acks_late": True,
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
    "soft_time_limit": 5 * 60,
    "time_limit": 6 * 60,
}


@shared_task(**RETRY)
def reminders_sweep() -> int:
    """The periodic sweep (Celery beat): write and queue every reminder due today."""
    return len(services.reminders_sweep())


@shared_task(**RETRY)
def reminder_send(reminder_id: int) -> str:
    """Send one reminder: notifications once, then the emails not sent yet."""
    faults.pause_at("reminder-send")  # the fault tests kill a worker here, off otherwise
    reminder = services.reminder_send(reminder_id=reminder_id)
    faults.pause_at("reminder-sent")  # after the commit, before the emails
    services.reminder_emails_send(reminder_id=reminder_id)
    return reminder.status


@shared_task(**RETRY)
def case_event_notify(event_id: int) -> int:
    """Tell the case's staff of one event (an email received): the bell, then their emails."""
    return services.case_event_notify(event_id=event_id)


@shared_task(**RETRY)
def digest_send() -> int:
    """The daily digest for everyone who chose one."""
    return services.digest_send()
