import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.factories import JurisdictionFactory

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_validates(client):
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    paths = set(schema["paths"])
    assert {"/api/cases/", "/api/cases/{id}/", "/api/events/", "/api/jurisdictions/"} <= paths
    params = {p["name"] for p in schema["paths"]["/api/cases/"]["get"]["parameters"]}
    assert {"state", "stage", "outcome", "q", "page", "page_size"} <= params
    response = client.get(reverse("public:api-schema"), {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "scomm public API"
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(response.json())


def test_the_case_list_filters_and_searches(client, public_case, draft_case):
    url = reverse("public:api-case-list")
    assert client.get(url, {"state": "xq"}).json()["count"] == 1
    unknown = client.get(url, {"state": "ZZ"})  # as on the pages: refused, never cut or guessed
    assert unknown.status_code == 400
    assert "No state has the postal code “ZZ”" in unknown.json()["state"][0]
    assert client.get(url, {"stage": "open"}).json()["count"] == 1
    assert client.get(url, {"stage": "resolved"}).json()["count"] == 0
    assert client.get(url, {"q": "hennessey"}).json()["count"] == 1
    assert client.get(url, {"q": "trust between"}).json()["count"] == 1
    assert client.get(url, {"q": "Sheriff Draft"}).json()["count"] == 0
    case = client.get(url).json()["results"][0]
    assert case["stage"] == "meeting_requested"
    assert case["jurisdiction"]["state"] == "XQ"
    assert case["page_url"].endswith(f"/cases/{public_case.pk}/")
    bad = client.get(url, {"stage": "nonsense", "opened_after": "yesterday"})
    assert bad.status_code == 400
    assert "stage" in bad.json() and "opened_after" in bad.json()


def test_the_lists_are_paginated_with_fixed_queries(client, django_assert_max_num_queries):
    JurisdictionFactory.create_batch(120)
    with django_assert_max_num_queries(2):
        page = client.get(reverse("public:api-jurisdiction-list"), {"page_size": 100}).json()
    assert page["count"] == 120 and len(page["results"]) == 100 and page["next"]
    assert client.get(reverse("public:api-jurisdiction-list"), {"page": 99}).status_code == 404


def test_the_api_lists_keep_fixed_queries_with_many_cases(
    client, public_case, django_assert_max_num_queries
):
    from optouts.models import CaseEvent, OptOutRequest

    clones = []
    for i in range(60):
        clones.append(
            OptOutRequest(
                jurisdiction=JurisdictionFactory(), stage="notice_sent", requesting_official=f"S{i}"
            )
        )
    OptOutRequest.objects.bulk_create(clones)
    CaseEvent.objects.bulk_create([CaseEvent(request=c, kind="stage", summary="x") for c in clones])
    with django_assert_max_num_queries(2):
        assert client.get(reverse("public:api-case-list")).json()["count"] == 61
    with django_assert_max_num_queries(2):
        assert client.get(reverse("public:api-event-list")).json()["count"] > 60


def test_the_api_refuses_writes(client, public_case):
    url = reverse("public:api-case-detail", args=[public_case.pk])
    assert client.post(reverse("public:api-case-list"), {}).status_code == 405
    assert client.delete(url).status_code == 405


def test_one_address_is_slowed_down_and_told_when_to_come_back(client, settings):
    from django.core.cache import cache

    settings.SCOMM_API_RATE = "3/minute"
    cache.clear()
    url = reverse("public:api-jurisdiction-list")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    slowed = client.get(url)
    assert slowed.status_code == 429
    assert 0 < int(slowed["Retry-After"]) <= 60
    assert "throttled" in slowed.json()["detail"]
    # Another address still gets its answers; the pages of the site are not counted.
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get(reverse("optouts:list")).status_code == 200
    cache.clear()
