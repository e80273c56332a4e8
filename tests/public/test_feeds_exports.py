import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from optouts import services as optouts
from tests.factories import JurisdictionFactory, UserFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _atom(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_the_atom_feeds_parse_and_have_entries(client, public_case):
    for url in (
        reverse("public:feed_events"),
        reverse("public:feed_case", args=[public_case.pk]),
        reverse("public:feed_state", args=["xq"]),
    ):
        root = _atom(client, url)
        assert root.tag == f"{ATOM}feed"
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == public_case.events.filter(is_public=True).count(), url
        titles = [e.find(f"{ATOM}title").text for e in entries]
        assert "Marker County, XQ: Meeting requested" in titles
        assert all(
            e.find(f"{ATOM}id").text.startswith("tag:scomm,2010:case-event/") for e in entries
        )
        assert root.find(f"{ATOM}id").text.startswith("tag:scomm,2010:feed/")


def test_a_state_feed_holds_only_that_state(client, public_case):
    other = JurisdictionFactory(name="Elsewhere County")
    user = UserFactory()
    case = optouts.optout_create(
        jurisdiction=other, user=user, requesting_official="X", requesting_body="sheriff"
    )
    for r in ("sib", "ice"):
        optouts.delivery_record(
            case_id=case.pk,
            user=user,
            recipient=r,
            recipient_name=r,
            method="fax",
            sent_on=timezone.localdate(),
        )
    body = client.get(reverse("public:feed_state", args=["XQ"])).content.decode()
    assert "Marker County" in body and "Elsewhere County" not in body
    assert "Elsewhere County" in client.get(reverse("public:feed_events")).content.decode()


def test_an_unknown_state_or_case_feed_is_a_404(client, db):
    assert client.get("/feeds/states/ZZ.atom").status_code == 404
    assert client.get("/feeds/cases/987654.atom").status_code == 404


def test_the_csv_has_one_row_per_public_case_with_the_date_of_each_step(
    client, public_case, draft_case
):
    response = client.get(reverse("public:cases_csv"))
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    row = rows[0]
    today = timezone.localdate()
    assert row["jurisdiction"] == "Marker County"
    assert row["state"] == "XQ"
    assert row["stage"] == "Meeting requested"
    assert row["opened_on"] == str(today - datetime.timedelta(days=20))
    assert row["notice_sent_on"] == str(today - datetime.timedelta(days=15))
    assert row["meeting_requested_on"] == str(today)
    assert row["resolved_on"] == ""
    assert row["days_waiting"] == "0"
    assert row["reasons"] == "Trust between police and the community."


def test_the_csv_defuses_spreadsheet_formulas(client, public_case):
    type(public_case).objects.filter(pk=public_case.pk).update(requesting_official="=HYPERLINK(1)")
    body = b"".join(client.get(reverse("public:cases_csv")).streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def _queries(client, url, django_assert_num_queries_capture):
    with django_assert_num_queries_capture() as captured:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, url
    return len(captured.captured_queries), body


def _cases_of_every_shape(user):
    """Cases unlike the first: many events, a correspondence with files, resolved, withdrawn, met."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from correspondence import log
    from optouts.models import Outcome

    today = timezone.localdate()
    for n, shape in enumerate(["events", "files", "denied", "withdrawn", "meeting"]):
        jurisdiction = JurisdictionFactory(name=f"Shape {shape} County")
        case = optouts.optout_create(
            jurisdiction=jurisdiction,
            user=user,
            requesting_official=f"Sheriff {n}",
            requesting_body="sheriff",
            opened_on=today - datetime.timedelta(days=30),
        )
        for recipient in ("sib", "ice"):
            optouts.delivery_record(
                case_id=case.pk,
                user=user,
                recipient=recipient,
                recipient_name=recipient,
                method="fax",
                sent_on=today - datetime.timedelta(days=25),
            )
        if shape == "events":
            for i in range(12):
                optouts.event_record(
                    case_id=case.pk, user=user, kind="note", summary=f"Call {i}", is_public=True
                )
        elif shape == "files":
            log.correspondence_record(
                case_id=case.pk,
                user=user,
                direction="in",
                method="letter",
                occurred_on=today,
                sender="ICE",
                recipient="Sheriff",
                summary="ICE answered with two pages.",
                files=[
                    SimpleUploadedFile(f"page-{i}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
                    for i in range(2)
                ],
            )
        elif shape == "denied":
            optouts.optout_resolve(case_id=case.pk, user=user, outcome=Outcome.DENIED)
        elif shape == "withdrawn":
            optouts.optout_withdraw(
                case_id=case.pk, user=user, reason="The board changed its mind."
            )
        else:
            optouts.optout_request_meeting(case_id=case.pk, user=user, occurred_on=today)
            optouts.optout_schedule_meeting(
                case_id=case.pk,
                user=user,
                meeting_at=timezone.now() + datetime.timedelta(days=2),
                location="Field office",
            )


@pytest.mark.parametrize(
    "url",
    [
        "/cases.csv",
        "/feeds/events.atom",
        "/feeds/states/XQ.atom",
        "/calendar.ics",
        "/api/cases/",
        "/api/events/",
    ],
)
def test_the_csv_feeds_and_calendar_keep_their_queries_with_cases_of_every_shape(
    client, public_case, url
):
    """The same number of queries for one case as for six of every shape: no query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def capture():
        return CaptureQueriesContext(connection)

    one, _ = _queries(client, url, capture)
    _cases_of_every_shape(UserFactory())
    several, body = _queries(client, url, capture)
    assert several == one, (url, one, several)
    if url in ("/cases.csv", "/feeds/events.atom", "/api/cases/"):
        assert b"Shape events County" in body and b"Shape meeting County" in body, url
    if url == "/cases.csv":
        assert several <= 2  # the README's figure: the CSV is one query over the public events


def test_the_calendar_parses_with_activations_and_meetings(client, public_case):
    when = timezone.now() + datetime.timedelta(days=3)
    optouts.optout_schedule_meeting(
        case_id=public_case.pk, user=None, meeting_at=when, location="ICE field office"
    )
    activated = JurisdictionFactory(
        name="Activated County", actual_activation=datetime.date(2010, 6, 1)
    )
    response = client.get(reverse("public:calendar"))
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert "Scheduled activation: Marker County, XQ" in events
    assert f"Activated: {activated}" in events
    meeting = events["Opt-out meeting: Marker County, XQ"]
    assert (
        meeting.decoded("dtstart") == when.replace(microsecond=0)
        or meeting.decoded("dtstart") == when
    )
    assert str(meeting["location"]) == "ICE field office"
    assert all("dtstamp" in e and "uid" in e for e in events.values())
    only_qc = Calendar.from_ical(client.get(reverse("public:calendar"), {"state": "XQ"}).content)
    assert all("XQ" in str(e["summary"]) for e in only_qc.walk("VEVENT"))
