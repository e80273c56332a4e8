"""Periodic work of the ground floor."""

from celery import shared_task


@shared_task(name="core.tasks.outbox_sweep", soft_time_limit=50, time_limit=60)
def outbox_sweep() -> int:
    """Celery beat, every minute: send again the outbox's tasks that were lost (core.outbox)."""
    from . import outbox

    return outbox.outbox_sweep()


@shared_task(name="core.tasks.pages_warm", soft_time_limit=50, time_limit=60)
def pages_warm() -> dict:
    """After a change: the pages most visitors read first, built and kept again (core.warm)."""
    from . import warm

    return warm.warm_pages()
