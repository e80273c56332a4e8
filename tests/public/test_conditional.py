"""Conditional GET on the public outputs: the feeds, the CSV, the calendar and the API lists."""

import gzip

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.http import http_date, parse_http_date

from jurisdictions.services import jurisdiction_plan_update as plan_update
from optouts import services as optouts
from public import conditional
from tests.factories import JurisdictionFactory, UserFactory

pytestmark = pytest.mark.django_db

OUTPUTS = [
    ("feed", lambda case: reverse("public:feed_events")),
    ("case feed", lambda case: reverse("public:feed_case", args=[case.pk])),
    ("csv", lambda case: reverse("public:cases_csv")),
    ("calendar", lambda case: reverse("public:calendar")),
    ("case calendar", lambda case: reverse("public:case_calendar", args=[case.pk])),
    ("api cases", lambda case: reverse("public:api-case-list")),
    ("api events", lambda case: reverse("public:api-event-list") + "?state=XQ"),
    ("api jurisdictions", lambda case: reverse("public:api-jurisdiction-list")),
]


def _complete(client, url, **headers):
    """A response with its validators: the CSV carries them once it is kept."""
    response = client.get(url, **headers)
    if response.streaming:
        b"".join(response.streaming_content)
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response


@pytest.mark.usefixtures("page_cache_on")
@pytest.mark.parametrize("name,url_of", OUTPUTS, ids=[name for name, _ in OUTPUTS])
def test_a_copy_the_client_holds_gets_a_304_with_no_body(client, public_case, name, url_of):
    url = url_of(public_case)
    first = _complete(client, url)
    etag, modified = first["ETag"], first["Last-Modified"]
    for headers in (
        {"HTTP_IF_NONE_MATCH": etag},
        {"HTTP_IF_MODIFIED_SINCE": modified},
        {"HTTP_IF_NONE_MATCH": etag, "HTTP_IF_MODIFIED_SINCE": modified},
    ):
        # Twice: built by the view, then served from a kept copy.
        for _ in range(2):
            response = client.get(url, **headers)
            assert response.status_code == 304, (name, headers)
            assert response.content == b""
            assert response["ETag"] == etag
    # Another copy, or none, gets the whole body.
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    earlier = http_date(parse_http_date(modified) - 3600)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


@pytest.mark.usefixtures("page_cache_on")
@pytest.mark.parametrize("name,url_of", OUTPUTS, ids=[name for name, _ in OUTPUTS])
def test_a_change_of_the_data_is_never_a_304(client, public_case, name, url_of):
    url = url_of(public_case)
    first = _complete(client, url)
    optouts.optout_schedule_meeting(
        case_id=public_case.pk,
        user=UserFactory(),
        meeting_at=public_case.stage_entered_at.replace(year=2030),
        location="Field office",
    )
    plan_update(
        jurisdiction_id=public_case.jurisdiction_id,
        reason="Activated",
        actual_activation=public_case.opened_on,
    )
    response = client.get(
        url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    if response.streaming:
        b"".join(response.streaming_content)
        response = client.get(
            url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        )
    assert response.status_code == 200, name
    assert response["ETag"] != first["ETag"]
    assert parse_http_date(response["Last-Modified"]) > parse_http_date(first["Last-Modified"])


@pytest.mark.usefixtures("page_cache_on")
def test_a_compressed_copy_is_revalidated_too(client, public_case):
    # Long enough that gzip wins whatever random padding Django adds against
    # BREACH (up to 100 bytes): one jurisdiction's JSON may come out shorter raw.
    JurisdictionFactory.create_batch(10, state=public_case.jurisdiction.state)
    url = reverse("public:api-jurisdiction-list")
    first = _complete(client, url, HTTP_ACCEPT_ENCODING="gzip")
    assert first.get("Content-Encoding") == "gzip", (dict(first.headers), first.content[:300])
    assert gzip.decompress(first.content).startswith(b"{")
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_without_the_page_cache_every_output_but_the_streamed_csv_is_validated(client, public_case):
    for name, url_of in OUTPUTS:
        url = url_of(public_case)
        response = client.get(url)
        if name == "csv":
            assert response.streaming and not response.has_header("ETag")
            continue
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304, name


def test_pages_and_errors_get_no_validators(client, public_case):
    assert not client.get(reverse("optouts:list")).has_header("ETag")
    assert not client.get("/feeds/cases/987654.atom").has_header("ETag")
    bad = client.get(reverse("public:api-case-list"), {"stage": "nonsense"})
    assert bad.status_code == 400 and not bad.has_header("ETag")


def test_a_body_that_changes_back_is_a_new_modification(db):
    cache.clear()
    first = conditional.last_modified("k", "a", now=1000)
    assert conditional.last_modified("k", "a", now=2000) == first == 1000
    second = conditional.last_modified("k", "b", now=1000)  # the same second
    assert second == 1001
    assert conditional.last_modified("k", "a", now=1000) == 1002
    cache.clear()
