"""The calendar of activation dates and meetings, for calendar apps to subscribe to."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse

from core import pagecache
from jurisdictions.filters import clean_state
from jurisdictions.models import Jurisdiction

from . import selectors, services
from .views import _unknown_state

_LAST_HOUR = datetime.datetime.max.replace(tzinfo=datetime.UTC) - datetime.timedelta(hours=1)


@pagecache.cached_page(kinds=("cases", "plan"), params=("state",), private=False)
def calendar_ics(request, pk: int | None = None):
    """
    Scheduled and actual activation dates, and the meetings of the open public
    cases: everything, one state's (?state=CA) or one case's (its
    jurisdiction's activation and its meeting). A resolved or withdrawn case's
    meeting leaves the calendar: a subscribed calendar shows what is still
    ahead, not what was settled.

    Every stamp comes from the data, never from the clock, so the same data
    gives the same bytes and a calendar app's copy stays valid (conditional
    GET, public/conditional.py).
    """
    from icalendar import Calendar, Event

    try:
        state = clean_state(request.GET.get("state", ""))
    except ValidationError as exc:
        return _unknown_state(exc)
    case = None
    if pk is not None:
        case = selectors.public_cases().filter(pk=pk).first()
        if case is None:
            raise Http404("No public opt-out request with this number.")
    cal = Calendar()
    cal.add("prodid", "-//scomm//Secure Communities opt-out tracker//EN")
    cal.add("version", "2.0")
    name = "Secure Communities: activations and meetings"
    if case is not None:
        name = f"{name}, {case.jurisdiction}"
    elif state:
        name = f"{name}, {state.upper()}"
    cal.add("x-wr-calname", name)
    host = settings.SITE_URL.split("//", 1)[-1].split("/")[0].split(":")[0] or "scomm"
    jurisdictions = Jurisdiction.objects.select_related("state").only(
        "id",
        "name",
        "scheduled_activation",
        "actual_activation",
        "plan_status",
        "state__postal_code",
    )
    meetings = selectors.public_cases().filter(
        meeting_at__isnull=False, stage__in=selectors.PENDING_STAGES
    )
    if case is not None:
        jurisdictions = jurisdictions.filter(pk=case.jurisdiction_id)
        meetings = meetings.filter(pk=case.pk)
    elif state:
        jurisdictions = jurisdictions.filter(state__postal_code__iexact=state)
        meetings = meetings.filter(jurisdiction__state__postal_code__iexact=state)
    for j in jurisdictions.exclude(
        scheduled_activation__isnull=True, actual_activation__isnull=True
    ).order_by("id"):
        if j.actual_activation:
            summary, day, kind = f"Activated: {j}", j.actual_activation, "activated"
        elif j.plan_status == Jurisdiction.PlanStatus.REMOVED:
            continue
        else:
            summary, day, kind = f"Scheduled activation: {j}", j.scheduled_activation, "scheduled"
        event = Event()
        event.add("uid", f"activation-{j.pk}@{host}")
        # The day itself: it changes exactly when the entry does.
        event.add("dtstamp", datetime.datetime.combine(day, datetime.time(), datetime.UTC))
        event.add("summary", summary)
        event.add("dtstart", day)
        if day < datetime.date.max:  # a day stored before dates were bounded has no "next day"
            event.add("dtend", day + datetime.timedelta(days=1))
        event.add("url", services.absolute(j.get_absolute_url()))
        event.add("categories", [kind])
        cal.add_component(event)
    for meeting in meetings.order_by("meeting_at", "id"):
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", meeting.updated_at)
        event.add("summary", f"Opt-out meeting: {meeting.jurisdiction}")
        event.add("dtstart", meeting.meeting_at)
        if meeting.meeting_at < _LAST_HOUR:  # an hour long, when there is an hour left
            event.add("dtend", meeting.meeting_at + datetime.timedelta(hours=1))
        if meeting.meeting_location:
            event.add("location", meeting.meeting_location)
        event.add("url", services.absolute(meeting.get_absolute_url()))
        event.add("categories", ["meeting"])
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="scomm.ics"'
    return response
