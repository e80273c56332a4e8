"""Public pages of the directory: no login needed, nothing private shown."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from core import fragments

from . import selectors
from .models import Jurisdiction


def jurisdiction_list(request):
    query = fragments.canonical_query(request.GET, ("q", "state", "status", "page"))

    def build() -> dict:
        state = query.get("state", "").strip()[:2]
        q = query.get("q", "").strip()
        plan_status = query.get("status", "")
        if plan_status not in Jurisdiction.PlanStatus.values:
            plan_status = ""
        jurisdictions = selectors.jurisdiction_list(state=state, q=q, plan_status=plan_status)
        page = Paginator(jurisdictions, 250).get_page(query.get("page"))
        return {
            "page": page,
            "jurisdictions": page.object_list,
            "states": selectors.state_list(),
            "statuses": Jurisdiction.PlanStatus.choices,
            "state": state.upper(),
            "q": q,
            "status": plan_status,
            "query": query,
        }

    # Public facts only: the same table for everyone who asks the same question.
    table = fragments.cached_fragment(
        "jurisdictions/_jurisdiction_list.html",
        build,
        vary=(query.urlencode(),),
        keep="q" not in query,
    )
    return render(request, "jurisdictions/jurisdiction_list.html", {"table": table})


def jurisdiction_detail(request, pk: int):
    from optouts.permissions import STAFF, can_act
    from optouts.selectors import jurisdiction_cases

    jurisdiction = get_object_or_404(
        Jurisdiction.objects.select_related("state", "state__sib"), pk=pk
    )
    return render(
        request,
        "jurisdictions/jurisdiction_detail.html",
        {
            "jurisdiction": jurisdiction,
            "history": selectors.jurisdiction_history(jurisdiction=jurisdiction),
            "cases": jurisdiction_cases(jurisdiction=jurisdiction, user=request.user),
            "may_file": can_act(request.user, jurisdiction.pk, (STAFF,)),
        },
    )
