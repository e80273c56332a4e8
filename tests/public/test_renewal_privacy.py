"""
A denied request renewed with a new notice points to the new request in
public only once the new request is public (its first copy of the notice
sent): until then the draft is its jurisdiction's own, and neither the
"Renewed by a new request" link nor the timeline note naming it appears on
the case page, in the API, in the state's Atom feed or on the overview —
kept copies included.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from optouts import services
from optouts.models import Outcome, Recipient
from tests.factories import UserFactory, case_with_notice_sent

pytestmark = pytest.mark.django_db

RENEWED_LINK = "Renewed by"


@pytest.fixture
def denied(db):
    today = timezone.localdate()
    case = case_with_notice_sent(opened_on=today - datetime.timedelta(days=30))
    services.optout_resolve(
        case_id=case.pk,
        user=case.created_by,
        outcome=Outcome.REFUSED,
        outcome_text="ICE: participation is mandatory.",
        occurred_on=today - datetime.timedelta(days=10),
    )
    case.refresh_from_db()
    return case


def _public_bodies(client, case) -> dict[str, str]:
    state = case.jurisdiction.state.postal_code
    urls = {
        "case page": case.get_absolute_url(),
        "API events": reverse("public:api-event-list") + f"?case={case.pk}",
        "API cases": reverse("public:api-case-list"),
        "state feed": reverse("public:feed_state", args=[state]),
        "overview": reverse("home"),
    }
    bodies = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        bodies[name] = response.content.decode()
    return bodies


def _note(new_case) -> str:
    return f"request #{new_case.pk}"


def test_a_draft_renewal_is_not_named_in_public_until_its_first_copy_is_sent(
    client, page_cache_on, denied
):
    _public_bodies(client, denied)  # every public copy built and kept before the renewal
    staff = denied.created_by
    renewal = services.optout_reopen(case_id=denied.pk, user=staff)

    for name, body in _public_bodies(client, denied).items():
        assert _note(renewal) not in body, name
        assert RENEWED_LINK not in body, name
        assert renewal.get_absolute_url() not in body, name
    assert client.get(renewal.get_absolute_url()).status_code == 404

    # The jurisdiction's staff see their draft, the link to it and the note.
    client.force_login(staff)
    page = client.get(denied.get_absolute_url()).content.decode()
    assert RENEWED_LINK in page and renewal.get_absolute_url() in page
    assert _note(renewal) in page
    client.logout()

    services.delivery_record(
        case_id=renewal.pk,
        user=staff,
        recipient=Recipient.SIB,
        recipient_name="The SIB",
        method="letter",
        sent_on=timezone.localdate(),
    )

    bodies = _public_bodies(client, denied)
    assert client.get(renewal.get_absolute_url()).status_code == 200
    assert RENEWED_LINK in bodies["case page"]
    assert renewal.get_absolute_url() in bodies["case page"]
    for name in ("case page", "API events", "state feed", "overview"):
        assert _note(renewal) in bodies[name], name


def test_another_jurisdictions_staff_do_not_see_the_draft_renewal_either(client, denied):
    renewal = services.optout_reopen(case_id=denied.pk, user=denied.created_by)
    client.force_login(UserFactory())
    page = client.get(denied.get_absolute_url()).content.decode()
    assert RENEWED_LINK not in page and _note(renewal) not in page


def test_the_note_is_published_once_and_the_denied_case_is_touched(denied):
    staff = denied.created_by
    renewal = services.optout_reopen(case_id=denied.pk, user=staff)
    note = denied.events.get(summary__contains=_note(renewal))
    assert note.is_public is False
    before = type(denied).objects.values_list("updated_at", flat=True).get(pk=denied.pk)
    for recipient in (Recipient.SIB, Recipient.ICE):
        services.delivery_record(
            case_id=renewal.pk,
            user=staff,
            recipient=recipient,
            recipient_name="Office",
            method="letter",
            sent_on=timezone.localdate(),
        )
    note.refresh_from_db()
    assert note.is_public is True
    assert denied.events.filter(summary__contains=_note(renewal)).count() == 1
    after = type(denied).objects.values_list("updated_at", flat=True).get(pk=denied.pk)
    assert after > before
