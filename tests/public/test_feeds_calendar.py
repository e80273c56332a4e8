"""The calendars as a calendar app reads them (icalendar): per state, per case, open cases only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from optouts import services as optouts
from optouts.models import Outcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _events(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/calendar")
    return {str(e["summary"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


@pytest.fixture
def meeting(public_case):
    when = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    optouts.optout_schedule_meeting(
        case_id=public_case.pk, user=UserFactory(), meeting_at=when, location="Field office"
    )
    return when


def test_a_case_calendar_holds_its_meeting_and_its_jurisdictions_activation(
    client, public_case, meeting
):
    events = _events(client, reverse("public:case_calendar", args=[public_case.pk]))
    assert set(events) == {
        "Opt-out meeting: Marker County, XQ",
        "Scheduled activation: Marker County, XQ",
    }
    assert events["Opt-out meeting: Marker County, XQ"].decoded("dtstart") == meeting


def test_a_state_calendar_holds_only_that_state(client, public_case, meeting):
    from tests.factories import JurisdictionFactory

    JurisdictionFactory(name="Elsewhere County", scheduled_activation=datetime.date(2011, 1, 1))
    assert all(
        "XQ" in summary for summary in _events(client, reverse("public:calendar"), state="xq")
    )
    assert any("Elsewhere" in summary for summary in _events(client, reverse("public:calendar")))


def test_a_resolved_cases_meeting_leaves_every_calendar(client, public_case, meeting):
    user = UserFactory()
    assert "Opt-out meeting: Marker County, XQ" in _events(client, reverse("public:calendar"))
    optouts.optout_resolve(case_id=public_case.pk, user=user, outcome=Outcome.DENIED)
    for url in (
        reverse("public:calendar"),
        reverse("public:calendar") + "?state=XQ",
        reverse("public:case_calendar", args=[public_case.pk]),
    ):
        assert not any(s.startswith("Opt-out meeting") for s in _events(client, url)), url


def test_a_draft_or_unknown_cases_calendar_is_a_404(client, draft_case):
    assert client.get(reverse("public:case_calendar", args=[draft_case.pk])).status_code == 404
    assert client.get("/cases/987654/calendar.ics").status_code == 404


def test_the_same_data_gives_the_same_calendar(client, public_case, meeting):
    url = reverse("public:calendar")
    assert client.get(url).content == client.get(url).content


def test_the_pages_that_offer_a_calendar_offer_to_subscribe(client, public_case, settings):
    settings.SCOMM_SITE_URL = settings.SITE_URL = "https://scomm.example.org"
    data = client.get(reverse("public:data")).content.decode()
    assert 'href="webcal://scomm.example.org/calendar.ics"' in data
    assert 'href="webcal://scomm.example.org/calendar.ics?state=XQ"' in data
    page = client.get(reverse("optouts:detail", args=[public_case.pk])).content.decode()
    assert f'href="webcal://scomm.example.org/cases/{public_case.pk}/calendar.ics"' in page


def test_every_page_with_a_feed_names_it_for_feed_readers(client, public_case, draft_case):
    import feedparser  # noqa: F401  (its finder is what readers use; here the markup is checked)

    def alternates(url):
        html = client.get(url).content.decode()
        return [
            line.split('href="', 1)[1].split('"', 1)[0]
            for line in html.splitlines()
            if 'rel="alternate" type="application/atom+xml"' in line
        ]

    state_feed = reverse("public:feed_state", args=["XQ"])
    assert alternates(reverse("home")) == [reverse("public:feed_events")]
    assert alternates(reverse("optouts:detail", args=[public_case.pk])) == [
        reverse("public:feed_case", args=[public_case.pk]),
        state_feed,
    ]
    assert alternates(reverse("jurisdictions:detail", args=[public_case.jurisdiction_id])) == [
        state_feed
    ]
    assert alternates(reverse("optouts:list") + "?state=xq") == [state_feed]
    assert alternates(reverse("jurisdictions:list") + "?state=XQ") == [state_feed]
    # Nothing that would be a 404: an unknown state, a case still in draft.
    assert alternates(reverse("optouts:list") + "?state=ZZ") == []
    assert alternates(reverse("optouts:list")) == []
    for url in [*alternates(reverse("optouts:detail", args=[public_case.pk]))]:
        assert client.get(url).status_code == 200
