"""Reads of cases: the lists, the page of one case, and what the public may see."""

from django.db.models import Q, QuerySet

from jurisdictions.models import IceOffice, Jurisdiction

from .models import OPEN_STAGES, CaseEvent, OptOutRequest
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


def case_list(*, filters: dict | None = None, order: str = "waiting", user=None) -> QuerySet:
    """Cases with their jurisdiction and state in one query, ready for the list."""
    filters = filters or {}
    qs = (
        cases_visible_to(user)
        .select_related("jurisdiction", "jurisdiction__state")
        .with_activated_while_pending()
        .defer("reasons", "outcome_text", "jurisdiction__letterhead")
    )
    if filters.get("state"):
        qs = qs.filter(jurisdiction__state__postal_code__iexact=filters["state"])
    if filters.get("stage") == "open":
        qs = qs.filter(stage__in=OPEN_STAGES)
    elif filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    if filters.get("outcome"):
        qs = qs.filter(outcome=filters["outcome"])
    if filters.get("activated_while_pending"):
        qs = qs.filter(activated_while_pending=True)
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(
            Q(jurisdiction__name__icontains=q)
            | Q(requesting_official__icontains=q)
            | Q(jurisdiction__state__name__iexact=q)
            | Q(jurisdiction__state__postal_code__iexact=q)
            | Q(reasons__icontains=q)
        )
    orderings = {
        "waiting": ["stage_entered_at", "id"],
        "-waiting": ["-stage_entered_at", "-id"],
        "opened": ["-opened_on", "-id"],
        "jurisdiction": ["jurisdiction__state__name", "jurisdiction__name", "id"],
        "activation": ["jurisdiction__scheduled_activation", "id"],
    }
    return qs.order_by(*orderings.get(order, orderings["waiting"]))


def case_detail(*, pk: int) -> OptOutRequest:
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
        .get(pk=pk)
    )


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
