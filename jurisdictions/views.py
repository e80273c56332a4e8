"""Public pages of the directory: no login needed, nothing private shown."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from core import fragments, pagecache

from . import selectors
from .filters import JurisdictionFilter
from .models import Jurisdiction, State
from .models_agreements import NO_AGREEMENT


@pagecache.cached_page(
    kinds=("plan",), params=("q", "state", "status", "page"), search=("q",), private=False
)
def jurisdiction_list(request):
    query = request.cached_page.query

    def build() -> dict:
        # The API's filters too (jurisdictions.filters); the page calls the
        # plan status "status", as its links always have.
        data = query.copy()
        if "status" in data:
            data["plan_status"] = data.pop("status")[-1]
        filters = JurisdictionFilter(data or None, queryset=selectors.jurisdiction_list())
        page = Paginator(filters.qs, 250).get_page(query.get("page"))
        return {
            "page": page,
            "jurisdictions": page.object_list,
            "states": selectors.state_list(),
            "statuses": Jurisdiction.PlanStatus.choices,
            "state": query.get("state", "").upper(),
            "q": query.get("q", ""),
            "status": query.get("status", ""),
            "errors": [e for errors in filters.errors.values() for e in errors],
            "query": query,
        }

    # Public facts only: the same table for everyone who asks the same question.
    table = fragments.cached_fragment(request, "jurisdictions/_jurisdiction_list.html", build)
    return render(request, "jurisdictions/jurisdiction_list.html", {"table": table})


# The cases listed are those the viewer may see.
@pagecache.cached_page(kinds=("plan", "cases"))
def jurisdiction_detail(request, pk: int):
    # The jurisdiction's cases are drawn by the cases app's own tag
    # (optouts_tags.jurisdiction_cases): the directory knows nothing of cases.
    jurisdiction = get_object_or_404(
        Jurisdiction.objects.select_related("state", "state__sib"), pk=pk
    )
    return render(
        request,
        "jurisdictions/jurisdiction_detail.html",
        {
            "jurisdiction": jurisdiction,
            "history": selectors.jurisdiction_history(jurisdiction=jurisdiction),
            "agreement": jurisdiction.state.agreement_events.order_by("occurred_on", "id").last(),
        },
    )


@pagecache.cached_page(kinds=("plan",))
def state_detail(request, postal_code: str):
    """A state: its bureau, its agreement with ICE as dated records, and its plan in numbers."""
    state = get_object_or_404(State.objects.select_related("sib"), postal_code__iexact=postal_code)
    agreements = selectors.state_agreement_events(state_id=state.pk)
    return render(
        request,
        "jurisdictions/state_detail.html",
        {
            "state": state,
            "agreements": agreements,
            "agreement_status": agreements[-1].status if agreements else NO_AGREEMENT,
            "plan": selectors.state_plan_counts(state_id=state.pk),
        },
    )
