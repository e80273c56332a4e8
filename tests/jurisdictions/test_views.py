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
    with django_assert_max_num_queries(3):
        response = client.get(reverse("jurisdictions:detail", args=[j.pk]))
    body = response.content.decode()
    assert "Schedule 19" in body and "Schedule 2" in body
    assert "Ada Admin" in body


def test_an_unknown_jurisdiction_is_a_404(client):
    assert client.get("/jurisdictions/999999/").status_code == 404
