"""Background work of the cases: the daily recount of the overview's counts."""

from celery import shared_task


@shared_task(name="optouts.tasks.counts_rebuild")
def counts_rebuild() -> int:
    """Count every case afresh (optouts.tally); returns the kinds found out of step."""
    from .tally import rebuild

    return rebuild()
