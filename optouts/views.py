"""
Case pages. Reading is public; every write checks that the user acts for the
case's jurisdiction, then calls one service and shows its message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from core import fragments, pagecache
from core.pagination import KeysFirstPaginator
from core.views import run_service
from jurisdictions.models import Jurisdiction, State

from . import forms, selectors, services, views_case_page, views_moves
from .filters import CaseFilter
from .models import Stage
from .permissions import (
    COUNSEL,
    STAFF,
    case_for_actor,
    is_admin,
    may_see_case,
    roles_by_jurisdiction,
)
from .views_moves import case_action, case_reopen  # noqa: F401 (the moves' own module)

CASE_LIST_PARAMETERS = (
    "q",
    "state",
    "stage",
    "outcome",
    "activated_while_pending",
    "order",
    "page",
)


@pagecache.cached_page(kinds=("cases", "plan"), params=CASE_LIST_PARAMETERS, search=("q",))
def case_list(request):
    query = request.cached_page.query

    def build() -> dict:
        # The API's filters too (optouts.filters): one search, one answer.
        user = request.user
        filters = CaseFilter(query or None, queryset=selectors.case_list(user=user))
        # The page's keys are chosen without the rows' joins, unless a filter
        # reads them; the whole list's number comes from the kept counts.
        # The same form's answers narrow both (one form checked, not two).
        keys = None
        if not query.get("activated_while_pending"):
            keys = selectors.case_keys(user=user)
            if filters.is_bound:
                filters.is_valid()  # the answers that stand narrow the keys as they do .qs
                keys = filters.filter_queryset(keys)
        asked = [name for name in query if name not in ("page", "order")]
        count = selectors.visible_count(user=user) if not asked else None
        page = KeysFirstPaginator(filters.qs, 50, keys=keys, count=count).get_page(
            query.get("page")
        )
        return {
            "form": filters.form,
            "fields": [filters.form[name] for name in CASE_LIST_PARAMETERS if name != "page"],
            "page": page,
            "cases": page.object_list,
            "query": query,
            "today": timezone.localdate(),
        }

    # The same filters and the same visible cases give the same list, whoever asks.
    results = fragments.cached_fragment(request, "optouts/_case_list.html", build)
    return render(request, "optouts/case_list.html", {"results": results})


@pagecache.cached_page(kinds=("cases", "plan", "letters"))
def case_detail(
    request,
    pk: int,
    *,
    bound=None,
    notice_forms=None,
    event_form=None,
    receipt_form=None,
    reopen_form=None,
    open_form: str | None = None,
    status=200,
):
    """
    The case, its timeline and the forms of its moves. One form is open: the
    one just refused, or the one asked for (`open_form`, from the GET of a
    move's own address), or the move the case waits for; the others are
    links, so the page builds one form however many moves there are.
    """
    user = request.user
    case = _case_for_page(request, pk)
    refused = {"notice": notice_forms, "receipt": receipt_form, "event": event_form}
    refused.update(reopen=reopen_form, **({bound.prefix: bound} if bound is not None else {}))
    opened = next((name for name, form in refused.items() if form), None)
    opened = opened or open_form or views_moves.next_move(case)

    def build() -> dict:
        return views_case_page.case_page_context(
            request,
            case,
            opened=opened,
            bound=bound,
            notice_forms=notice_forms,
            event_form=event_form,
            receipt_form=receipt_form,
            reopen_form=reopen_form,
        )

    # The page is the same for everyone with the same roles for the case's
    # jurisdiction until the case, the plan or its letters change: it is kept
    # with its forms blank (a refused form is never kept), and each request
    # puts its own CSRF token in them.
    if any(form is not None for form in refused.values()):
        body = mark_safe(  # nosec B308 B703: rendered by a project template, escaped there
            render_to_string("optouts/_case_page.html", build(), request=request)
        )
    else:
        body = fragments.cached_fragment(
            request,
            "optouts/_case_page.html",
            build,
            variant=views_case_page.roles_for(user, case),
            forms=True,
        )
    return render(request, "optouts/case_detail.html", {"case": case, "body": body}, status=status)


def _case_for_page(request, pk: int):
    """
    The case with all its page shows, read once per change of the case (kept
    like the page's parts, and read afresh for a form posted); a 404 for a
    case this user may not see, checked on every request.
    """

    def read():
        found = selectors.case_pages().filter(pk=pk).first()
        if found is None:  # nothing kept for an id that names no case
            raise Http404("No such opt-out request.")
        return found

    case = request.cached_page.kept("case-row", read)
    if not may_see_case(request.user, case):
        raise Http404("No such opt-out request.")
    return case


def expected_version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
def case_create(request):
    """
    Draft a request. Staff file for their own jurisdictions; a state-level
    request (about the whole state) is filed by admins only, since no
    jurisdiction's staff speak for the state.
    """
    user = request.user
    states = None
    if is_admin(user):
        jurisdictions = Jurisdiction.objects.select_related("state")
        states = State.objects.all()
    else:
        ids = [j for j, roles in roles_by_jurisdiction(user).items() if STAFF in roles]
        jurisdictions = Jurisdiction.objects.filter(pk__in=ids).select_related("state")
        if not ids:
            raise PermissionDenied("Only sheriff's office staff file an opt-out notice.")
    initial = {"opened_on": timezone.localdate(), "opened_precision": "day"}
    if request.GET.get("jurisdiction", "").isdigit():
        initial["jurisdiction"] = int(request.GET["jurisdiction"])
    form = forms.CaseCreateForm(
        request.POST or None, jurisdictions=jurisdictions, states=states, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = run_service(
            request,
            form,
            lambda: services.optout_create(
                jurisdiction=data["jurisdiction"],
                state=data.get("state") if data.get("scope") == "state" else None,
                user=user,
                requesting_official=data["requesting_official"],
                requesting_body=data["requesting_body"],
                requesting_body_other=data["requesting_body_other"],
                reasons=data["reasons"],
                opened_on=data["opened_on"],
                opened_precision=data["opened_precision"],
            ),
            success_message="Request drafted. Now record the written notice to the SIB and to ICE.",
            success_url=lambda case: case.get_absolute_url() + "#notice",
        )
        if response:
            return response
        status = 400  # the service refused: its reasons are at the fields
    else:
        status = 200
    picked = None
    if len(jurisdictions) == 1:
        picked = jurisdictions[0]
    elif form["jurisdiction"].value():
        picked = (
            jurisdictions.filter(pk=form["jurisdiction"].value()).first()
            if str(form["jurisdiction"].value()).isdigit()
            else None
        )
    days_left = (
        (picked.scheduled_activation - timezone.localdate()).days
        if picked and picked.scheduled_activation and not picked.actual_activation
        else None
    )
    return render(
        request,
        "optouts/case_create.html",
        {"form": form, "picked": picked, "days_left": days_left, "single": len(jurisdictions) == 1},
        status=status,
    )


@login_required
def case_notice(request, pk: int):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    case = case_for_actor(pk, request.user, queryset=selectors.case_pages())
    if request.method != "POST":
        return case_detail(request, pk, open_form="notice")
    notice_forms = views_case_page.notice_forms_for(case, request.POST)
    # Only the ticked copies are recorded, and each of them must be complete.
    filled = [nf for nf in notice_forms if nf["included"]]
    if not filled:
        messages.error(request, "Tick at least one recipient the notice was sent to.")
        return case_detail(request, pk, notice_forms=notice_forms, status=400)
    if not all(nf["form"].is_valid() for nf in filled):
        return case_detail(request, pk, notice_forms=notice_forms, status=400)
    copies = [
        {
            "recipient": nf["recipient"],
            "recipient_name": nf["form"].cleaned_data["recipient_name"],
            "method": nf["form"].cleaned_data["method"],
            "sent_on": nf["form"].cleaned_data["sent_on"],
            "reference": nf["form"].cleaned_data["reference"],
        }
        for nf in filled
    ]

    def recorded(_) -> str:
        case.refresh_from_db()
        if case.stage == Stage.NOTICE_SENT:
            return "Notice sent: both the State Identification Bureau and ICE have it."
        missing = ", ".join(services.missing_recipients(case))
        return f"Notice recorded. The request stays a draft until it also reaches: {missing}."

    response = run_service(
        request,
        filled[0]["form"],
        lambda: services.deliveries_record(
            case_id=case.pk,
            user=request.user,
            copies=copies,
            expected_version=expected_version(request),
        ),
        success_message=recorded,
        success_url=case.get_absolute_url(),
    )
    return response or case_detail(request, pk, notice_forms=notice_forms, status=400)


@login_required
def case_event(request, pk: int):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    case = case_for_actor(pk, request.user, roles=(STAFF, COUNSEL), queryset=selectors.case_pages())
    if request.method != "POST":
        return case_detail(request, pk, open_form="event")
    form = forms.EventForm(request.POST, prefix="event")
    if not form.is_valid():
        return case_detail(request, pk, event_form=form, status=400)
    data = form.cleaned_data
    response = run_service(
        request,
        form,
        lambda: services.event_record(
            case_id=case.pk,
            user=request.user,
            kind=data["kind"],
            summary=data["summary"],
            occurred_on=data["occurred_on"],
            date_precision=data["date_precision"],
            is_public=data["is_public"],
            source=data["source"],
        ),
        success_message="Added to the timeline." if data["is_public"] else "Internal note added.",
        success_url=case.get_absolute_url(),
    )
    return response or case_detail(request, pk, event_form=form, status=400)
