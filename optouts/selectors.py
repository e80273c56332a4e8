"""Reads of cases: the lists, the page of one case, and what the public may see."""

from django.db.models import Q, QuerySet

from jurisdictions.models import IceOffice, Jurisdiction

from .filters import ORDERINGS
from .models import CaseEvent, OptOutRequest
from .permissions import COUNSEL, STAFF, can_see_private, is_admin, roles_by_jurisdiction


def cases_visible_to(user) -> QuerySet:
    """
    The public cases (never an unsent draft), and every case of the user's own
    jurisdictions for their staff and counsel; admins see everything.
    """
    qs = OptOutRequest.objects.all()
    if is_admin(user):
        return qs
    own = [j for j, roles in roles_by_jurisdiction(user).items() if roles & {STAFF, COUNSEL}]
    if not own:
        return qs.public()
    qs = qs.with_has_delivery()
    return qs.filter(qs.public_q() | Q(jurisdiction_id__in=own))


def case_list(*, user=None) -> QuerySet:
    """
    The cases this user may see, with their jurisdiction and state in one
    query, open first and longest waiting first (the list's default order,
    optouts.filters.ORDERINGS["waiting"]); optouts.filters.CaseFilter narrows them.
    """
    return (
        cases_visible_to(user)
        .select_related("jurisdiction", "jurisdiction__state")
        .with_activated_while_pending()
        .defer("reasons", "outcome_text", "jurisdiction__letterhead")
        .order_by(*ORDERINGS["waiting"][1])
    )


def case_pages() -> QuerySet:
    """Cases with everything their page shows: one query, and one more for the deliveries."""
    return (
        OptOutRequest.objects.select_related(
            "jurisdiction",
            "jurisdiction__state",
            "jurisdiction__state__sib",
            "reopens",
            "created_by",
        )
        .with_activated_while_pending()
        .prefetch_related("deliveries")
    )


def case_detail(*, pk: int) -> OptOutRequest:
    return case_pages().get(pk=pk)


def case_timeline(*, case: OptOutRequest, user) -> list[CaseEvent]:
    """The timeline as this user may see it: the public sees no internal note."""
    events = case.events.select_related("actor")
    if not can_see_private(user, case.jurisdiction_id):
        events = events.filter(is_public=True)
    return list(events)


def ice_office_for(*, jurisdiction: Jurisdiction) -> IceOffice | None:
    """The ICE office that serves the jurisdiction's state, or headquarters."""
    return (
        IceOffice.objects.filter(Q(states=jurisdiction.state_id) | Q(is_headquarters=True))
        .order_by("is_headquarters", "name")
        .first()
    )


def jurisdiction_cases(*, jurisdiction: Jurisdiction, user=None) -> list[OptOutRequest]:
    return list(
        cases_visible_to(user)
        .filter(jurisdiction=jurisdiction)
        .select_related("jurisdiction")
        .with_activated_while_pending()
        .order_by("-opened_on")
    )
