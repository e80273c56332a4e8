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
        assert all(e.find(f"{ATOM}id").text.startswith("tag:scomm,2010:case-event/") for e in entries)
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


def test_the_csv_keeps_a_fixed_number_of_queries(
    client, public_case, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("public:cases_csv"))
        b"".join(response.streaming_content)


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
