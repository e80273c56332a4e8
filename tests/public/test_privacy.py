"""Nothing private leaks: no internal note, no draft, in any feed, export or API."""

import pytest
from django.urls import reverse

from .conftest import MARKER

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def public_urls(case):
    state = case.jurisdiction.state.postal_code
    return [
        reverse("home"),
        reverse("public:map"),
        reverse("public:feed_events"),
        reverse("public:feed_case", args=[case.pk]),
        reverse("public:feed_state", args=[state]),
        reverse("public:cases_csv"),
        reverse("public:cases_csv") + f"?state={state}",
        reverse("public:calendar"),
        reverse("public:api-case-list"),
        reverse("public:api-case-detail", args=[case.pk]),
        reverse("public:api-case-list") + "?q=Hennessey",
        reverse("public:api-event-list"),
        reverse("public:api-event-list") + f"?case={case.pk}",
        reverse("public:api-jurisdiction-list"),
        reverse("public:api-schema"),
    ]


def test_no_internal_note_or_draft_appears_anywhere(client, public_case, draft_case):
    assert public_case.events.filter(is_public=False, summary__contains=MARKER).exists()
    for url in public_urls(public_case):
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        assert MARKER not in body, url
        assert "Sheriff Draft" not in body, url


def test_the_public_case_itself_is_in_every_export(client, public_case, draft_case):
    for name in ("public:feed_events", "public:cases_csv", "public:api-case-list"):
        body = _body(client.get(reverse(name)))
        assert "Marker County" in body, name
    events = client.get(reverse("public:api-event-list"), {"case": public_case.pk}).json()
    assert events["count"] == public_case.events.filter(is_public=True).count() >= 4
    assert all(e["case"] == public_case.pk for e in events["results"])


def test_a_draft_case_is_not_in_the_api_nor_its_feed(client, draft_case):
    assert client.get(reverse("public:api-case-detail", args=[draft_case.pk])).status_code == 404
    assert client.get(reverse("public:feed_case", args=[draft_case.pk])).status_code == 404
    assert (
        client.get(reverse("public:api-event-list"), {"case": draft_case.pk}).json()["count"] == 0
    )


def test_the_api_has_no_private_field(client, public_case):
    case = client.get(reverse("public:api-case-detail", args=[public_case.pk])).json()
    for private in ("created_by", "version", "actor", "letterhead", "signatory_name"):
        assert private not in case
    assert set(case["jurisdiction"]) == {"id", "name", "state", "fips"}
    event = client.get(reverse("public:api-event-list")).json()["results"][0]
    assert "actor" not in event and "is_public" not in event
    jurisdiction = client.get(reverse("public:api-jurisdiction-list")).json()["results"][0]
    for private in ("letterhead", "signatory_name", "signatory_title", "seal"):
        assert private not in jurisdiction


def test_a_draft_withdrawn_before_any_notice_stays_private_everywhere(client, draft_case):
    from jurisdictions.models import Membership
    from optouts import services as optouts

    member = Membership.objects.create(
        user=draft_case.created_by, jurisdiction=draft_case.jurisdiction, role="staff"
    ).user
    optouts.optout_withdraw(case_id=draft_case.pk, user=member, reason="Decided not to file.")
    pages = [
        reverse("optouts:list"),
        reverse("optouts:list") + "?stage=withdrawn",
        draft_case.jurisdiction.get_absolute_url(),
        *public_urls(draft_case)[:1],
    ]
    link = f'href="{draft_case.get_absolute_url()}"'
    for url in pages:
        body = _body(client.get(url))
        assert link not in body and "Sheriff Draft" not in body, url
    for url in (
        draft_case.get_absolute_url(),
        reverse("correspondence:export_create", args=[draft_case.pk]),
        reverse("public:api-case-detail", args=[draft_case.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # Its own county still sees it, with its withdrawal on the timeline.
    client.force_login(member)
    assert link in _body(client.get(reverse("optouts:list")))
    assert link in _body(client.get(draft_case.jurisdiction.get_absolute_url()))
    page = _body(client.get(draft_case.get_absolute_url()))
    assert "Decided not to file." in page
