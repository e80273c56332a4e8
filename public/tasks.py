"""Emails to followers, sent by the worker after the write that caused them commits."""

from celery import shared_task


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
    soft_time_limit=100,
    time_limit=120,
)
def follow_send_confirmation(follow_id: int) -> bool:
    from . import services

    return services.follow_send_confirmation(follow_id=follow_id)


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
    soft_time_limit=540,
    time_limit=600,
)
def followers_notify_case_event(event_id: int) -> int:
    """Idempotent (one FollowNotice row per address and event), so safe to run late twice."""
    from optouts.models import CaseEvent

    from . import services

    event = CaseEvent.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return services.followers_notify_case_event(event)
