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


@shared_task(
    name="correspondence.tasks.outgoing_mail_send",
    bind=True,
    acks_late=True,
    max_retries=8,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
)
def outgoing_mail_send(self, outgoing_id: int) -> str:
    """
    Send one letter by email. Safe to repeat (the ledger row is locked and
    checked; a resend reuses its Message-ID), so it is acknowledged only once
    done. A mail server that is down is tried again with backoff and jitter;
    when the tries run out, the email and the case's copy are marked failed.
    """
    import random
    import smtplib

    from .mail import outbound

    try:
        return outbound.outgoing_mail_send(outgoing_id=outgoing_id).status
    except (smtplib.SMTPException, OSError) as exc:
        outbound.outgoing_mail_note_error(outgoing_id=outgoing_id, error=str(exc))
        if self.request.retries >= self.max_retries:
            reason = f"It could not be handed to the mail server: {exc}"
            return outbound.outgoing_mail_fail(outgoing_id=outgoing_id, reason=reason).status
        # Jitter spreads the retries out; it guards no secret. At most ten
        # minutes, under the broker's visibility timeout (settings).
        countdown = min(60 * 2**self.request.retries, 600) * random.uniform(0.5, 1.0)  # nosec B311
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="correspondence.tasks.mail_fetch", soft_time_limit=4 * 60, time_limit=5 * 60)
def mail_fetch() -> int:
    """Celery beat: store the new messages of the replies' IMAP mailbox (SCOMM_IMAP_URL)."""
    from .mail.imap import mail_fetch as fetch

    return fetch()
