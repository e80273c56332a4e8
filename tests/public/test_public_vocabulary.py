"""
One word for one thing on the public side: a jurisdiction's status reads the
same on the map, its page, the list and the API; a state is chosen by name
and an unknown one is refused, never cut short; the chart covers all years.
"""

import datetime

import pytest
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from optouts.status import JurisdictionStatus, status_of
from public import selectors, svg
from tests.factories import JurisdictionFactory, StateFactory

pytestmark = pytest.mark.django_db


def test_the_rule_puts_a_pending_request_above_activation():
    plan = Jurisdiction.PlanStatus
    day = datetime.date(2010, 5, 1)
    assert status_of(plan_status=plan.ACTIVATED, actual_activation=day, pending=True) == "pending"
    assert status_of(plan_status=plan.REMOVED, actual_activation=None, pending=True) == "removed"
    assert status_of(plan_status=plan.SCHEDULED, actual_activation=day, pending=False) == (
        "activated"
    )
    assert status_of(plan_status=plan.POSTPONED, actual_activation=None, pending=False) == (
        "postponed"
    )


def test_an_activated_county_with_a_pending_request_reads_the_same_everywhere(client, public_case):
    Jurisdiction.objects.filter(pk=public_case.jurisdiction_id).update(
        fips="06075", plan_status="activated", actual_activation=datetime.date(2010, 5, 1)
    )
    label = JurisdictionStatus.PENDING.label
    map_page = client.get(reverse("public:map")).content.decode()
    assert f"Marker County, XQ: {label}</title>" in map_page
    page = client.get(reverse("jurisdictions:detail", args=[public_case.jurisdiction_id]))
    assert f'<span class="badge status-pending">{label}</span>' in page.content.decode()
    listing = client.get(reverse("jurisdictions:list"), {"state": "XQ"}).content.decode()
    assert f'<span class="badge status-pending">{label}</span>' in listing
    api = client.get(reverse("public:api-jurisdiction-list"), {"state": "XQ"}).json()
    assert api["results"][0]["status"] == "pending"
    assert api["results"][0]["plan_status"] == "activated"


def test_the_case_list_and_the_overview_both_say_days_waiting(client, public_case):
    cases = client.get(reverse("optouts:list")).content.decode()
    assert "Days waiting" in cases and "Days in stage" not in cases
    assert "Days waiting" in client.get(reverse("home")).content.decode()


def test_open_requests_come_first_by_default(client, public_case):
    from optouts import services as optouts
    from optouts.models import OptOutRequest
    from tests.factories import case_with_notice_sent

    closed = case_with_notice_sent(jurisdiction=JurisdictionFactory(name="Long Closed County"))
    optouts.optout_withdraw(case_id=closed.pk, user=closed.created_by, reason="Other plans.")
    # Closed in 2010: the longest "in its stage", yet waiting for nothing.
    OptOutRequest.objects.filter(pk=closed.pk).update(
        stage_entered_at=datetime.datetime(2010, 2, 1, tzinfo=datetime.UTC)
    )
    body = client.get(reverse("optouts:list")).content.decode()
    assert body.index("Marker County") < body.index("Long Closed County")


def test_the_state_filter_is_a_list_of_names_and_refuses_an_unknown_state(client, public_case):
    StateFactory(postal_code="NC", name="North Carolina", fips="37")
    body = client.get(reverse("optouts:list")).content.decode()
    assert '<select name="state"' in body and '<option value="NC">North Carolina</option>' in body
    body = client.get(reverse("optouts:list"), {"state": "North Carolina"}).content.decode()
    assert "No state has the postal code “NORTH CAROLINA”" in body
    body = client.get(reverse("jurisdictions:list"), {"state": "CAX"}).content.decode()
    assert "No state has the postal code “CAX”" in body
    body = client.get(reverse("public:map"), {"state": "CAX"}).content.decode()
    assert 'id="state-error"' in body and "CAX" in body


def test_the_exports_refuse_an_unknown_state_instead_of_cutting_it(client, public_case):
    for name in ("public:cases_csv", "public:calendar"):
        response = client.get(reverse(name), {"state": "XQX"})
        assert response.status_code == 400, name
        assert "No state has the postal code “XQX”" in response.content.decode()
        assert client.get(reverse(name), {"state": "xq"}).status_code == 200


def test_the_list_downloads_follow_the_chosen_state(client, public_case):
    body = client.get(reverse("optouts:list"), {"state": "XQ"}).content.decode()
    assert f"{reverse('public:cases_csv')}?state=XQ" in body
    assert f"{reverse('public:calendar')}?state=XQ" in body
    body = client.get(reverse("jurisdictions:list"), {"state": "XQ"}).content.decode()
    assert f"{reverse('public:cases_csv')}?state=XQ" in body


def test_the_chart_covers_every_year_of_the_data(public_case):
    JurisdictionFactory(actual_activation=datetime.date(2008, 10, 27), plan_status="activated")
    JurisdictionFactory(actual_activation=datetime.date(2010, 3, 2), plan_status="activated")
    rows = selectors.activity_by_month()
    assert rows[0]["month"] <= datetime.date(2008, 10, 1)
    assert sum(r["activations"] for r in rows) == 2
    assert sum(r["requests"] for r in rows) == 1
    assert len(rows) <= 80
    chart = svg.activity_chart(rows)
    assert ">2008<" in chart or ">2010<" in chart
    assert chart.count('class="bar-activations"') == 2


def test_a_renamed_county_is_coloured_and_linked(client):
    state = StateFactory(postal_code="SD", name="South Dakota", fips="46")
    shannon = JurisdictionFactory(state=state, name="Shannon County", fips="46113")
    body = client.get(reverse("public:map")).content.decode()
    assert f'<a href="/jurisdictions/{shannon.pk}/" class="c-scheduled" data-fips="46102">' in (
        body
    )


def test_a_state_zooms_to_its_counties_alone_each_listed(client):
    state = StateFactory(postal_code="SD", name="South Dakota", fips="46")
    county = JurisdictionFactory(state=state, name="Minnehaha County", fips="46099")
    body = client.get(reverse("public:map"), {"state": "sd"}).content.decode()
    assert "Counties of South Dakota" in body
    assert 'class="county-map state-map"' in body
    assert 'data-fips="06075"' not in body
    assert f'<a href="/jurisdictions/{county.pk}/">Minnehaha County</a>' in body
    whole = client.get(reverse("public:map")).content.decode()
    assert f"{reverse('public:map')}?state=SD" in whole


def test_a_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".ico")
    assert 'rel="icon"' in client.get(reverse("home")).content.decode()
