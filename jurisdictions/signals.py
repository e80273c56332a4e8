"""
What the directory tells the apps above it.

`activated` is sent when jurisdictions get an actual activation date — by a
deployment schedule, jurisdiction_plan_update or an edit in the admin — from
inside the transaction that writes the date, so that a receiver writing its
own rows (the cases app records the activation on each open case's timeline)
commits or rolls back with the date. The directory may not import the cases
app (STYLE.md, "Our layout"); this is how the cases hear of a change that
does not start on their side.

Keyword arguments:

    activations: dict[int, tuple[datetime.date, str]]
                 jurisdiction id -> (actual activation date, its precision)
    user:        who made the change, or None
    source:      what the change rests on, as "Deployment schedule no. 4"

The sender is the Jurisdiction model.
"""

from django.dispatch import Signal

activated = Signal()


def activated_send(*, activations: dict, user=None, source: str = "") -> None:
    """Send `activated` for the jurisdictions whose actual activation date was just set."""
    if not activations:
        return
    from .models import Jurisdiction

    activated.send(sender=Jurisdiction, activations=activations, user=user, source=source)
