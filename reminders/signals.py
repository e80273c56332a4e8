"""
Staff hear at once of the case events that need them: an email received on
a case, a copy of the notice that did not arrive. optouts.services announces
events after the commit (case_events_added); the worker tells the case's
staff and counsel (reminders.recipients) in the bell, and by email as each
of them chose for reminders. The task goes through the outbox (core.outbox),
so a broker that is down loses none.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import outbox, pagecache
from optouts.models import CaseEvent
from optouts.signals import case_events_added

from .models import ReminderRule

TOLD_AT_ONCE = frozenset({CaseEvent.Kind.REPLY, CaseEvent.Kind.DELIVERY_FAILED})


@receiver(case_events_added, dispatch_uid="reminders.staff_notify_case_events")
def queue_staff_notice(sender, event_ids: list[int], case_ids: list[int], **kwargs) -> None:
    from .tasks import case_event_notify

    told = CaseEvent.objects.filter(pk__in=event_ids, kind__in=TOLD_AT_ONCE).order_by("pk")
    outbox.enqueue_many(case_event_notify, [(pk,) for pk in told.values_list("pk", flat=True)])


@receiver(post_save, sender=ReminderRule, dispatch_uid="reminders.rule_saved")
@receiver(post_delete, sender=ReminderRule, dispatch_uid="reminders.rule_deleted")
def rule_changed(sender, **kwargs) -> None:
    """A rule changed in the admin: each open case's page shows what comes next by the rules."""
    pagecache.changed("cases")
