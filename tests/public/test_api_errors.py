"""The API's errors: JSON everywhere under /api/, declared in the schema, one rule per mistake."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/cases/abc/",
        "/api/cases/0/",
        "/api/events/%C2%84/",
        "/api/jurisdictions/99999999999999999999999/",
        "/api/jurisdictions/987654/",
        "/api/",
        "/api/nothing-here/",
        "/api/cases/1/more/",
    ],
)
def test_every_404_under_the_api_is_json(client, public_case, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_an_address_without_its_slash_is_still_redirected(client, db):
    response = client.get("/api/cases")
    assert response.status_code == 301 and response["Location"] == "/api/cases/"


@pytest.mark.parametrize(
    "url_name,params,refused",
    [
        ("public:api-event-list", {"until": ""}, "until"),
        ("public:api-case-list", {"q": ""}, "q"),
        ("public:api-case-list", {"page_size": "null"}, "page_size"),
        ("public:api-case-list", {"page_size": "501"}, "page_size"),
        ("public:api-case-list", {"page": "0"}, "page"),
        ("public:api-case-list", {"activated_while_pending": "null"}, "activated_while_pending"),
        ("public:api-case-list", {"jurisdiction": "1.5"}, "jurisdiction"),
        ("public:api-case-list", {"fips": "123456"}, "fips"),
    ],
)
def test_a_parameter_the_api_cannot_use_is_a_400_naming_it(
    client, public_case, url_name, params, refused
):
    response = client.get(reverse(url_name), params)
    assert response.status_code == 400, params
    assert list(response.json()) == [refused]


@pytest.mark.parametrize(
    "url_name", ["public:api-case-list", "public:api-event-list", "public:api-jurisdiction-list"]
)
def test_an_unknown_state_is_the_same_400_on_every_list(client, public_case, url_name):
    response = client.get(reverse(url_name), {"state": "ZZ"})
    assert response.status_code == 400
    assert "ZZ" in response.json()["state"][0]
    assert client.get(reverse(url_name), {"state": "xq"}).status_code == 200


def test_the_schema_declares_what_the_server_checks(client, public_case):
    schema = client.get(reverse("public:api-schema"), {"format": "json"}).json()
    cases = schema["paths"]["/api/cases/"]["get"]
    params = {p["name"]: p["schema"] for p in cases["parameters"]}
    assert params["jurisdiction"] == {"type": "integer", "minimum": 1, "maximum": 2**62}
    assert params["fips"]["maxLength"] == 5 and params["q"]["minLength"] == 1
    assert params["page_size"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert "XQ" in params["state"]["enum"]
    assert {"200", "400", "404", "429"} <= set(cases["responses"])
    assert "Retry-After" in cases["responses"]["429"]["headers"]
    detail = schema["paths"]["/api/cases/{id}/"]["get"]
    assert detail["parameters"][0]["schema"]["type"] == "integer"
    assert {"200", "404", "429"} <= set(detail["responses"])
    outcome = schema["components"]["schemas"]["Case"]["properties"]["outcome"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in outcome["oneOf"]
    # And the open case's blank outcome is what the API answers.
    assert (
        client.get(reverse("public:api-case-detail", args=[public_case.pk])).json()["outcome"] == ""
    )
