"""
Exactly once on the production stack: PostgreSQL, Redis and a real Celery
worker in its own process, killed in the middle of a sweep.
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


def test_killing_the_worker_mid_sweep_loses_none_and_doubles_none(
    celery_worker_process, people, tmp_path
):
    n = 8
    stalled(people, n)
    env = {"EMAIL_URL": f"filemail:///{tmp_path}"}
    celery_worker_process.start(extra_env={**env, "SCOMM_REMINDER_SEND_PAUSE": "0.8"})
    assert len(services.reminders_sweep()) == n
    assert wait_for(lambda: sent() >= 2)
    celery_worker_process.kill()
    done_before = sent()
    assert done_before < n  # killed in the middle

    # A new worker takes what is still queued; the task that died with the old
    # one stays unacknowledged, and the next sweep hands its row out again.
    celery_worker_process.start(extra_env=env)
    last_sweep = [0.0]

    def all_sent_while_sweeping():
        # What the beat does: sweep again now and then (a row the dead worker
        # still held locked is skipped by one sweep and taken by the next).
        if time.monotonic() - last_sweep[0] > 3:
            services.reminders_sweep(requeue_after=datetime.timedelta(0))
            last_sweep[0] = time.monotonic()
        return sent() == n

    assert wait_for(all_sent_while_sweeping)
    assert wait_for(lambda: Notification.objects.filter(emailed_at__isnull=False).count() == 2 * n)
    time.sleep(1.5)  # duplicated tasks, if any, have run by now
    assert Reminder.objects.count() == n
    assert Notification.objects.count() == 2 * n
    assert CaseEvent.objects.filter(kind="reminder").count() == n
    assert messages_in(tmp_path) == 2 * n


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
