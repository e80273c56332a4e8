"""CORS: other sites may read the public outputs from a browser, and nothing else."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ORIGIN = "https://newsroom.example.com"


def _public_urls(case):
    return [
        reverse("public:api-case-list"),
        reverse("public:api-case-detail", args=[case.pk]),
        reverse("public:api-event-list"),
        reverse("public:api-jurisdiction-list"),
        reverse("public:api-schema"),
        reverse("public:feed_events"),
        reverse("public:feed_case", args=[case.pk]),
        reverse("public:feed_state", args=["XQ"]),
        reverse("public:cases_csv"),
        reverse("public:calendar"),
        reverse("public:case_calendar", args=[case.pk]),
    ]


def test_the_public_outputs_are_open_to_any_origin_without_credentials(client, public_case):
    for url in _public_urls(public_case):
        response = client.get(url, HTTP_ORIGIN=ORIGIN)
        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert not response.has_header("Access-Control-Allow-Credentials"), url


def test_a_browser_may_ask_first_for_a_get_only(client, public_case):
    response = client.options(
        reverse("public:api-case-list"),
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert not response.has_header("Access-Control-Allow-Credentials")


def test_a_304_and_an_error_carry_the_header_too(client, public_case):
    url = reverse("public:api-jurisdiction-list")
    etag = client.get(url)["ETag"]
    not_modified = client.get(url, HTTP_ORIGIN=ORIGIN, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    bad = client.get(url, {"state": "not a state"}, HTTP_ORIGIN=ORIGIN)
    assert bad.status_code == 400 and bad["Access-Control-Allow-Origin"] == "*"


def test_signed_in_pages_and_forms_get_no_cors_headers(client, public_case, staff_user):
    anonymous = [
        reverse("home"),
        reverse("optouts:list"),
        reverse("optouts:detail", args=[public_case.pk]),
        reverse("public:data"),
        reverse("public:follow") + f"?case={public_case.pk}",
        reverse("login"),
    ]
    for url in anonymous:
        assert not client.get(url, HTTP_ORIGIN=ORIGIN).has_header("Access-Control-Allow-Origin"), (
            url
        )
    client.force_login(staff_user)
    for url in [*anonymous[:4], reverse("optouts:create"), reverse("reminders:list")]:
        response = client.get(url, HTTP_ORIGIN=ORIGIN)
        assert not response.has_header("Access-Control-Allow-Origin"), url
        assert not response.has_header("Access-Control-Allow-Credentials"), url
    # Signed in or not, the API is the same anonymous read: never with credentials.
    response = client.get(reverse("public:api-case-list"), HTTP_ORIGIN=ORIGIN)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Access-Control-Allow-Credentials")
