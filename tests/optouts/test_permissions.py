"""
Every role against every case endpoint. A user acts only for the
jurisdictions they belong to; anyone may read the public parts; a draft is
seen only by its own jurisdiction's people and admins.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from optouts import services
from optouts.models import OptOutRequest, Outcome, Recipient, Stage
from tests.factories import JurisdictionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "other_staff", "counsel", "staff", "admin"]


@pytest.fixture
def world():
    home = JurisdictionFactory()
    other = JurisdictionFactory()
    users = {
        "anonymous": None,
        "outsider": UserFactory(),
        "other_staff": MembershipFactory(jurisdiction=other, role="staff").user,
        "counsel": MembershipFactory(jurisdiction=home, role="counsel").user,
        "staff": MembershipFactory(jurisdiction=home, role="staff").user,
        "admin": UserFactory(is_superuser=True, is_staff=True),
    }
    filer = users["staff"]

    def new_case(stage):
        case = services.optout_create(
            jurisdiction=home,
            user=filer,
            requesting_official="Sheriff",
            requesting_body="sheriff",
            opened_on=timezone.localdate() - datetime.timedelta(days=20),
        )
        if stage == Stage.DRAFT:
            return case
        for recipient in (Recipient.SIB, Recipient.ICE):
            services.delivery_record(
                case_id=case.pk,
                user=filer,
                recipient=recipient,
                recipient_name="Office",
                method="email",
                sent_on=timezone.localdate() - datetime.timedelta(days=19),
            )
        if stage == "denied":
            services.optout_resolve(case_id=case.pk, user=filer, outcome=Outcome.DENIED)
        return OptOutRequest.objects.get(pk=case.pk)

    return users, new_case


def as_role(client, users, role):
    if users[role] is not None:
        client.force_login(users[role])
    return client


def today():
    return timezone.localdate().isoformat()


# role -> expected status. 302 to the login page for the anonymous visitor is
# checked separately; 302 elsewhere is a success redirect back to the case.
READ_SENT = dict.fromkeys(ROLES, 200)
READ_DRAFT = {**dict.fromkeys(ROLES, 200), "anonymous": 404, "outsider": 404, "other_staff": 404}
STAFF_WRITE = {
    "anonymous": "login",
    "outsider": 403,
    "other_staff": 403,
    "counsel": 403,
    "staff": 302,
    "admin": 302,
}
DRAFT_WRITE = {**STAFF_WRITE, "outsider": 404, "other_staff": 404}
NOTE_WRITE = {**STAFF_WRITE, "counsel": 302}


def check(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_sent_case(client, world, role):
    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)
    check(as_role(client, users, role).get(case.get_absolute_url()), READ_SENT[role])


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_draft_case(client, world, role):
    users, new_case = world
    case = new_case(Stage.DRAFT)
    check(as_role(client, users, role).get(case.get_absolute_url()), READ_DRAFT[role])
    listed = as_role(client, users, role).get(reverse("optouts:list"))
    assert (case.get_absolute_url() in listed.content.decode()) == (READ_DRAFT[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_the_notice_of_a_draft(client, world, role):
    users, new_case = world
    case = new_case(Stage.DRAFT)
    response = as_role(client, users, role).post(
        reverse("optouts:notice", args=[case.pk]),
        {
            "version": case.version,
            "sib-include": "1",
            "sib-recipient_name": "Bureau",
            "sib-method": "letter",
            "sib-sent_on": today(),
        },
    )
    check(response, DRAFT_WRITE[role])
    delivered = case.deliveries.exists()
    assert delivered == (DRAFT_WRITE[role] == 302)


@pytest.mark.parametrize(
    "action, data",
    [
        ("request_meeting", {"request_meeting-occurred_on": None}),
        ("withdraw", {"withdraw-reason": "The board changed its mind."}),
        (
            "resolve",
            {
                "resolve-outcome": "denied",
                "resolve-occurred_on": None,
                "resolve-outcome_text": "",
            },
        ),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_moving_a_case(client, world, role, action, data):
    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)
    data = {k: (v if v is not None else today()) for k, v in data.items()}
    response = as_role(client, users, role).post(
        reverse("optouts:action", args=[case.pk, action]), {"version": case.version, **data}
    )
    check(response, STAFF_WRITE[role])
    moved = OptOutRequest.objects.get(pk=case.pk).stage != Stage.NOTICE_SENT
    assert moved == (STAFF_WRITE[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_adding_a_note(client, world, role):
    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)
    before = case.events.count()
    response = as_role(client, users, role).post(
        reverse("optouts:event", args=[case.pk]),
        {
            "event-kind": "note",
            "event-occurred_on": today(),
            "event-summary": "Counsel reviewed the reply.",
        },
    )
    check(response, NOTE_WRITE[role])
    assert (case.events.count() > before) == (NOTE_WRITE[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_reopening_a_denied_case(client, world, role):
    users, new_case = world
    case = new_case("denied")
    response = as_role(client, users, role).post(reverse("optouts:reopen", args=[case.pk]))
    check(response, STAFF_WRITE[role])
    assert OptOutRequest.objects.filter(reopens=case).exists() == (STAFF_WRITE[role] == 302)


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "login"),
        ("outsider", 403),
        ("counsel", 403),
        ("other_staff", 200),
        ("staff", 200),
        ("admin", 200),
    ],
)
def test_the_filing_page(client, world, role, expected):
    users, _ = world
    check(as_role(client, users, role).get(reverse("optouts:create")), expected)


def test_staff_cannot_file_for_another_jurisdiction(client, world):
    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)  # belongs to the staff's home jurisdiction
    client.force_login(users["other_staff"])
    response = client.post(
        reverse("optouts:create"),
        {
            "jurisdiction": case.jurisdiction_id,
            "requesting_official": "Someone else",
            "requesting_body": "sheriff",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert OptOutRequest.objects.filter(requesting_official="Someone else").count() == 0


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_writes_answer_only_post(client, world, method):
    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)
    client.force_login(users["staff"])
    response = getattr(client, method)(reverse("optouts:action", args=[case.pk, "withdraw"]))
    assert response.status_code == 405


@pytest.mark.parametrize(
    "name, args, opened",
    [
        ("optouts:action", ["withdraw"], 'id="action-withdraw-title"'),
        ("optouts:event", [], 'id="add-event-title"'),
        ("optouts:receipt", [], 'id="add-receipt-title"'),
    ],
)
def test_a_moves_address_opens_its_form_and_changes_nothing(client, world, name, args, opened):
    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)  # its copies await their receipt
    before = (case.version, case.events.count())
    client.force_login(users["staff"])
    response = client.get(reverse(name, args=[case.pk, *args]))
    assert response.status_code == 200
    assert opened in response.content.decode()
    case.refresh_from_db()
    assert (case.version, case.events.count()) == before
    client.force_login(users["outsider"])
    assert client.get(reverse(name, args=[case.pk, *args])).status_code in (403, 404)


def test_the_case_page_builds_only_the_form_the_case_waits_for(client, world):
    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)
    services.optout_request_meeting(case_id=case.pk, user=users["staff"])
    services.optout_schedule_meeting(
        case_id=case.pk,
        user=users["staff"],
        meeting_at=timezone.now() + datetime.timedelta(days=3),
        location="County building",
    )
    case.refresh_from_db()
    assert case.stage == Stage.MEETING_SCHEDULED
    client.force_login(users["staff"])
    page = client.get(case.get_absolute_url()).content.decode()
    # The meeting is the next move: its form is open, the others are links.
    assert page.count('type="hidden" name="version"') == 1
    assert 'id="action-hold_meeting-title"' in page
    for other in ("postpone_meeting", "cancel_meeting", "withdraw"):
        assert reverse("optouts:action", args=[case.pk, other]) in page
        assert f'id="action-{other}-title"' not in page


def test_an_unknown_action_or_case_is_a_404(client, world):
    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)
    client.force_login(users["admin"])
    assert client.post(reverse("optouts:action", args=[case.pk, "explode"])).status_code == 404
    assert client.get(reverse("optouts:detail", args=[case.pk + 1000])).status_code == 404


def test_csrf_is_enforced_on_moves(world):
    from django.test import Client

    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["staff"])
    response = client.post(
        reverse("optouts:action", args=[case.pk, "withdraw"]), {"withdraw-reason": "x"}
    )
    assert response.status_code == 403
    assert OptOutRequest.objects.get(pk=case.pk).stage == Stage.NOTICE_SENT


def test_the_public_never_sees_an_internal_note(client, world):
    users, new_case = world
    case = new_case(Stage.NOTICE_SENT)
    services.event_record(
        case_id=case.pk,
        user=users["counsel"],
        kind="note",
        summary="PRIVATE-MARKER-7731 strategy",
        is_public=False,
    )
    assert "PRIVATE-MARKER-7731" not in client.get(case.get_absolute_url()).content.decode()
    assert "PRIVATE-MARKER-7731" not in client.get(reverse("home")).content.decode()
    client.force_login(users["other_staff"])
    assert "PRIVATE-MARKER-7731" not in client.get(case.get_absolute_url()).content.decode()
    client.force_login(users["counsel"])
    assert "PRIVATE-MARKER-7731" in client.get(case.get_absolute_url()).content.decode()
