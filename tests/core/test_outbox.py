"""
The outbox (core.outbox): a task asked for by a change is written with the
change, sent after the commit, marked done when it finishes, and sent again
by the sweep when the broker lost it.
"""

import datetime
import socket
import time

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxTask
from public import services as follow_services
from public.models import Follow
from scomm.celery import app
from tests.celeryconf import celery_set
from tests.factories import OptOutRequestFactory

pytestmark = pytest.mark.django_db

TASK = "public.tasks.follow_send_confirmation"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker_down():
    """Tasks go to a broker nobody listens on, as on the production stack with Redis stopped."""
    before = celery_set(
        app, task_always_eager=False, broker_url=f"redis://127.0.0.1:{closed_port()}/3"
    )
    yield
    celery_set(app, **before)


def a_follow(email="reader@example.org") -> Follow:
    case = OptOutRequestFactory(stage="notice_sent")
    return Follow.objects.create(email=email, case=case)


def test_a_task_is_written_with_its_change_and_not_without_it(django_capture_on_commit_callbacks):
    follow = a_follow()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox.enqueue(TASK, follow.pk)
            raise RuntimeError("the change fails")
    assert not OutboxTask.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox.enqueue(TASK, follow.pk)
    row = OutboxTask.objects.get()
    assert (row.name, row.args, row.attempts) == (TASK, [follow.pk], 1)
    assert row.done_at is not None, "the finished task marks its row done"
    assert [m.to for m in mail.outbox] == [[follow.email]]


def test_a_broker_that_is_down_costs_the_writer_one_fast_failure(
    broker_down, django_capture_on_commit_callbacks, client
):
    case = OptOutRequestFactory(stage="notice_sent")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        follow = follow_services.follow_request(email="a@example.org", case_id=case.pk)
    took = time.monotonic() - started
    assert took < 1.5, f"the follow took {took:.2f} s with the broker down"
    follow.refresh_from_db()
    assert follow.confirmation_sent_at is not None, "the change committed"
    row = OutboxTask.objects.get(name=TASK)
    assert row.args == [follow.pk]
    assert row.done_at is None and row.attempts == 1
    assert "Not sent" in row.last_error
    assert mail.outbox == []


def test_the_sweep_sends_again_a_lost_task_and_not_a_done_one(broker_down):
    follow, other = a_follow(), a_follow("another@example.org")
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    lost = OutboxTask.objects.create(name=TASK, args=[follow.pk], attempts=1)
    done = OutboxTask.objects.create(name=TASK, args=[follow.pk], attempts=1, done_at=long_ago)
    recent = OutboxTask.objects.create(name=TASK, args=[follow.pk], attempts=1)
    never = OutboxTask.objects.create(name=TASK, args=[other.pk])
    OutboxTask.objects.filter(pk__in=[lost.pk, done.pk]).update(dispatched_at=long_ago)
    OutboxTask.objects.filter(pk=recent.pk).update(dispatched_at=timezone.now())
    OutboxTask.objects.filter(pk=never.pk).update(created_at=long_ago)

    assert {r.pk for r in outbox.due()} == {lost.pk, never.pk}
    # The broker is back: tasks run (here in-process, as the worker would).
    celery_set(app, task_always_eager=True)
    assert outbox.outbox_sweep() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["another@example.org", "reader@example.org"]
    for row in (lost, never):
        row.refresh_from_db()
        assert row.done_at is not None
    lost.refresh_from_db()
    assert lost.attempts == 2
    recent.refresh_from_db()
    assert recent.done_at is None and recent.attempts == 1, "sent lately: left alone"
    assert outbox.due() == []


def test_a_lost_task_waits_longer_at_each_attempt_and_its_own_time_limit_first():
    follow = a_follow()
    now = timezone.now()
    row = OutboxTask.objects.create(name=TASK, args=[follow.pk], attempts=1, dispatched_at=now)
    first = outbox._again_after(row)
    # Never started: lost in the broker, sent again after five minutes.
    assert first == outbox.AGAIN_AFTER
    row.attempts = 3
    assert outbox._again_after(row) == first * 4
    row.attempts = 20
    assert outbox._again_after(row) == outbox.LONGEST_WAIT
    row.name = "correspondence.tasks.case_export_build"  # may run 10 minutes
    row.attempts = 1
    assert outbox._again_after(row) == outbox.AGAIN_AFTER, "not started: its time limit is moot"
    row.started_at = now
    assert outbox._again_after(row) == datetime.timedelta(minutes=11), "running: not sent twice"
    row.started_at = now - datetime.timedelta(hours=1)
    assert outbox._again_after(row) == outbox.AGAIN_AFTER, "started before its last dispatch"


def test_a_task_started_by_a_worker_is_marked_so(settings):
    follow = a_follow()
    row = OutboxTask.objects.create(name=TASK, args=[follow.pk], dispatched_at=timezone.now())
    outbox._mark_started(task_id=f"outbox-{row.pk}-1")
    row.refresh_from_db()
    assert row.started_at is not None and outbox._started(row)
    # Settings shorten both waits (the fault tests' stack).
    settings.SCOMM_OUTBOX_AGAIN_AFTER_SECONDS = 5
    settings.SCOMM_OUTBOX_RUNNING_AGAIN_AFTER_SECONDS = 10
    assert outbox._again_after(row) == datetime.timedelta(seconds=10)
    row.started_at = None
    assert outbox._again_after(row) == datetime.timedelta(seconds=5)
    row.dispatched_at = timezone.now() - datetime.timedelta(seconds=6)
    row.save()
    assert [r.pk for r in outbox.due()] == [row.pk]


def test_a_task_that_fails_keeps_its_error_and_stays_not_done(
    monkeypatch, django_capture_on_commit_callbacks
):
    follow = a_follow()

    def broken(*args, **kwargs):
        raise ValueError("template missing")

    monkeypatch.setattr(follow_services, "follow_send_confirmation", broken)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(TASK, follow.pk)
    row = OutboxTask.objects.get()
    assert row.done_at is None
    assert "template missing" in row.last_error


def test_done_rows_are_forgotten_after_a_week():
    old = timezone.now() - outbox.KEEP_DONE - datetime.timedelta(hours=1)
    OutboxTask.objects.create(name=TASK, args=[1], done_at=old)
    kept = OutboxTask.objects.create(name=TASK, args=[1], done_at=timezone.now())
    outbox.outbox_sweep()
    assert list(OutboxTask.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_sweep_runs_every_minute_on_beat(settings):
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.tasks.outbox_sweep"
    )
    assert entry["schedule"] == datetime.timedelta(seconds=60)
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 0) <= 15 * 60 or (
        settings.SCOMM_EMBEDDED_WORKER
    )


def test_a_row_done_or_sent_by_another_sweep_meanwhile_is_not_sent_again(broker_down):
    follow = a_follow()
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    lost = OutboxTask.objects.create(name=TASK, args=[follow.pk], attempts=1)
    OutboxTask.objects.filter(pk=lost.pk).update(dispatched_at=long_ago)
    [row] = outbox.due()
    # Between the sweep's read and its send, the task finished after all.
    OutboxTask.objects.filter(pk=lost.pk).update(done_at=timezone.now())
    celery_set(app, task_always_eager=True)
    assert outbox.dispatch([row], again_before=timezone.now()) == 0
    assert mail.outbox == []
    # Or another sweep sent it a moment ago.
    OutboxTask.objects.filter(pk=lost.pk).update(done_at=None, dispatched_at=timezone.now())
    assert outbox.dispatch([row], again_before=timezone.now() - outbox.again_after()) == 0
    assert OutboxTask.objects.get(pk=lost.pk).attempts == 1


def test_a_confirmation_is_emailed_once_however_often_its_task_runs(broker_down):
    follow = a_follow()
    Follow.objects.filter(pk=follow.pk).update(confirmation_message_id="<kept@example.org>")
    assert follow_services.follow_send_confirmation(follow_id=follow.pk) is True
    assert follow_services.follow_send_confirmation(follow_id=follow.pk) is False
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == "<kept@example.org>"
    follow.refresh_from_db()
    assert follow.confirmation_emailed_at is not None


def test_a_database_gone_right_after_the_commit_leaves_the_change_and_its_row(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from django.db import OperationalError

    def gone(rows, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(outbox, "dispatch", gone)
    case = OptOutRequestFactory(stage="notice_sent")
    with django_capture_on_commit_callbacks(execute=True):
        follow = follow_services.follow_request(email="a@example.org", case_id=case.pk)
    row = OutboxTask.objects.get(name=TASK)
    assert row.args == [follow.pk] and row.dispatched_at is None, "left to the sweep"
    assert "terminating connection" in caplog.text
