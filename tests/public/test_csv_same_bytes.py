"""
/cases.csv is built from plain tuples, each shared value worked out once, yet
holds byte for byte what the export built column by column held: the reference
below is that earlier builder, kept here only to compare.
"""

import csv
import datetime
import operator

from django.urls import reverse
from django.utils import timezone

from core import csvsafe
from jurisdictions.selectors import state_agreement_statuses
from optouts import services as optouts
from optouts.models import OPEN_STAGES, OptOutRequest, Outcome, RequestingBody, Stage
from optouts.offices import requesting_office
from public import selectors, services
from tests.factories import JurisdictionFactory, StateFactory, UserFactory, case_with_notice_sent

FIELDS = (
    "id", "jurisdiction__name", "jurisdiction__state__postal_code", "jurisdiction__state__name",
    "jurisdiction__fips", "requesting_official", "requesting_body", "requesting_body_other",
    "reasons", "stage", "opened_on", *selectors.STEP_FIELDS, "meeting_at", "meeting_location",
    "closed_on", "outcome", "outcome_new_activation", "outcome_text",
    "scheduled_activation_at_filing", "jurisdiction__scheduled_activation",
    "jurisdiction__actual_activation", "activated_while_pending", "stage_entered_at",
)  # fmt: skip

OURS = {
    "id", "url", "requesting_body", "stage", "is_open", "opened_on", *selectors.STEP_FIELDS,
    "meeting_at", "closed_on", "outcome", "outcome_new_activation",
    "scheduled_activation_at_filing", "scheduled_activation", "actual_activation",
    "activated_while_pending", "days_waiting", "stage_entered_at",
}  # fmt: skip


class _Named:
    def __init__(self, name, state=None):
        self.name, self.state = name, state


class _Requester:
    def __init__(self, row):
        self.requesting_body = row["requesting_body"]
        self.requesting_body_other = row["requesting_body_other"]
        self.requesting_official = row["requesting_official"]
        state = _Named(row["jurisdiction__state__name"])
        self.jurisdiction = _Named(row["jurisdiction__name"], state)


def _reference_columns():
    case_url = services.absolute(reverse("optouts:detail", args=[0]))[: -len("0/")]
    agreements = state_agreement_statuses()
    bodies, stages, outcomes = (
        dict(RequestingBody.choices),
        dict(Stage.choices),
        dict(Outcome.choices),
    )
    zone, today = timezone.get_current_timezone(), timezone.localdate()

    def day(value):
        return "" if value is None else value.isoformat()

    def moment(value):
        if value is None:
            return "", None
        local = value.astimezone(zone)
        return local.isoformat(), local.date()

    def field(name, read=None):
        return operator.itemgetter(name) if read is None else (lambda r: read(r[name]))

    def waiting(r):
        if r["stage"] not in OPEN_STAGES:
            return ""
        entered = moment(r["stage_entered_at"])[1]
        return max((today - entered).days, 0) if entered else ""

    state_code = "jurisdiction__state__postal_code"
    return [
        ("id", field("id")),
        ("url", lambda r: f"{case_url}{r['id']}/"),
        ("jurisdiction", field("jurisdiction__name")),
        ("state", field(state_code)),
        ("state_agreement", lambda r: agreements.get(r[state_code], "")),
        ("fips", field("jurisdiction__fips")),
        ("requesting_official", field("requesting_official")),
        ("requesting_body", lambda r: bodies.get(r["requesting_body"], r["requesting_body"])),
        ("requesting_office", lambda r: requesting_office(_Requester(r))),
        ("reasons", field("reasons")),
        ("stage", lambda r: stages.get(r["stage"], r["stage"])),
        ("is_open", lambda r: "yes" if r["stage"] in OPEN_STAGES else "no"),
        ("opened_on", field("opened_on", day)),
        *[(name, field(name, day)) for name in selectors.STEP_FIELDS],
        ("meeting_at", lambda r: moment(r["meeting_at"])[0]),
        ("meeting_location", field("meeting_location")),
        ("closed_on", field("closed_on", day)),
        ("outcome", lambda r: outcomes.get(r["outcome"], r["outcome"])),
        ("outcome_new_activation", field("outcome_new_activation", day)),
        ("resolution", field("outcome_text")),
        ("scheduled_activation_at_filing", field("scheduled_activation_at_filing", day)),
        ("scheduled_activation", field("jurisdiction__scheduled_activation", day)),
        ("actual_activation", field("jurisdiction__actual_activation", day)),
        ("activated_while_pending", lambda r: "yes" if r["activated_while_pending"] else "no"),
        ("days_waiting", waiting),
        ("stage_entered_at", lambda r: moment(r["stage_entered_at"])[0]),
    ]


class _Echo:
    def write(self, value):
        return value


def _reference_csv(state=""):
    writer = csv.writer(_Echo())
    columns = _reference_columns()
    cases = selectors.cases_for_export()
    if state:
        cases = cases.filter(jurisdiction__state__postal_code__iexact=state)
    lines = [writer.writerow([name for name, _ in columns])]
    for row in cases.values(*FIELDS):
        cells = [read(row) for _, read in columns]
        cells = [
            cell if name in OURS else csvsafe.defuse(cell)
            for (name, _), cell in zip(columns, cells, strict=True)
        ]
        lines.append(writer.writerow(cells))
    return "".join(lines).encode()


def _cases_of_every_kind():
    """Open, met, resolved and withdrawn cases; every kind of requester; formulas; quotes."""
    today = timezone.localdate()
    user = UserFactory()
    state = StateFactory(postal_code="XQ", name="Quebecia", fips="77")
    places = [
        JurisdictionFactory(state=state, name="Marker County", fips="77001"),
        JurisdictionFactory(state=state, name='=Formula "Quoted", County', fips="77003"),
        JurisdictionFactory(name="Juneau City and Borough", actual_activation=today),
        JurisdictionFactory(name="Lone", scheduled_activation=None),
    ]
    bodies = [*RequestingBody.values]
    texts = ["Sheriff Hennessey", "=HYPERLINK(1)", " -2+3", "@SUM(1)", 'Line\nbreak, "quoted"']
    made = []
    for n, body in enumerate(bodies):
        case = case_with_notice_sent(
            jurisdiction=places[n % len(places)],
            user=user,
            requesting_official=texts[n % len(texts)],
            opened_on=today - datetime.timedelta(days=40 + n),
        )
        extra = {"requesting_body": body, "reasons": texts[(n + 1) % len(texts)]}
        if body == RequestingBody.OTHER:
            extra["requesting_body_other"] = texts[(n + 2) % len(texts)]
        OptOutRequest.objects.filter(pk=case.pk).update(**extra)
        made.append(case)
    moment = timezone.now().replace(microsecond=0) - datetime.timedelta(days=3, hours=5)
    optouts.optout_request_meeting(case_id=made[0].pk, user=user, occurred_on=today)
    OptOutRequest.objects.filter(pk=made[1].pk).update(
        stage=Stage.MEETING_SCHEDULED, meeting_at=moment, meeting_location="+Field office"
    )
    OptOutRequest.objects.filter(pk=made[2].pk).update(
        stage=Stage.RESOLVED,
        outcome=Outcome.values[0],
        outcome_text="-Denied, in part",
        outcome_new_activation=today + datetime.timedelta(days=9),
        closed_on=today - datetime.timedelta(days=2),
        stage_entered_at=moment,
    )
    OptOutRequest.objects.filter(pk=made[3].pk).update(stage=Stage.WITHDRAWN, closed_on=today)
    OptOutRequest.objects.filter(pk=made[4].pk).update(
        stage_entered_at=timezone.now() + datetime.timedelta(days=2)
    )
    optouts.optout_create(  # a draft: not in the file
        jurisdiction=places[0], user=user, requesting_official="Draft", requesting_body="sheriff"
    )
    return made


def _body(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_export_holds_the_same_bytes_as_the_reference(client, db):
    _cases_of_every_kind()
    assert _body(client, reverse("public:cases_csv")) == _reference_csv()
    assert _body(client, reverse("public:cases_csv") + "?state=xq") == _reference_csv("xq")


def test_each_cell_is_written_as_the_csv_module_writes_it():
    import io

    from public.views import _Cells

    texts = ["", " ", "plain", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "\ttab", " lead",
             "trail ", "'quote", "é ü ß", "\u2028sep", "=1+1", "x;y", "back\\slash", 5, 0]  # fmt: skip
    cells = _Cells()
    for text in texts:
        out = io.StringIO()
        csv.writer(out).writerow(["a", text, "b"])
        assert f"a,{cells.encode(text)},b\r\n" == out.getvalue(), repr(text)
