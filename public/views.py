"""
The public pages: the overview, the map and the CSV export. No account
needed; nothing private shown. Following by email is in views_follow, the
calendar in views_calendar.
"""

import csv
import datetime
import gzip
import itertools
import re
from collections.abc import Callable, Iterable, Iterator

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from core import csvsafe, fragments, pagecache
from jurisdictions.filters import clean_state
from jurisdictions.models import State
from jurisdictions.selectors import state_agreement_statuses
from optouts.models import OPEN_STAGES, Outcome, RequestingBody, Stage
from optouts.offices import OFFICE_NAMES, requesting_office

from . import selectors, services, svg, topojson
from .forms import FollowStateForm

# What the map shows: the overview's link to its image carries their generation.
MAP_KINDS = ("cases", "plan")


def _map_context(rows: list[dict], *, state_fips: str = "") -> dict:
    try:
        return {"county_map": svg.county_map(rows, state_fips=state_fips), "map_error": ""}
    except topojson.AtlasMissing as exc:
        return {"county_map": "", "map_error": str(exc)}


def _map_parts(request) -> dict:
    """
    The county map and its table: the same for every visitor and costly to
    draw, so kept until the next change of a case or of the plan. With
    ?state=CA, that state's counties alone, drawn large enough to tap, and
    listed; an unknown state is said so, as on the lists, over the whole map.
    """
    try:
        state = clean_state(request.cached_page.query.get("state", ""))
        state_error = ""
    except ValidationError as exc:
        state, state_error = "", exc.messages[0]

    def build() -> dict:
        rows = selectors.map_statuses()
        parts = {"status_table": selectors.status_table(rows), "states": selectors.states()}
        place = State.objects.filter(postal_code=state).values("name", "postal_code", "fips")
        place = place.first() if state else None
        if place is None:
            return {**parts, **_map_context(rows)}
        rows = sorted((r for r in rows if r["postal_code"] == state), key=lambda r: r["name"])
        return {
            **parts,
            **_map_context(rows, state_fips=place["fips"]),
            "state": place,
            "state_table": selectors.status_table(rows),
            "counties": rows,
        }

    return {**request.cached_page.kept("map", build), "state_error": state_error}


def _overview_context() -> dict:
    states = selectors.states()
    # The overview shows the map as an image (county_map_image), which reads the shapes.
    map_error = topojson.shapes_problem()
    # One pass over the cases gives the figures and the chart's requests.
    groups = selectors.public_case_groups()
    filed = selectors.filed_by_month(groups)
    # One pass over the jurisdictions gives the totals by status and the chart's activations.
    jurisdictions = selectors.jurisdiction_groups()
    return {
        **selectors.dashboard(groups=groups),
        "status_table": selectors.status_totals(jurisdictions),
        "map_error": map_error,
        "map_version": pagecache.generation(*MAP_KINDS),
        "chart": svg.activity_chart(
            selectors.activity_by_month(filed=filed, jurisdictions=jurisdictions)
        ),
        "recent": list(
            selectors.public_events().only(
                "occurred_on",
                "summary",
                "request__jurisdiction__name",
                "request__jurisdiction__state__postal_code",
            )[:10]
        ),  # fmt: skip
        "follow_form": FollowStateForm(states=[("", "Choose a state"), *states]),
    }


@pagecache.cached_page(kinds=("cases", "plan"), private=False)
def home(request):
    # Everything but the signed-in user's own reminders is the same for all.
    overview = fragments.cached_fragment(request, "public/_overview.html", _overview_context)
    return render(request, "home.html", {"overview": overview})


@pagecache.cached_page(kinds=MAP_KINDS, params=("state",), private=False)
def county_map(request):
    return render(request, "public/map.html", _map_parts(request))


def _stored(body: bytes) -> bytes:
    """
    A body kept compressed only, compressed once: every request that reads
    it moves a sixth of the bytes out of the cache. The rare client that
    takes no gzip gets it expanded.
    """
    return gzip.compress(body, compresslevel=6, mtime=0)


def _stored_response(request, stored: bytes, content_type: str) -> HttpResponse:
    """A response from a kept body: nothing is compressed again per request."""
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    body = stored if compressed else gzip.decompress(stored)
    response = HttpResponse(body, content_type=content_type)
    if compressed:
        response.headers["Content-Encoding"] = "gzip"  # GZipMiddleware leaves it alone
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


# Its own copy is kept compressed: not kept again whole.
@pagecache.cached_page(kinds=MAP_KINDS, private=False, whole=False)
def county_map_image(request):
    """
    The county map as an SVG image, for the overview. The same bytes for
    everyone until a case or a jurisdiction changes, kept compressed: the
    overview's URL for it carries the generation, so browsers keep it a day.
    """

    def build() -> bytes:
        return _stored(svg.county_map_image(selectors.map_statuses()).encode())

    try:
        parts = request.cached_page.kept("map.svg.gz", build)
    except topojson.AtlasMissing as exc:
        raise Http404(str(exc)) from None
    response = _stored_response(request, parts, "image/svg+xml")
    max_age = 86400 if request.GET.get("v") else 60
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


# --- following ---------------------------------------------------------------


# --- exports -----------------------------------------------------------------

# What the export reads of each case, as plain tuples in one query: no model
# instance and no dictionary per row. The jurisdiction's columns come first:
# they are worked out once per jurisdiction.
CSV_FIELDS = (
    "jurisdiction_id",
    "jurisdiction__name",
    "jurisdiction__state__postal_code",
    "jurisdiction__state__name",
    "jurisdiction__fips",
    "jurisdiction__scheduled_activation",
    "jurisdiction__actual_activation",
    "id",
    "requesting_official",
    "requesting_body",
    "requesting_body_other",
    "reasons",
    "stage",
    "opened_on",
    *selectors.STEP_FIELDS,
    "meeting_at_utc",
    "meeting_location",
    "closed_on",
    "outcome",
    "outcome_new_activation",
    "outcome_text",
    "scheduled_activation_at_filing",
    "activated_while_pending",
    "stage_entered_at_utc",
)

CSV_HEADER = (
    "id", "url", "jurisdiction", "state", "state_agreement", "fips", "requesting_official",
    "requesting_body", "requesting_office", "reasons", "stage", "is_open", "opened_on",
    *selectors.STEP_FIELDS, "meeting_at", "meeting_location", "closed_on", "outcome",
    "outcome_new_activation", "resolution", "scheduled_activation_at_filing",
    "scheduled_activation", "actual_activation", "activated_while_pending", "days_waiting",
    "stage_entered_at",
)  # fmt: skip


class _Formatted(dict):
    """Each value's text, worked out the first time the value is met: many cases share a day."""

    def __init__(self, form: Callable, empty):
        super().__init__({None: empty})
        self.form = form

    def __missing__(self, value):
        text = self[value] = self.form(value)
        return text


class LocalTimes(dict):
    """
    Times given as text in UTC ("2010-06-08 17:30:00.000000"), each as
    `(text in the zone, days from its local day to today)`, worked out once.
    The zone's offset is looked up once per hour of UTC and added to every
    time of that hour, unless the clocks change within it: the times of such
    an hour are converted one by one.
    """

    def __init__(self, zone, today: datetime.date):
        super().__init__({None: ("", "")})
        self.zone, self.today = zone, today
        self.hours: dict = {}

    def _hour(self, hour: str) -> tuple | None:
        """The offset of an hour ("2010-06-08 17") and how a time writes it, if it holds all hour."""
        start = datetime.datetime.fromisoformat(f"{hour}:00:00").replace(tzinfo=datetime.UTC)
        first = start.astimezone(self.zone)
        last = (start + datetime.timedelta(hours=1, microseconds=-1)).astimezone(self.zone)
        if first.utcoffset() != last.utcoffset():
            return None
        return first.utcoffset(), first.isoformat()[len("2010-06-08T17:00:00") :]

    def __missing__(self, utc: str) -> tuple[str, int]:
        hour = utc[:13]
        if hour not in self.hours:
            self.hours[hour] = self._hour(hour)
        found = self.hours[hour]
        moment = datetime.datetime.fromisoformat(utc)
        if found is None:
            local = moment.replace(tzinfo=datetime.UTC).astimezone(self.zone)
            text = local.isoformat()
        else:
            local = moment + found[0]
            text = local.isoformat() + found[1]
        value = self[utc] = (text, max((self.today - local.date()).days, 0))
        return value


class _Named:
    """What optouts.offices reads of a jurisdiction and its state."""

    __slots__ = ("name", "state")

    def __init__(self, name: str, state=None):
        self.name, self.state = name, state


class _Requester:
    """What optouts.offices reads of a case."""

    __slots__ = ("jurisdiction", "requesting_body", "requesting_body_other", "requesting_official")

    def __init__(self, jurisdiction: _Named, body: str, other: str, official: str):
        self.jurisdiction = jurisdiction
        self.requesting_body, self.requesting_body_other = body, other
        self.requesting_official = official


class _Echo:
    def write(self, value):
        return value


# What makes the csv module quote a cell (csv.QUOTE_MINIMAL): the delimiter,
# the quote character or a line break.
_NEEDS_QUOTES = re.compile(r'[,"\r\n]').search


class _Cells(dict):
    """
    Each value as the csv module writes it among others in a line (quoted if
    it holds a comma, a quote or a line break), after `form`: worked out once
    per value.
    """

    def __init__(self, form: Callable = str):
        super().__init__({None: ""})
        self.form, self.writer = form, csv.writer(_Echo())

    def __missing__(self, value) -> str:
        cell = self[value] = self.encode(value)
        return cell

    def encode(self, value) -> str:
        text = self.form(value)
        if isinstance(text, str) and not _NEEDS_QUOTES(text):
            return text  # what the csv module writes of it too, without a call to it
        # A lone empty cell is written '""' (not a blank line); among others it is empty.
        return self.writer.writerow([text])[: -len("\r\n")] if text != "" else ""


def csv_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """
    The export's line for each row of CSV_FIELDS, each cell quoted by the csv
    module. What every row shares (the site's address, the labels, the time
    zone, today) is worked out once, a jurisdiction's cells and its offices'
    names once per jurisdiction, each date, time or label once per value.
    Every cell a person typed (names, reasons, places, offices, agreements)
    is defused; the site's own cells (numbers, links, dates, labels, yes/no)
    cannot start a formula. Dates and times, in ISO form, need no quotes.
    """
    case_url = services.absolute(reverse("optouts:detail", args=[0]))[: -len("0/")]
    agreements = state_agreement_statuses()  # each state's agreement with ICE, as of now
    bodies, stages = dict(RequestingBody.choices), dict(Stage.choices)
    outcomes = dict(Outcome.choices)
    today = timezone.localdate()
    moments = LocalTimes(timezone.get_current_timezone(), today)
    open_stages = frozenset(OPEN_STAGES)
    days = _Formatted(datetime.date.isoformat, "")
    person = _Cells(csvsafe.defuse)
    body_cells = _Cells(lambda body: bodies.get(body, body))
    stage_cells = _Cells(lambda stage: stages.get(stage, stage))
    outcome_cells = _Cells(lambda outcome: outcomes.get(outcome, outcome))
    url_cells = _Cells()
    # A link is written as it is unless the site's address needs quotes.
    plain_urls = url_cells[f"{case_url}0/"] == f"{case_url}0/"
    places: dict = {}
    offices: dict = {}
    for (
        place_id, name, code, state_name, fips, scheduled, actual,
        pk, official, body, other, reasons, stage, opened,
        notice_sent, meeting_requested, meeting_scheduled, meeting_held, resolved, withdrawn,
        meeting_at, meeting_location, closed, outcome, new_activation, resolution,
        scheduled_at_filing, activated_while_pending, stage_entered_at,
    ) in rows:  # fmt: skip
        place = places.get(place_id)
        if place is None:
            place = places[place_id] = (
                _Named(name, _Named(state_name)),
                ",".join(person.encode(v) for v in (name, code, agreements.get(code, ""), fips)),
                f"{days[scheduled]},{days[actual]}",
            )
        # An office of a listed kind is named from its jurisdiction alone.
        key = (place_id, body) if body in OFFICE_NAMES else (place_id, body, other, official)
        office = offices.get(key)
        if office is None:
            requester = _Requester(place[0], body, other, official)
            office = offices[key] = person.encode(requesting_office(requester))
        entered, waited = moments[stage_entered_at]
        is_open = stage in open_stages
        url = f"{case_url}{pk}/"
        yield ",".join((
            str(pk), url if plain_urls else url_cells.encode(url), place[1], person[official],
            body_cells[body], office, person.encode(reasons), stage_cells[stage],
            "yes" if is_open else "no", days[opened], days[notice_sent], days[meeting_requested],
            days[meeting_scheduled], days[meeting_held], days[resolved], days[withdrawn],
            moments[meeting_at][0], person[meeting_location], days[closed],
            outcome_cells[outcome], days[new_activation], person[resolution],
            days[scheduled_at_filing], place[2], "yes" if activated_while_pending else "no",
            str(waited) if is_open else "", entered,
        )) + "\r\n"  # fmt: skip


def _unknown_state(exc: ValidationError) -> HttpResponse:
    """
    A file asked for a state that does not exist: said plainly, as the lists
    say it, rather than cut to two letters into another state's file.
    """
    return HttpResponseBadRequest(exc.messages[0], content_type="text/plain; charset=utf-8")


# The file keeps its own compressed copy: not kept again whole.
@pagecache.cached_page(kinds=("cases", "plan"), params=("state",), private=False, whole=False)
def cases_csv(request):
    """
    Every public case, one row each. The same file for everyone until a case
    or the plan changes: streamed the first time (it can hold every case),
    then served from the copy kept compressed (core/pagecache.py).
    """
    try:
        state = clean_state(request.cached_page.query.get("state", ""))
    except ValidationError as exc:
        return _unknown_state(exc)

    def rows():
        cases = selectors.cases_for_export()
        if state:
            cases = cases.filter(jurisdiction__state__postal_code__iexact=state)
        lines = csv_lines(cases.values_list(*CSV_FIELDS).iterator(chunk_size=2000))
        yield csv.writer(_Echo()).writerow(CSV_HEADER)
        # A thousand lines to a chunk: the file is written in a few hundred
        # pieces, not one per case.
        while chunk := "".join(itertools.islice(lines, 1000)):
            yield chunk

    stored, streamed = request.cached_page.kept_stream(
        "cases.csv.gz", rows, lambda lines: _stored("".join(lines).encode())
    )
    if stored is not None:
        response = _stored_response(request, stored, "text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(streamed, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="optout-requests.csv"'
    return response


@pagecache.cached_page(kinds=("plan",), private=False)
def data_page(request):
    """Where the feeds, the exports and the API are, in one page."""
    return render(
        request,
        "public/data.html",
        {"states": selectors.states(), "schema_url": reverse("public:api-schema")},
    )


def favicon(request):
    """
    Browsers and feed readers ask for /favicon.ico whatever a page links to:
    sent on to the static icon, whose hashed name may change with each release.
    """
    response = redirect(static("favicon.ico"))
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
