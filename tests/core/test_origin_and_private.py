"""
Kept copies are keyed by the origin they were asked at (scheme and host,
normalised), so a page whose links name one host is never served to a
visitor of another; every answer to a signed-in user says
`Cache-Control: private`, while the public outputs keep their validators and
a `public` answer keeps its own caching.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.origin import request_origin
from optouts import services
from tests.factories import MembershipFactory, UserFactory, case_with_notice_sent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

HOSTS = ["testserver", "scomm.example.org", "mirror.example.org"]


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = HOSTS


@pytest.mark.parametrize(
    ("host", "secure", "origin"),
    [
        ("scomm.example.org", False, "http://scomm.example.org"),
        ("SCOMM.Example.org.", False, "http://scomm.example.org"),
        ("scomm.example.org:80", False, "http://scomm.example.org"),
        ("scomm.example.org:443", True, "https://scomm.example.org"),
        ("scomm.example.org:8443", True, "https://scomm.example.org:8443"),
        ("scomm.example.org:443", False, "http://scomm.example.org:443"),
    ],
)
def test_the_origin_is_normalised(settings, host, secure, origin):
    settings.ALLOWED_HOSTS = ["scomm.example.org", "scomm.example.org."]
    request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
    assert request_origin(request) == origin


def test_a_page_kept_for_one_host_is_not_served_to_another(client):
    case = case_with_notice_sent()
    feed = reverse("public:feed_case", args=[case.pk])
    first = client.get(feed, HTTP_HOST="scomm.example.org")
    assert first["X-Page-Cache"] == "miss"
    assert b"http://scomm.example.org/" in first.content
    assert client.get(feed, HTTP_HOST="scomm.example.org")["X-Page-Cache"] == "hit"

    other = client.get(feed, HTTP_HOST="mirror.example.org")
    assert other["X-Page-Cache"] == "miss"
    assert b"scomm.example.org" not in other.content
    assert b"http://mirror.example.org/" in other.content

    secure = client.get(feed, HTTP_HOST="scomm.example.org", secure=True)
    assert secure["X-Page-Cache"] == "miss"
    assert b"https://scomm.example.org/" in secure.content
    # The same host spelled another way shares its copy.
    assert client.get(feed, HTTP_HOST="SCOMM.example.org:80")["X-Page-Cache"] == "hit"


def test_a_host_outside_the_allowed_list_is_refused_not_kept(client):
    case = case_with_notice_sent()
    response = client.get(case.get_absolute_url(), HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "X-Page-Cache" not in response


def _directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def test_every_answer_to_a_signed_in_user_is_private(client):
    case = case_with_notice_sent()
    staff = MembershipFactory(jurisdiction=case.jurisdiction, role="staff").user
    draft = services.optout_create(
        jurisdiction=case.jurisdiction,
        user=staff,
        requesting_official="Sheriff",
        requesting_body="sheriff",
        reasons="Draft reasons.",
    )
    services.event_record(
        case_id=case.pk, user=staff, kind="note", summary="Internal.", is_public=False
    )
    anonymous = client.get(case.get_absolute_url())
    assert "private" not in _directives(anonymous)

    client.force_login(staff)
    answers = {
        "case with a note": client.get(case.get_absolute_url()),
        "draft": client.get(draft.get_absolute_url()),
        "list": client.get(reverse("optouts:list")),
        "overview": client.get(reverse("home")),
        "reminders": client.get(reverse("reminders:list")),
        "not found": client.get("/cases/999999/"),
        "feed": client.get(reverse("public:feed_case", args=[case.pk])),
        "API": client.get(reverse("public:api-case-list")),
    }
    for name, response in answers.items():
        assert "private" in _directives(response), (name, response.status_code)
        assert "public" not in _directives(response), name
    # The public outputs keep their validators for a signed-in reader.
    assert answers["feed"]["ETag"] and answers["API"]["Last-Modified"]
    etag = answers["feed"]["ETag"]
    again = client.get(reverse("public:feed_case", args=[case.pk]), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert "private" in _directives(again)


def test_a_refusal_to_a_signed_in_user_is_private_too(client):
    case = case_with_notice_sent()
    user = MembershipFactory(jurisdiction=case.jurisdiction, role="staff").user
    client.force_login(user)
    response = client.get(
        reverse("correspondence:export_status", args=["00000000-0000-0000-0000-000000000000"])
    )
    assert response.status_code == 404
    assert "private" in _directives(response)


def test_an_answer_declared_public_keeps_its_caching_for_a_signed_in_user(client):
    case_with_notice_sent()
    client.force_login(UserFactory())
    image = client.get(reverse("public:map_svg"))
    assert image.status_code == 200
    assert "public" in _directives(image) and "private" not in _directives(image)
    assert any(d.startswith("max-age=") for d in _directives(image))


def test_signing_in_answers_privately(client):
    user = UserFactory(username="reader")
    user.set_password("a long enough password")
    user.save()
    response = client.post(
        reverse("login"), {"username": "reader", "password": "a long enough password"}
    )
    assert response.status_code == 302
    assert "private" in _directives(response)
