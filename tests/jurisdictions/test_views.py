import pytest
from django.urls import reverse

from jurisdictions.services import directory_load_census, jurisdiction_plan_update
from tests.factories import JurisdictionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_list_keeps_a_fixed_number_of_queries_with_every_county(client, django_assert_max_num_queries):
    JurisdictionFactory()
    with django_assert_max_num_queries(3):
        small = client.get(reverse("jurisdictions:list"))
    assert small.status_code == 200
    directory_load_census()
    with django_assert_max_num_queries(3):
        response = client.get(reverse("jurisdictions:list"))
    assert response.status_code == 200
    assert "3235 jurisdictions" in response.content.decode()
    with django_assert_max_num_queries(3):
        last = client.get(reverse("jurisdictions:list"), {"page": 13})
    assert "Page 13 of 13" in last.content.decode()


def test_the_list_searches_by_name_and_state(client):
    directory_load_census()
    response = client.get(reverse("jurisdictions:list"), {"q": "Santa Clara", "state": "CA"})
    body = response.content.decode()
    assert "Santa Clara County" in body
    assert "1 jurisdiction<" in body or "1 jurisdiction\n" in body or ">1 jurisdiction" in body
    assert "Los Angeles County" not in body


def test_the_list_escapes_names(client):
    JurisdictionFactory(name="<script>alert(1)</script> County")
    body = client.get(reverse("jurisdictions:list")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_the_detail_page_shows_the_history_with_fixed_queries(client, django_assert_max_num_queries):
    j = JurisdictionFactory()
    admin = UserFactory(first_name="Ada", last_name="Admin")
    for day in range(1, 20):
        jurisdiction_plan_update(
            jurisdiction_id=j.pk, user=admin, reason=f"Schedule {day}",
            scheduled_activation=j.scheduled_activation.replace(day=day),
        )
    # The jurisdiction, its history, and the state's latest agreement record.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("jurisdictions:detail", args=[j.pk]))
    body = response.content.decode()
    assert "Schedule 19" in body and "Schedule 2" in body
    assert "Ada Admin" not in body  # the public sees no user's name


def test_an_unknown_jurisdiction_is_a_404(client):
    assert client.get("/jurisdictions/999999/").status_code == 404


def _page_names(client, params) -> list[str]:
    import re

    response = client.get(reverse("jurisdictions:list"), params)
    assert response.status_code == 200
    return re.findall(r'<a href="/jurisdictions/\d+/">([^<]+)</a>', response.content.decode())


def test_the_page_and_the_api_find_the_same_jurisdictions(client):
    from jurisdictions.models import Jurisdiction
    from tests.factories import StateFactory

    missouri = StateFactory(postal_code="MO", name="Missouri")
    JurisdictionFactory(state=missouri, name="St. Louis County", fips="29189")
    JurisdictionFactory(state=missouri, name="Saint Louis City")
    JurisdictionFactory(name="Louisa County", plan_status=Jurisdiction.PlanStatus.ACTIVATED)
    api = reverse("public:api-jurisdiction-list")
    for page_params, api_params in [
        ({"q": "st louis"}, {"q": "st louis"}),
        ({"q": "Saint Louis"}, {"q": "Saint Louis"}),
        ({"q": "29189"}, {"q": "29189"}),
        ({"q": "'"}, {"q": "'"}),
        ({"state": "mo"}, {"state": "mo"}),
        # The page has always called the plan status "status".
        ({"status": "activated"}, {"plan_status": "activated"}),
    ]:
        names = [j["name"] for j in client.get(api, api_params).json()["results"]]
        assert _page_names(client, page_params) == names, page_params
    assert _page_names(client, {"q": "st louis"}) == ["Saint Louis City", "St. Louis County"]


def test_an_invalid_jurisdiction_filter_is_explained_on_the_page_and_refused_by_the_api(client):
    JurisdictionFactory()
    body = client.get(reverse("jurisdictions:list"), {"status": "sideways"}).content.decode()
    assert "Select a valid choice. sideways is not one of the available choices." in body
    bad = client.get(reverse("public:api-jurisdiction-list"), {"plan_status": "sideways"})
    assert bad.status_code == 400 and "plan_status" in bad.json()
