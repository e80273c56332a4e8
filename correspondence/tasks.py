"""Background work of the correspondence app: case exports, too long for a request."""

from celery import shared_task


@shared_task(
    name="correspondence.tasks.case_export_build",
    acks_late=True,
    soft_time_limit=9 * 60,
    time_limit=10 * 60,
)
def case_export_build(export_id: str) -> str:
    """
    Build one case export. Idempotent (a finished export returns at once, a
    re-run rebuilds the file), so it is acknowledged only once done.
    """
    from .exports import case_export_build as build

    return build(export_id=export_id).status


@shared_task(name="correspondence.tasks.exports_expire")
def exports_expire() -> int:
    """Daily: delete case exports older than SCOMM_EXPORT_KEEP_DAYS, and their files."""
    from .exports import exports_expire as expire

    return expire()
