"""
Followers hear of a case's public events: when optouts.services announces
events (case_events_added, sent after the commit that added them, for one
event or a schedule's hundreds alike), each event followers are told of is
queued for the worker through the outbox (core.outbox), which emails them:
a broker that is down, or restarts empty, loses no notice.
"""

from django.dispatch import receiver

from core import outbox
from optouts.models import CaseEvent
from optouts.signals import case_events_added


@receiver(case_events_added, dispatch_uid="public.followers_notify_case_events")
def queue_followers_notice(sender, event_ids: list[int], case_ids: list[int], **kwargs) -> None:
    from .services import NOTIFIED_KINDS
    from .tasks import followers_notify_case_event

    notified = CaseEvent.objects.filter(
        pk__in=event_ids, is_public=True, kind__in=NOTIFIED_KINDS
    ).order_by("pk")
    outbox.enqueue_many(
        followers_notify_case_event, [(pk,) for pk in notified.values_list("pk", flat=True)]
    )
