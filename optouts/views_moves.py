"""
The case's moves on its page: one form per move the user may make now
(optouts.transitions), each posted to case_action, which calls its one
service; and the renewal of a denied request. Every move takes its date of
record and its precision; the services check them, and a refusal is shown
at the form's field with both dates named.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.utils import timezone

from core.views import run_service

from . import forms, selectors, services
from .facts import DatePrecision
from .permissions import STAFF, can_act, case_for_actor
from .transitions import LABELS, NEXT_MOVE, allowed_actions

ACTION_FORMS = {
    "request_meeting": forms.DatedNoteForm,
    "schedule_meeting": forms.ScheduleMeetingForm,
    "postpone_meeting": forms.PostponeMeetingForm,
    "cancel_meeting": forms.MeetingChangeForm,
    "hold_meeting": forms.DatedNoteForm,
    "resolve": forms.ResolveForm,
    "withdraw": forms.WithdrawForm,
}
DONE = {
    "request_meeting": "Meeting request recorded.",
    "schedule_meeting": "Meeting scheduled.",
    "postpone_meeting": "Postponement recorded.",
    "cancel_meeting": "Cancellation recorded.",
    "hold_meeting": "Meeting recorded as held.",
    "resolve": "Resolution recorded.",
    "withdraw": "Request withdrawn.",
}


def _initial(case, action: str, today) -> dict:
    initial = {"occurred_on": today, "date_precision": DatePrecision.DAY}
    if action == "schedule_meeting" and case.meeting_at:
        initial["meeting_at"] = timezone.localtime(case.meeting_at).strftime("%Y-%m-%dT%H:%M")
        initial["location"] = case.meeting_location
    if action == "hold_meeting" and case.meeting_at:
        # Most often the meeting was held on the day it was set for.
        initial["occurred_on"] = min(timezone.localtime(case.meeting_at).date(), today)
    return initial


def next_move(case) -> str | None:
    """The move the case waits for, whose form the case page opens (the notice, for a draft)."""
    move = NEXT_MOVE.get(case.stage)
    return "notice" if move == "send_notice" else move


def action_forms(case, user, bound=None, opened: str | None = None) -> dict:
    """
    The moves this user may make now. Only the `opened` one (or the refused
    one, `bound`) carries its form; the others are links to the case page
    with their form open, so the page builds one form, not seven.
    """
    if not can_act(user, case.jurisdiction_id, (STAFF,)):
        return {}
    today = timezone.localdate()
    result = {}
    actions = list(allowed_actions(case.stage))
    if bound is not None and bound.prefix in ACTION_FORMS and bound.prefix not in actions:
        actions.append(bound.prefix)  # a refused move shows why, though the case moved on
    for action in actions:
        if action == "send_notice":
            continue  # the notice moves by its deliveries, in the notice form
        if bound is not None and bound.prefix == action:
            form = bound
        elif action == opened and bound is None:
            form = ACTION_FORMS[action](prefix=action, initial=_initial(case, action, today))
        else:
            form = None
        result[action] = {"label": LABELS[action], "form": form}
    return result


def _call(action: str, data: dict, common: dict):
    """The service of `action`, called with the form's cleaned data."""
    dated = {
        "occurred_on": data["occurred_on"],
        "date_precision": data["date_precision"],
        "source": data["source"],
    }
    if action == "request_meeting":
        return services.optout_request_meeting(**common, **dated, note=data["note"])
    if action == "hold_meeting":
        return services.optout_hold_meeting(**common, **dated, note=data["note"])
    if action == "schedule_meeting":
        return services.optout_schedule_meeting(
            **common, **dated, meeting_at=data["meeting_at"], location=data["location"]
        )
    if action == "postpone_meeting":
        return services.optout_postpone_meeting(
            **common,
            **dated,
            asked_by=data["asked_by"],
            reason=data["reason"],
            new_meeting_at=data["new_meeting_at"],
        )
    if action == "cancel_meeting":
        return services.optout_cancel_meeting(
            **common, **dated, asked_by=data["asked_by"], reason=data["reason"]
        )
    if action == "resolve":
        return services.optout_resolve(
            **common,
            **dated,
            outcome=data["outcome"],
            outcome_text=data["outcome_text"],
            new_activation=data["new_activation"],
            deactivated=data["deactivated"],
        )
    return services.optout_withdraw(**common, **dated, reason=data["reason"])


@login_required
def case_action(request, pk: int, action: str):
    """GET: the case page with this move's form open; POST: make the move."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if action not in ACTION_FORMS:
        raise Http404("No such action.")
    from .views import case_detail, expected_version  # the page these moves are shown on

    case = case_for_actor(pk, request.user, queryset=selectors.case_pages())
    if request.method != "POST":
        return case_detail(request, pk, open_form=action)
    form = ACTION_FORMS[action](request.POST, prefix=action)
    if not form.is_valid():
        return case_detail(request, pk, bound=form, status=400)
    common = {
        "case_id": case.pk,
        "user": request.user,
        "expected_version": expected_version(request),
    }
    response = run_service(
        request,
        form,
        lambda: _call(action, form.cleaned_data, common),
        success_message=DONE[action],
        success_url=case.get_absolute_url(),
    )
    return response or case_detail(request, pk, bound=form, status=400)


@login_required
def case_reopen(request, pk: int):
    """Renew a denied request with a new notice, dated the day the new request was made."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    from .views import case_detail

    case = case_for_actor(pk, request.user, queryset=selectors.case_pages())
    if request.method != "POST":
        return case_detail(request, pk, open_form="reopen")
    form = forms.ReopenForm(request.POST, prefix="reopen")
    if not form.is_valid():
        return case_detail(request, pk, reopen_form=form, status=400)
    response = run_service(
        request,
        form,
        lambda: services.optout_reopen(
            case_id=case.pk,
            user=request.user,
            opened_on=form.cleaned_data["opened_on"],
            opened_precision=form.cleaned_data["opened_precision"],
        ),
        success_message="A new request was drafted. Record the new notice to the SIB and ICE.",
        success_url=lambda new_case: new_case.get_absolute_url(),
    )
    return response or case_detail(request, pk, reopen_form=form, status=400)
