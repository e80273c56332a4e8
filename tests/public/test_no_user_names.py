"""
Who acted, in public, is the office that asked ("Harbor Sheriff's
Department"), never the account of the person who typed it: a user name
stays on the signed-in side.
"""

import datetime
import html
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from correspondence import letters, log
from correspondence.models import CaseExport
from jurisdictions.models import Membership
from jurisdictions.services import jurisdiction_plan_update
from optouts import services
from optouts.offices import acting_office, requesting_office
from tests.factories import (
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    SibFactory,
    StateFactory,
    UserFactory,
)

NAMES = ("zz-staff-name", "zz-counsel-name", "Zebulon", "Quillfeather", "Xanthippe", "Vorwerk")
OFFICE = "Harbor Sheriff's Department"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture
def acted_case(db):
    """A case on which two named people of the jurisdiction did everything through the services."""
    state = StateFactory(postal_code="QZ", name="Quartzland", fips="88")
    SibFactory(state=state, name="Quartzland Bureau", mailing_address="1 Capitol\nQ City")
    IceOfficeFactory(mailing_address="500 12th Street SW\nWashington, DC 20536")
    jurisdiction = JurisdictionFactory(
        state=state,
        name="Harbor County",
        letterhead="Office of the Sheriff\nHarbor County",
        signatory_name="Pat Harbor",
        signatory_title="Sheriff",
    )
    staff = UserFactory(username="zz-staff-name", first_name="Zebulon", last_name="Quillfeather")
    counsel = UserFactory(username="zz-counsel-name", first_name="Xanthippe", last_name="Vorwerk")
    MembershipFactory(user=staff, jurisdiction=jurisdiction, role=Membership.Role.STAFF)
    MembershipFactory(user=counsel, jurisdiction=jurisdiction, role=Membership.Role.COUNSEL)
    today = datetime.date.today()
    case = services.optout_create(
        jurisdiction=jurisdiction,
        user=staff,
        requesting_official="Sheriff Pat Harbor",
        requesting_body="sheriff",
        reasons="Trust between the sheriff and the community.",
        opened_on=today - datetime.timedelta(days=20),
    )
    for template_key, method in (("notice-ice", "letter"), ("notice-sib", "fax")):
        draft = letters.letter_draft_create(
            case_id=case.pk, user=counsel, template_key=template_key
        )
        letters.letter_send(
            letter_id=draft.pk,
            user=staff,
            method=method,
            sent_on=today,
        )
    services.event_record(
        case_id=case.pk, user=counsel, kind="reply", summary="ICE acknowledged the notice."
    )
    services.optout_request_meeting(case_id=case.pk, user=staff, occurred_on=today)
    log.correspondence_record(
        case_id=case.pk,
        user=counsel,
        direction="in",
        method="email",
        occurred_on=today,
        sender="ICE",
        recipient="Sheriff",
        summary="ICE proposes a meeting.",
        is_public=True,
        files=[],
    )
    case.refresh_from_db()
    return case


def _absent(text: str, where: str) -> None:
    for name in NAMES:
        assert name not in text, f"{name!r} appears in {where}"


def test_every_public_output_names_the_office_and_no_user(
    acted_case, client, django_capture_on_commit_callbacks
):
    page = html.unescape(client.get(acted_case.get_absolute_url()).content.decode())
    _absent(page, "the public case page")
    assert f"recorded by {OFFICE}" in page

    for name, args in (
        ("public:feed_events", []),
        ("public:feed_case", [acted_case.pk]),
        ("public:feed_state", ["QZ"]),
    ):
        feed = html.unescape(client.get(reverse(name, args=args)).content.decode())
        _absent(feed, name)
        assert f"<name>{OFFICE}</name>" in feed, name

    csv_text = b"".join(client.get(reverse("public:cases_csv")).streaming_content).decode()
    _absent(csv_text, "the CSV")
    assert OFFICE in csv_text

    for letter in acted_case.letters.all():
        page = html.unescape(client.get(letter.get_absolute_url()).content.decode())
        _absent(page, f"the sent letter {letter.pk}")
    jurisdiction_plan_update(
        jurisdiction_id=acted_case.jurisdiction_id,
        user=acted_case.created_by,
        reason="Date from ICE's call",
        scheduled_activation=datetime.date.today() + datetime.timedelta(days=40),
    )
    page = html.unescape(client.get(acted_case.jurisdiction.get_absolute_url()).content.decode())
    _absent(page, "the jurisdiction page")

    for address in ("/api/cases/", "/api/events/", f"/api/cases/{acted_case.pk}/"):
        body = client.get(address).content.decode()
        _absent(body, address)
    events = json.loads(client.get("/api/events/").content)["results"]
    assert OFFICE in {event["office"] for event in events}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("correspondence:export_create", args=[acted_case.pk]), {"kind": "pdf"})
    export = CaseExport.objects.get(include_private=False)
    download = client.get(reverse("correspondence:export_download", args=[export.pk]))
    content = b"".join(download.streaming_content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    _absent(" ".join(text.split()), "the public case file")
    assert OFFICE in " ".join(text.split())


def test_the_jurisdictions_own_people_see_who_recorded_each_event(acted_case, client):
    client.force_login(acted_case.created_by)
    page = html.unescape(client.get(acted_case.get_absolute_url()).content.decode())
    assert f"recorded by {OFFICE}" in page


def test_the_office_is_named_from_the_requesting_body_and_the_jurisdiction(acted_case):
    assert requesting_office(acted_case) == OFFICE
    acted_case.requesting_body = "county_counsel"
    assert requesting_office(acted_case) == "Office of the County Counsel, Harbor County"
    schedule = acted_case.events.first()
    schedule.kind = "schedule"
    assert acting_office(schedule) is None
