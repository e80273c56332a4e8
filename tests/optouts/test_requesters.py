"""
Requesters as they were (a sheriff, a mayor, a governor, someone named), and
state-level cases: a governor suspending the state's agreement is a case of
its own about the state, filed by an admin, with the state's counties on
its page.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from optouts import services
from optouts.models import CaseScope, DeliveryMethod, OptOutRequest, Recipient, RequestingBody
from tests.factories import (
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    SibFactory,
    StateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def state():
    state = StateFactory(name="Massachusetts")
    SibFactory(state=state, name="Criminal History Systems Board")
    IceOfficeFactory()
    return state


def test_every_requester_of_the_record_can_be_chosen():
    assert set(RequestingBody.values) >= {
        "sheriff",
        "police",
        "board_of_supervisors",
        "county_executive",
        "county_counsel",
        "council",
        "mayor",
        "city",
        "governor",
        "state_attorney_general",
        "state_police",
        "other",
    }


def test_a_mayor_files_for_a_city(admin):
    city = JurisdictionFactory(name="Washington", kind="district")
    case = services.optout_create(
        jurisdiction=city, user=admin, requesting_official="Mayor Fenty", requesting_body="mayor"
    )
    assert case.requester_display == "Mayor"
    assert case.scope == CaseScope.JURISDICTION


def test_an_other_requester_needs_a_name(admin):
    with pytest.raises(ValidationError) as error:
        services.optout_create(
            jurisdiction=JurisdictionFactory(),
            user=admin,
            requesting_official="Chair Smith",
            requesting_body="other",
            requesting_body_other="  ",
        )
    assert "requesting_body_other" in error.value.message_dict
    assert not OptOutRequest.objects.exists()


def test_an_other_requester_is_shown_by_its_name(admin):
    case = services.optout_create(
        jurisdiction=JurisdictionFactory(),
        user=admin,
        requesting_official="Chair Smith",
        requesting_body="other",
        requesting_body_other="Public Safety Committee",
    )
    assert case.requester_display == "Public Safety Committee"


def test_the_database_refuses_an_unnamed_other_requester(admin):
    case = services.optout_create(
        jurisdiction=JurisdictionFactory(),
        user=admin,
        requesting_official="Sheriff",
        requesting_body="sheriff",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OptOutRequest.objects.filter(pk=case.pk).update(requesting_body="other")


def test_a_state_level_case_is_about_the_states_own_entry(admin, state):
    county = JurisdictionFactory(state=state, name="Suffolk County")
    case = services.optout_create(
        state=state,
        user=admin,
        requesting_official="Governor Patrick",
        requesting_body="governor",
        reasons="The state's participation is suspended.",
    )
    assert case.is_state_level
    assert case.jurisdiction.state == state
    assert case.jurisdiction.name == "Massachusetts (whole state)"
    assert case.jurisdiction.scheduled_activation is None
    assert case.jurisdiction != county
    # A second state-level case reuses the same entry.
    again = services.optout_create(
        state=state, user=admin, requesting_official="Governor", requesting_body="governor"
    )
    assert again.jurisdiction == case.jurisdiction
    assert Jurisdiction.objects.filter(state=state).count() == 2


def test_a_state_level_case_takes_the_same_steps(admin, state):
    case = services.optout_create(
        state=state, user=admin, requesting_official="Governor", requesting_body="governor"
    )
    services.deliveries_record(
        case_id=case.pk,
        user=admin,
        copies=[
            {
                "recipient": Recipient.SIB,
                "recipient_name": "Criminal History Systems Board",
                "method": DeliveryMethod.HAND,
                "sent_on": case.opened_on,
            },
            {
                "recipient": Recipient.ICE,
                "recipient_name": "ICE",
                "method": DeliveryMethod.FAX,
                "sent_on": case.opened_on,
            },
        ],
    )
    services.optout_request_meeting(case_id=case.pk, user=admin)
    case.refresh_from_db()
    assert case.stage == "meeting_requested"


def test_a_case_is_about_one_jurisdiction_or_one_state(admin, state):
    with pytest.raises(ValidationError):
        services.optout_create(
            jurisdiction=JurisdictionFactory(state=state),
            state=state,
            user=admin,
            requesting_official="Governor",
            requesting_body="governor",
        )
    with pytest.raises(ValidationError):
        services.optout_create(user=admin, requesting_official="Governor", requesting_body="governor")


def test_a_state_level_page_lists_the_states_counties(client, admin, state):
    JurisdictionFactory(state=state, name="Suffolk County")
    JurisdictionFactory(state=state, name="Hampden County")
    case = services.optout_create(
        state=state, user=admin, requesting_official="Governor", requesting_body="governor"
    )
    client.force_login(admin)
    body = client.get(case.get_absolute_url()).content.decode()
    assert "State-level opt-out request: Massachusetts" in body
    counties = body.split('id="state-jurisdictions"')[1]
    assert counties.index("Hampden County") < counties.index("Suffolk County")
    assert "Massachusetts (whole state)" not in counties


# The filing page


def test_an_admin_files_a_state_level_request(client, admin, state):
    client.force_login(admin)
    page = client.get(reverse("optouts:create")).content.decode()
    assert "The whole state" in page
    response = client.post(
        reverse("optouts:create"),
        {
            "scope": "state",
            "state": state.pk,
            "requesting_official": "Governor Deval Patrick",
            "requesting_body": "governor",
            "requesting_body_other": "",
            "reasons": "Suspending the agreement.",
        },
    )
    assert response.status_code == 302
    case = OptOutRequest.objects.get()
    assert case.is_state_level and case.jurisdiction.state == state


def test_a_state_level_request_without_a_state_is_refused_at_its_field(client, admin):
    JurisdictionFactory()
    client.force_login(admin)
    response = client.post(
        reverse("optouts:create"),
        {"scope": "state", "requesting_official": "Governor", "requesting_body": "governor"},
    )
    assert 'id="id_state_error"' in response.content.decode()
    assert not OptOutRequest.objects.exists()


def test_staff_are_not_offered_a_state_level_request(client):
    jurisdiction = JurisdictionFactory()
    staff = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    client.force_login(staff)
    page = client.get(reverse("optouts:create")).content.decode()
    assert 'name="scope"' not in page
    client.post(
        reverse("optouts:create"),
        {
            "scope": "state",
            "state": jurisdiction.state.pk,
            "jurisdiction": jurisdiction.pk,
            "requesting_official": "Sheriff",
            "requesting_body": "sheriff",
        },
    )
    assert OptOutRequest.objects.get().scope == CaseScope.JURISDICTION


def test_an_other_requester_without_a_name_is_refused_at_its_field(client):
    jurisdiction = JurisdictionFactory()
    staff = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    client.force_login(staff)
    response = client.post(
        reverse("optouts:create"),
        {
            "jurisdiction": jurisdiction.pk,
            "requesting_official": "Chair Smith",
            "requesting_body": "other",
            "requesting_body_other": "",
        },
    )
    body = response.content.decode()
    assert 'id="id_requesting_body_other_error"' in body
    assert "Name the requester" in body
    assert not OptOutRequest.objects.exists()


def test_an_other_requester_with_a_name_is_filed(client):
    jurisdiction = JurisdictionFactory()
    staff = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    client.force_login(staff)
    response = client.post(
        reverse("optouts:create"),
        {
            "jurisdiction": jurisdiction.pk,
            "requesting_official": "Chair Smith",
            "requesting_body": "other",
            "requesting_body_other": "Public Safety Committee",
        },
    )
    assert response.status_code == 302
    case = OptOutRequest.objects.get()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Chair Smith (Public Safety Committee)" in page
