"""
The outbox: everything that must happen after a commit (an email to
followers, a reminder's send, a case file to build, a letter to email, a
schedule to check) is done at least once, whatever the broker or a worker
does meanwhile.

How it works, in four steps:

1. `enqueue(task, *args)` writes an OutboxTask row (the task's name and its
   JSON arguments) in the caller's transaction: the row exists if and only
   if the change committed. Outside a transaction it commits at once.
2. After the commit, the row is handed to the broker (`dispatch`), best
   effort: `dispatched_at` and `attempts` are written first, then the task
   is sent with the id `outbox-<row id>-<attempt>`. A broker that is down
   costs one fast failure (no publish retries; the broker's connect timeout
   is short, and after one failure the other rows of the same commit are
   left to the sweep): it is logged and kept in `last_error`, never raised
   to the user, and the change stays committed.
3. When the task finishes without an error, in whichever process ran it,
   Celery's task_success signal marks the row done (`done_at`): the task
   itself knows nothing of the outbox. A task that fails for good keeps its
   error in `last_error`.
4. `outbox_sweep` (core.tasks, Celery beat every minute; the embedded
   worker runs the same schedule) sends again every row not done some time
   after its last dispatch. A worker marks a row `started_at` when it begins
   the task. A row dispatched and never started (lost in a broker that
   restarted empty) is sent again after `again_after()`
   (SCOMM_OUTBOX_AGAIN_AFTER_SECONDS, 5 minutes); one started and not done
   (its worker died) after the task's own time limit plus a minute, so that
   a task still running is not sent twice (or after
   SCOMM_OUTBOX_RUNNING_AGAIN_AFTER_SECONDS where that is set). Each wait
   doubles at each attempt up to LONGEST_WAIT, and the sweep stops after
   MAX_ATTEMPTS. A row never dispatched (the process died between the
   commit and the send) is sent once it is GRACE old (or the shorter wait
   above: each row is claimed before it is sent, so the sweep and the
   commit's own dispatch never both send it). Done rows are deleted
   after KEEP_DONE.

So a task may run twice (a lost acknowledgement, a sweep that overtakes a
slow queue): every task queued through here must be safe to repeat, each
checking its own row first (a reminder's status, one FollowNotice per
address and event, an email's Message-ID kept before it is sent).

Nothing is kept in Redis that is not also in the database: a Redis that
restarts empty loses no task, only the time until the next sweep.
"""

import datetime
import importlib
import logging
import time
from collections.abc import Iterable, Sequence

from celery import current_app
from celery.signals import task_failure, task_prerun, task_success
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

PREFIX = "outbox-"
GRACE = datetime.timedelta(minutes=1)
AGAIN_AFTER = datetime.timedelta(minutes=5)
LONGEST_WAIT = datetime.timedelta(hours=1)
MAX_ATTEMPTS = 12
KEEP_DONE = datetime.timedelta(days=7)
SWEEP_BATCH = 2000
# One try to reach the broker, no publish retries: a broker that is down costs
# a request one refused connection, or a second when it does not answer.
FAIL_FAST = {"max_retries": 0, "socket_connect_timeout": 1}


def _name(task) -> str:
    return task if isinstance(task, str) else task.name


def _task(name: str):
    """The registered Celery task called `name`, its module imported if this process has not yet."""
    tasks = current_app.tasks
    if name not in tasks:
        importlib.import_module(name.rsplit(".", 1)[0])
    return tasks[name]


def enqueue(task, *args):
    """Do `task(*args)` after the caller's transaction commits, at least once (see above)."""
    return enqueue_many(task, [args])[0]


def enqueue_many(task, calls: Iterable[Sequence]) -> list:
    """`enqueue` for many calls of one task (a sweep's hundreds of reminders), in one insert."""
    from .models import OutboxTask

    name = _name(task)
    rows = [OutboxTask(name=name, args=list(args)) for args in calls]
    if not rows:
        return []
    rows = OutboxTask.objects.bulk_create(rows, batch_size=500)
    if any(row.pk is None for row in rows):  # a database that returns no ids
        raise RuntimeError("The outbox needs a database that returns the ids of new rows.")
    # Robust: the change is committed whatever happens to its dispatch (a
    # database gone the moment after the commit): the sweep sends it then.
    transaction.on_commit(lambda: dispatch(rows), robust=True)
    return rows


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def dispatch(rows: Sequence, *, again_before: datetime.datetime | None = None) -> int:
    """
    Hand `rows` to the broker now; returns how many were sent. A broker
    failure is logged and kept on the row, and the rest are left to the
    sweep. Where tasks run in-process (no broker), a task's error is logged
    and kept on the row as a worker's would be, never raised to the writer.
    Only rows not done and not dispatched (or, for the sweep, dispatched
    before `again_before`) are sent.
    """
    from .models import OutboxTask

    if not rows:
        return 0
    now = timezone.now()
    # Claimed first: a row done meanwhile, or sent by a sweep running beside
    # this one, is not sent again.
    with transaction.atomic():
        waiting = OutboxTask.objects.select_for_update(skip_locked=True).filter(
            pk__in=[r.pk for r in rows], done_at__isnull=True
        )
        if again_before is None:
            waiting = waiting.filter(dispatched_at__isnull=True)
        else:
            waiting = waiting.filter(
                Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=again_before)
            )
        claimed = set(waiting.values_list("pk", flat=True))
        if claimed:
            OutboxTask.objects.filter(pk__in=claimed).update(
                dispatched_at=now, attempts=F("attempts") + 1
            )
    rows = [row for row in rows if row.pk in claimed]
    if not rows:
        return 0
    if _eager():
        for row in rows:
            row.attempts, row.dispatched_at = row.attempts + 1, now
            try:
                _task(row.name).apply_async(
                    args=row.args, task_id=f"{PREFIX}{row.pk}-{row.attempts}"
                )
            except Exception as exc:  # noqa: BLE001 - as in a worker: the change stays committed
                logger.exception("Outbox: %s #%d failed in-process", row.name, row.pk)
                OutboxTask.objects.filter(pk=row.pk).update(last_error=repr(exc)[:2000])
        return len(rows)
    sent = 0
    started = time.monotonic()
    try:
        with current_app.connection_for_write(transport_options=FAIL_FAST) as connection:
            for row in rows:
                row.attempts, row.dispatched_at = row.attempts + 1, now
                _task(row.name).apply_async(
                    args=row.args,
                    task_id=f"{PREFIX}{row.pk}-{row.attempts}",
                    connection=connection,
                    retry=False,
                    ignore_result=True,
                )
                sent += 1
    except Exception as exc:  # noqa: BLE001 - the broker's failure is never the user's
        left = [r.pk for r in rows[sent:]]
        logger.warning(
            "Outbox: broker unavailable after %.2f s, %d task(s) left to the sweep "
            "(first %s #%d): %r",
            time.monotonic() - started,
            len(left),
            rows[sent].name,
            rows[sent].pk,
            exc,
        )
        OutboxTask.objects.filter(pk__in=left).update(last_error=f"Not sent: {exc!r}"[:2000])
    return sent


def again_after() -> datetime.timedelta:
    """How long a task handed to the broker may wait to be started before it is sent again."""
    seconds = getattr(settings, "SCOMM_OUTBOX_AGAIN_AFTER_SECONDS", None)
    return AGAIN_AFTER if seconds is None else datetime.timedelta(seconds=seconds)


def _soonest() -> datetime.timedelta:
    """The shortest wait after a dispatch before a row may be sent again."""
    running = getattr(settings, "SCOMM_OUTBOX_RUNNING_AGAIN_AFTER_SECONDS", None)
    if running is None:
        return again_after()
    return min(again_after(), datetime.timedelta(seconds=running))


def _started(row) -> bool:
    """Begun by a worker since its last dispatch."""
    return bool(
        row.started_at and (row.dispatched_at is None or row.started_at >= row.dispatched_at)
    )


def _again_after(row) -> datetime.timedelta:
    """How long after its last dispatch a row not done is sent again."""
    base = again_after()
    if _started(row):
        running = getattr(settings, "SCOMM_OUTBOX_RUNNING_AGAIN_AFTER_SECONDS", None)
        if running is not None:
            base = datetime.timedelta(seconds=running)
        else:
            try:
                task = _task(row.name)
                limit = task.time_limit or current_app.conf.task_time_limit or 0
            except (ImportError, KeyError):
                limit = 0
            base = max(base, datetime.timedelta(seconds=limit + 60))
    return min(base * 2 ** max(row.attempts - 1, 0), max(base, LONGEST_WAIT))


def due(*, now: datetime.datetime | None = None) -> list:
    """The rows not done that the sweep sends again now."""
    from .models import OutboxTask

    now = now or timezone.now()
    soonest = _soonest()
    waiting = (
        OutboxTask.objects.filter(done_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(
            Q(dispatched_at__isnull=True, created_at__lt=now - min(GRACE, soonest))
            | Q(dispatched_at__lt=now - soonest)
        )
        .order_by("dispatched_at", "id")[:SWEEP_BATCH]
    )
    return [
        row
        for row in waiting
        if row.dispatched_at is None or row.dispatched_at <= now - _again_after(row)
    ]


def outbox_sweep(*, now: datetime.datetime | None = None) -> int:
    """
    Send again every row whose task was lost (see the module's docstring),
    and forget the rows done long ago. Returns how many were sent.
    """
    from .models import OutboxTask

    now = now or timezone.now()
    OutboxTask.objects.filter(done_at__lt=now - KEEP_DONE).delete()
    rows = due(now=now)
    if rows:
        logger.info("Outbox: sending again %d task(s) not done", len(rows))
    given_up = OutboxTask.objects.filter(
        done_at__isnull=True, attempts=MAX_ATTEMPTS, dispatched_at__lt=now - LONGEST_WAIT
    )
    for row in given_up[:10]:
        logger.error(
            "Outbox: %s #%d not done after %d attempts: %s",
            row.name,
            row.pk,
            row.attempts,
            row.last_error,
        )
    return dispatch(rows, again_before=now - _soonest())


def row_id(task_id: str | None) -> int | None:
    """The outbox row a Celery task id names, or None for a task not sent through here."""
    if not task_id or not task_id.startswith(PREFIX):
        return None
    try:
        return int(task_id[len(PREFIX) :].split("-", 1)[0])
    except ValueError:
        return None


@task_prerun.connect(dispatch_uid="core.outbox.started")
def _mark_started(sender=None, task_id=None, **kwargs) -> None:
    from .models import OutboxTask

    pk = row_id(task_id)
    if pk is not None:
        try:
            OutboxTask.objects.filter(pk=pk, done_at__isnull=True).update(started_at=timezone.now())
        except Exception:  # noqa: BLE001 - the task runs all the same; the sweep waits longer
            logger.exception("Outbox: the start of %s could not be kept", task_id)


@task_success.connect(dispatch_uid="core.outbox.done")
def _mark_done(sender=None, **kwargs) -> None:
    from .models import OutboxTask

    pk = row_id(getattr(getattr(sender, "request", None), "id", None))
    if pk is not None:
        OutboxTask.objects.filter(pk=pk, done_at__isnull=True).update(
            done_at=timezone.now(), last_error=""
        )


@task_failure.connect(dispatch_uid="core.outbox.failed")
def _keep_error(sender=None, task_id=None, exception=None, **kwargs) -> None:
    from .models import OutboxTask

    pk = row_id(task_id)
    if pk is not None:
        try:
            OutboxTask.objects.filter(pk=pk, done_at__isnull=True).update(
                last_error=repr(exception)[:2000]
            )
        except Exception:  # noqa: BLE001 - the database may be what failed
            logger.exception("Outbox: the error of %s could not be kept", task_id)


def waiting_count() -> int:
    """Rows not done yet: for /readyz and the admin."""
    from .models import OutboxTask

    return OutboxTask.objects.filter(done_at__isnull=True).count()
