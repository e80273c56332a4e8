"""
Where a jurisdiction stands, in one vocabulary for every public page, the
map and the API: its place on ICE's deployment plan, except that an opt-out
request whose notice has gone out outranks activation. An activated county
asking out is news the plan alone does not tell; San Francisco, activated in
2010 with its request pending, is "Opt-out pending" on the map, on its page
and in the API alike.
"""

import datetime

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from jurisdictions.models import Jurisdiction

from .models import OPEN_STAGES, Delivery, JurisdictionCases, OptOutRequest, Stage

# Open stages in which the notice has gone out: the jurisdiction's opt-out is pending.
PENDING_STAGES = tuple(s for s in Stage if s in OPEN_STAGES and s != Stage.DRAFT)


def _copy_out() -> Exists:
    """For an annotation on cases: a copy of the notice went out and did not bounce."""
    return Exists(
        Delivery.objects.filter(request=OuterRef("pk")).exclude(status=Delivery.Status.FAILED)
    )


def with_copy_out(cases: QuerySet) -> QuerySet:
    """Cases annotated with `copy_out`, for is_pending."""
    return cases.annotate(copy_out=_copy_out())


def is_pending(case: OptOutRequest) -> bool:
    """The rule of _pending_requests for a case in memory, annotated with_copy_out."""
    return case.stage in PENDING_STAGES or (case.stage == Stage.DRAFT and case.copy_out)


def _pending_requests() -> QuerySet:
    """
    Open requests whose notice has gone out to someone: past the draft, or a
    draft with a copy sent (public from its first copy, as the case page
    says "notice partly sent"). A copy that bounced does not count.
    """
    return OptOutRequest.objects.filter(
        Q(stage__in=PENDING_STAGES) | (Q(stage=Stage.DRAFT) & _copy_out())
    )


class JurisdictionStatus(models.TextChoices):
    NOT_SCHEDULED = "not_scheduled", "Not scheduled"
    SCHEDULED = "scheduled", "Scheduled"
    POSTPONED = "postponed", "Postponed"
    ACTIVATED = "activated", "Activated"
    PENDING = "pending", "Opt-out pending"
    REMOVED = "removed", "Removed from plan"


# The order of legends and table columns: along the plan, then the ways out of it.
ORDER = list(JurisdictionStatus)


def status_of(
    *, plan_status: str, actual_activation: datetime.date | None, pending: bool
) -> JurisdictionStatus:
    """
    The rule, most telling first: removed from the plan; an opt-out pending;
    activated (by its date or its plan status); postponed; scheduled; not
    scheduled.
    """
    plan = Jurisdiction.PlanStatus
    if plan_status == plan.REMOVED:
        return JurisdictionStatus.REMOVED
    if pending:
        return JurisdictionStatus.PENDING
    if actual_activation or plan_status == plan.ACTIVATED:
        return JurisdictionStatus.ACTIVATED
    if plan_status == plan.POSTPONED:
        return JurisdictionStatus.POSTPONED
    if plan_status == plan.SCHEDULED:
        return JurisdictionStatus.SCHEDULED
    return JurisdictionStatus.NOT_SCHEDULED


def pending_exists() -> Coalesce:
    """
    For an annotation on jurisdictions: a request of theirs whose notice has
    gone out is still open. Read from the jurisdiction's counts
    (optouts.tally, kept with every change by the rule of
    _pending_requests) in a join, so a county's status costs the same
    however many requests it has made.
    """
    return Coalesce(F("case_tally__pending"), Value(False))


def with_opt_out_pending(queryset: QuerySet) -> QuerySet:
    """Jurisdictions annotated with `opt_out_pending`, in the same query."""
    return queryset.annotate(opt_out_pending=pending_exists())


def jurisdiction_status(jurisdiction: Jurisdiction) -> JurisdictionStatus:
    """One jurisdiction's status: uses its `opt_out_pending` annotation, else one query."""
    pending = getattr(jurisdiction, "opt_out_pending", None)
    if pending is None:
        pending = JurisdictionCases.objects.filter(jurisdiction=jurisdiction, pending=True).exists()
    return status_of(
        plan_status=jurisdiction.plan_status,
        actual_activation=jurisdiction.actual_activation,
        pending=pending,
    )


def statuses_by_id(jurisdictions) -> dict[int, JurisdictionStatus]:
    """The status of each of a page of jurisdictions, in one query whatever their number."""
    jurisdictions = list(jurisdictions)
    pending = set(
        JurisdictionCases.objects.filter(
            jurisdiction__in=[j.pk for j in jurisdictions], pending=True
        ).values_list("jurisdiction_id", flat=True)
    )
    return {
        j.pk: status_of(
            plan_status=j.plan_status,
            actual_activation=j.actual_activation,
            pending=j.pk in pending,
        )
        for j in jurisdictions
    }
