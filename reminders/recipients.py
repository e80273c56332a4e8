"""
Who is told about a case's reminders. This is the one place to extend: the
followers of a case (from the public side of the site) join here.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from jurisdictions.models import Membership


def case_recipients(*, case) -> QuerySet:
    """
    The active users told about `case`: its jurisdiction's sheriff's office
    staff and county counsel, each once, with their email preference joined.
    """
    User = get_user_model()
    return (
        User.objects.filter(
            is_active=True,
            memberships__jurisdiction_id=case.jurisdiction_id,
            memberships__role__in=[Membership.Role.STAFF, Membership.Role.COUNSEL],
        )
        .select_related("reminder_preference")
        .distinct()
        .order_by("pk")
    )
