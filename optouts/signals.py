"""
What the case app tells the others.

`case_events_added` is the one way another app learns that a case changed:
optouts.services sends it once the transaction that added the events has
committed, so a receiver never sees a change that was rolled back, and it is
sent for events added one at a time and in bulk alike (post_save is not, and
is not to be listened to for this).

Keyword arguments:

    event_ids: list[int]   the CaseEvent rows added, in the order written
    case_ids:  list[int]   the cases they belong to, each once

The sender is the CaseEvent model. A receiver should do little more than
queue a task with these ids: the events are committed and can be read.
"""

from django.dispatch import Signal

case_events_added = Signal()
