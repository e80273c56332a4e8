"""
When a public event joins a case's timeline, queue the followers' emails
after the transaction commits (never from inside it: a rollback would
have told them of something that did not happen).
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from optouts.models import CaseEvent


@receiver(post_save, sender=CaseEvent, dispatch_uid="public.followers_notify_case_event")
def queue_followers_notice(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs):
    if raw or not created:
        return
    from .services import event_is_notified

    if not event_is_notified(instance):
        return
    from .tasks import followers_notify_case_event

    event_id = instance.pk
    transaction.on_commit(lambda: followers_notify_case_event.delay(event_id))
