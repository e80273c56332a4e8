"""Reads of cases: the lists, the page of one case, and what the public may see."""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Sum

from jurisdictions.models import IceOffice, Jurisdiction

from .filters import ORDERINGS
from .models import CaseCount, CaseEvent, Delivery, OptOutRequest
from .permissions import COUNSEL, STAFF, can_see_private, is_admin, roles_by_jurisdiction
from .status import with_copy_out


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
        .with_requested_after_activation()
        .with_has_delivery()
        .only(*CASE_ROW_FIELDS)
        .order_by(*ORDERINGS["waiting"][1])
    )


# What a row of the list shows (optouts_tags.case_rows): the other columns,
# dates and times to convert among them, stay in the database.
CASE_ROW_FIELDS = (
    "stage",
    "outcome",
    "opened_on",
    "stage_entered_at",
    "jurisdiction__name",
    "jurisdiction__scheduled_activation",
    "jurisdiction__actual_activation",
    "jurisdiction__state__postal_code",
)


def case_keys(*, user=None) -> QuerySet:
    """
    The cases of case_list, in its order, without the jurisdiction's columns
    and annotations: the keys of a page are chosen from these alone (the
    default order is read from its index, optouts.models.OPEN_FIRST).
    """
    return cases_visible_to(user).order_by(*ORDERINGS["waiting"][1])


def visible_count(*, user=None) -> int:
    """
    How many cases this user may see: the public ones from the kept counts
    (optouts.tally), and their own jurisdictions' others counted.
    """
    kept = CaseCount.objects.all()
    if not is_admin(user):
        kept = kept.filter(is_public=True)
    total = kept.aggregate(n=Sum("n"))["n"] or 0
    own = [j for j, roles in roles_by_jurisdiction(user).items() if roles & {STAFF, COUNSEL}]
    if own and not is_admin(user):
        mine = OptOutRequest.objects.filter(jurisdiction_id__in=own).with_has_delivery()
        total += mine.exclude(mine.public_q()).count()
    return total


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
        # The case page is kept in the cache with its rows: never a password hash.
        .defer("created_by__password")
    )


def case_detail(*, pk: int) -> OptOutRequest:
    return case_pages().get(pk=pk)


def renewal_of(*, case: OptOutRequest, user) -> OptOutRequest | None:
    """
    The request renewing `case`, if this user may see it: a renewal still in
    draft is its jurisdiction's own, so the public page of the denied request
    links to it only once its first copy of the notice is sent.
    """
    return cases_visible_to(user).filter(reopens=case).only("id").first()


def notice_copies(*, case: OptOutRequest) -> list[Delivery]:
    """
    The copies of the notice for the notice table, in one query, each with
    `has_letter`: whether a letter on file stands behind it. The letters are
    another app's; they are read only through the reverse relation it adds
    to Delivery, so without it `has_letter` is None (unknown), not False.
    """
    copies = Delivery.objects.filter(request=case)
    if any(rel.name == "letter" for rel in Delivery._meta.related_objects):
        copies = copies.annotate(
            has_letter=ExpressionWrapper(Q(letter__isnull=False), output_field=BooleanField())
        )
    return list(copies)


def state_counties(*, case: OptOutRequest) -> list[Jurisdiction]:
    """
    The jurisdictions of a state-level case's state, with their dates, for its
    page: every one of them is concerned when the state's agreement ends.
    """
    return list(
        Jurisdiction.objects.filter(state_id=case.jurisdiction.state_id)
        .exclude(pk=case.jurisdiction_id)
        .only("id", "name", "state_id", "scheduled_activation", "actual_activation", "plan_status")
        .order_by("name")
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
        with_copy_out(cases_visible_to(user).filter(jurisdiction=jurisdiction))
        .select_related("jurisdiction")
        .with_activated_while_pending()
        .order_by("-opened_on")
    )
