"""
The CSV export is written from plain values (one query, no model instance per
row), yet says of every case what the case itself says.
"""

import csv
import datetime
import io

from django.urls import reverse
from django.utils import timezone

from optouts.offices import requesting_office
from public import selectors
from tests.factories import JurisdictionFactory, case_with_notice_sent


def _rows(client, path=None):
    response = client.get(path or reverse("public:cases_csv"))
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_every_column_says_what_the_case_says(client, public_case):
    moment = timezone.now() + datetime.timedelta(days=2)
    type(public_case).objects.filter(pk=public_case.pk).update(
        meeting_at=moment, meeting_location="Field office", requesting_body="governor"
    )
    (row,) = _rows(client)
    case = selectors.cases_for_export().get(pk=public_case.pk)
    zone = timezone.get_current_timezone()
    assert row["id"] == str(case.pk)
    assert row["url"].endswith(f"/cases/{case.pk}/")
    assert row["requesting_office"] == requesting_office(case) == "Office of the Governor of Quebecia"
    assert row["meeting_at"] == case.meeting_at.astimezone(zone).isoformat()
    assert row["stage_entered_at"] == case.stage_entered_at.astimezone(zone).isoformat()
    assert row["days_waiting"] == str(case.days_in_stage())
    assert row["is_open"] == "yes"
    assert row["notice_sent_on"] == case.notice_sent_on.isoformat()
    assert row["closed_on"] == row["resolved_on"] == row["outcome_new_activation"] == ""
    assert row["activated_while_pending"] == "no"
    assert row["scheduled_activation"] == case.jurisdiction.scheduled_activation.isoformat()


def test_a_state_file_holds_that_states_cases_only(client, public_case):
    other = JurisdictionFactory(name="Elsewhere County")
    case_with_notice_sent(jurisdiction=other)
    assert {r["jurisdiction"] for r in _rows(client)} == {"Marker County", "Elsewhere County"}
    rows = _rows(client, reverse("public:cases_csv") + "?state=XQ")
    assert [r["jurisdiction"] for r in rows] == ["Marker County"]


def test_the_csv_costs_the_same_queries_for_one_case_and_for_ten(
    client, public_case, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        assert len(_rows(client)) == 1
    for _ in range(9):
        case_with_notice_sent()
    with django_assert_max_num_queries(2):
        assert len(_rows(client)) == 10
