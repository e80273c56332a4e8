"""
Exactly once with PostgreSQL, Redis and a real prefork Celery worker in its
own process: a sweep's reminders are sent once, a second sweep sends
nothing, and concurrent sweeps and sends claim each reminder once. A worker
killed at each step of the send (before the ledger row, after the commit, in
the middle of the mail) is tests/scomm/test_faults_worker.py, on a production
stack of its own.
"""

import datetime
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from optouts.models import CaseEvent, Stage
from reminders import services
from reminders.models import Notification, Reminder

from .conftest import make_case

pytestmark = pytest.mark.services

days = datetime.timedelta


def stalled(people, n):
    today = datetime.date.today()
    return [
        make_case(
            stage=Stage.DRAFT, entered=today - days(8 + i), jurisdiction=people["jurisdiction"]
        )
        for i in range(n)
    ]


def wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def sent():
    return Reminder.objects.filter(status="sent").count()


def messages_in(folder: Path) -> int:
    return sum(p.read_text().count("\nMessage-ID: ") for p in folder.glob("*.log"))


def test_a_real_worker_sends_each_due_reminder_once(celery_worker_process, people, tmp_path):
    stalled(people, 5)
    celery_worker_process.start(extra_env={"EMAIL_URL": f"filemail:///{tmp_path}"})
    assert len(services.reminders_sweep()) == 5
    assert wait_for(lambda: Notification.objects.filter(emailed_at__isnull=False).count() == 10)
    assert sent() == 5
    assert messages_in(tmp_path) == 10

    assert services.reminders_sweep() == []
    time.sleep(1.5)
    assert sent() == 5 and Notification.objects.count() == 10
    assert messages_in(tmp_path) == 10


def _in_threads(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_two_sweeps_at_once_claim_each_reminder_once(require_postgres, transactional_db, people):
    stalled(people, 150)
    results = _in_threads(3, lambda: services.reminders_sweep(enqueue=False))
    claimed = [pk for ids in results for pk in ids]
    assert len(claimed) == len(set(claimed)) == 150
    assert Reminder.objects.count() == 150


def test_two_sends_of_one_reminder_at_once_tell_everyone_once(
    require_postgres, transactional_db, people
):
    stalled(people, 1)
    [pk] = services.reminders_sweep(enqueue=False)
    _in_threads(4, lambda: services.reminder_send(reminder_id=pk))
    assert Notification.objects.filter(reminder_id=pk).count() == 2
    assert CaseEvent.objects.filter(kind="reminder").count() == 1
