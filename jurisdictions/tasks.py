"""Background work of the directory: checking an uploaded deployment schedule."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=10 * 60, soft_time_limit=9 * 60)
def schedule_check(version_id: int) -> None:
    """Check an uploaded schedule and store its preview; safe to run twice."""
    from .schedules.services import schedule_check_run

    schedule_check_run(version_id=version_id)
