"""
A state's agreement with ICE as dated records: loaded for California and D.C.,
shown on the state page, among its cases' events, in the API and the CSV.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from jurisdictions.models import State, StateAgreementEvent
from jurisdictions.selectors import agreements_among, state_agreement_statuses
from jurisdictions.services import directory_load_census, state_agreements_load
from tests.factories import JurisdictionFactory, OptOutRequestFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def census(db):
    directory_load_census()
    return {s.postal_code: s for s in State.objects.filter(postal_code__in=["CA", "DC"])}


def test_california_and_dc_agreements_are_on_record_with_their_precision(census):
    ca = list(census["CA"].agreement_events.values_list("kind", "occurred_on", "precision"))
    assert ca == [("signed", D(2009, 1, 23), "day")]
    dc = list(census["DC"].agreement_events.order_by("occurred_on"))
    assert [(e.kind, e.date_shown) for e in dc] == [
        ("signed", "November 2009"),
        ("terminated", "on or before Jul 31, 2010"),
        ("ice_terminated_all", "Aug 5, 2011"),
    ]
    assert "Lanier" in dc[0].signed_by
    assert state_agreements_load() == 0  # loading again adds nothing
    assert state_agreement_statuses()["DC"] == "Not required by ICE"
    assert dc[0].history.count() == 1


def test_a_record_in_the_future_is_refused():
    state = JurisdictionFactory().state
    record = StateAgreementEvent(state=state, kind="signed", occurred_on=D(2099, 1, 1))
    with pytest.raises(ValidationError, match="future"):
        record.full_clean()


def test_the_state_page_shows_the_agreement_in_date_order(client, census):
    body = client.get("/jurisdictions/states/DC/").content.decode()
    assert body.index("November 2009") < body.index("on or before Jul 31, 2010")
    assert "Chief Cathy L. Lanier" in body and 'id="agreement-status">Not required by ICE' in body
    assert client.get("/jurisdictions/states/ZZ/").status_code == 404


def test_the_agreement_is_placed_among_a_case_s_events_by_date(client, census):
    dc = census["DC"].jurisdictions.get()
    case = OptOutRequestFactory(jurisdiction=dc, opened_on=D(2010, 6, 1))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    body = client.get(case.get_absolute_url()).content.decode()
    timeline = body[body.index('id="timeline"') :]
    assert timeline.index("Agreement signed") < timeline.index("ICE ended all agreements")
    assert not case.events.filter(summary__icontains="agreement").exists()  # not copied


def test_agreements_among_places_records_before_the_first_later_event():
    class R:
        def __init__(self, day):
            self.occurred_on, self.pk = day, 1

    a, b = R(D(2009, 1, 1)), R(D(2011, 1, 1))
    placed = agreements_among(agreements=[b, a], dates=[D(2010, 1, 1), D(2010, 6, 1)])
    assert placed == [[a], [], [b]]


def test_the_api_lists_the_agreements_and_the_schema_documents_them(client, census):
    data = client.get("/api/state-agreements/?state=DC").json()
    assert [r["kind"] for r in data["results"]] == ["signed", "terminated", "ice_terminated_all"]
    assert data["results"][1]["precision"] == "on_or_before"
    schema = client.get("/api/schema/").content.decode()
    assert "/api/state-agreements/" in schema


def test_the_csv_has_each_case_s_state_agreement(census):
    import csv

    from public.views import CSV_FIELDS, CSV_HEADER, csv_lines

    def agreement(code: str) -> str:
        row = dict.fromkeys(CSV_FIELDS, "") | {
            "jurisdiction_id": code,
            "jurisdiction__state__postal_code": code,
            "requesting_body": "sheriff",
            "stage": "notice_sent",
        }
        row |= {
            name: None
            for name in CSV_FIELDS
            if name.endswith(("_on", "_utc", "activation", "filing"))
        }
        (line,) = csv_lines([tuple(row.values())])
        (cells,) = csv.reader([line])
        return cells[CSV_HEADER.index("state_agreement")]

    assert agreement("CA") == "In force"
    assert agreement("TX") == ""
