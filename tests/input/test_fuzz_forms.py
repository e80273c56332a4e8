"""
Random and extreme input to every form of a case page (as the county's staff)
and to the admin's schedule upload: never a 500, and a refused form changes
nothing (the case's version and its timeline stay as they were).
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jurisdictions.models import ScheduleVersion
from optouts import services
from optouts.models import CaseEvent, OptOutRequest
from optouts.views_moves import ACTION_FORMS
from tests.factories import MembershipFactory, UserFactory, case_with_notice_sent

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

EXTREMES = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999999999",
    "-99999999999999999999",
    "1e308",
    "NaN",
    "9999-12-31",
    "0000-00-00",
    "0001-01-01",
    "10000-01-01",
    "2010-02-30",
    "9999-12-31T23:30",
    "9999-12-31T18:00",
    "0001-01-01T00:00",
    "2010-06-08T25:61",
    "\x00",
    "a\x00b",
    "x" * 20_000,
    "é😀\u202e\u200b",
    "<script>alert(1)</script>",
    "=HYPERLINK(1)",
    "[]",
    "null",
    "true",
    "on",
    "letter",
    "day",
    "month",
    "date_adjusted",
    "other",
    "reply",
]
values = st.one_of(
    st.sampled_from(EXTREMES),
    st.text(max_size=40),
    st.integers().map(str),
    st.dates().map(datetime.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
)


def _fields(form_class, prefix: str) -> list[str]:
    return [f"{prefix}-{name}" for name in form_class.base_fields]


def posts(names: list[str]):
    """Every field present or missing, each with any value, and some fields no form has."""
    known = st.fixed_dictionaries({}, optional={name: values for name in names})
    extra = st.dictionaries(st.text(min_size=1, max_size=12), values, max_size=3)
    return st.tuples(known, extra, st.one_of(st.none(), values)).map(
        lambda t: {**t[1], **t[0], **({"version": t[2]} if t[2] is not None else {})}
    )


def _state(case: OptOutRequest) -> tuple:
    case.refresh_from_db()
    return case.version, case.stage, CaseEvent.objects.filter(request=case).count()


def _fuzz(client, case, url, data):
    before = _state(case)
    response = client.post(url, data)
    assert response.status_code != 500
    assert response.status_code in (200, 302, 400, 403, 404, 409), response.status_code
    if response.status_code != 302:
        assert _state(case) == before, (url, data)


@pytest.fixture
def draft():
    from optouts.services import optout_create
    from tests.factories import JurisdictionFactory

    jurisdiction = JurisdictionFactory()
    user = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    case = optout_create(
        jurisdiction=jurisdiction,
        user=user,
        requesting_official="Sheriff",
        requesting_body="sheriff",
        opened_on=datetime.date(2010, 5, 1),
    )
    return case, user


@pytest.fixture
def requested():
    """A case whose meeting ICE asked for: every later move's form can be shown."""
    case = case_with_notice_sent(opened_on=datetime.date(2010, 5, 1))
    user = MembershipFactory(jurisdiction=case.jurisdiction, role="staff").user
    services.optout_request_meeting(
        case_id=case.pk, user=user, occurred_on=datetime.date(2010, 6, 1)
    )
    return case, user


NOTICE_FIELDS = [
    f"{r}-{f}"
    for r in ("sib", "ice")
    for f in ("include", "recipient_name", "method", "sent_on", "reference")
]


@EXAMPLES
@given(data=posts(NOTICE_FIELDS))
def test_the_notice_form_takes_anything(client, draft, data):
    case, user = draft
    client.force_login(user)
    _fuzz(client, case, reverse("optouts:notice", args=[case.pk]), data)


@EXAMPLES
@given(data=posts(["receipt-delivery", "receipt-received_on", "receipt-received_by"]))
def test_the_receipt_form_takes_anything(client, requested, data):
    case, user = requested
    client.force_login(user)
    _fuzz(client, case, reverse("optouts:receipt", args=[case.pk]), data)


@EXAMPLES
@given(
    data=posts(
        [
            "event-kind",
            "event-occurred_on",
            "event-date_precision",
            "event-summary",
            "event-source",
            "event-is_public",
        ]
    )
)
def test_the_event_form_takes_anything(client, requested, data):
    case, user = requested
    client.force_login(user)
    _fuzz(client, case, reverse("optouts:event", args=[case.pk]), data)


@EXAMPLES
@given(
    action=st.sampled_from(sorted(ACTION_FORMS)),
    data=st.data(),
)
def test_every_move_form_takes_anything(client, requested, action, data):
    case, user = requested
    client.force_login(user)
    post = data.draw(posts(_fields(ACTION_FORMS[action], action)))
    _fuzz(client, case, reverse("optouts:action", args=[case.pk, action]), post)


@EXAMPLES
@given(data=posts(["reopen-opened_on", "reopen-opened_precision"]))
def test_the_reopen_form_takes_anything(client, requested, data):
    case, user = requested
    client.force_login(user)
    _fuzz(client, case, reverse("optouts:reopen", args=[case.pk]), data)


@pytest.mark.parametrize("value", ["9999-12-31T18:00", "9999-12-31T23:30", "0001-01-01T00:00"])
def test_a_far_meeting_is_refused_at_its_field(client, requested, value):
    case, user = requested
    client.force_login(user)
    before = _state(case)
    response = client.post(
        reverse("optouts:action", args=[case.pk, "schedule_meeting"]),
        {"schedule_meeting-meeting_at": value, "schedule_meeting-date_precision": "day"},
    )
    assert response.status_code == 400
    assert "Enter a date between 2005 and 2099." in response.content.decode()
    assert _state(case) == before


CONTENTS = st.one_of(
    st.binary(max_size=3000),
    st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=2000).map(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b),
    st.text(max_size=2000).map(
        lambda t: ("State,Jurisdiction,Scheduled activation date\r\n" + t).encode()
    ),
    st.lists(
        st.lists(st.sampled_from(EXTREMES[:17]) | st.text(max_size=10), max_size=6), max_size=30
    ).map(
        lambda rows: "\r\n".join(
            ["State,Jurisdiction,FIPS code,Scheduled activation date,Actual activation date"]
            + [",".join(c.replace(",", " ").replace("\n", " ") for c in row) for row in rows]
        ).encode()
    ),
)


@EXAMPLES
@given(
    content=CONTENTS,
    name=st.one_of(
        st.sampled_from(["ice.csv", "ice.xlsx", "ice", "a" * 300 + ".csv", "é😀.xlsx"]),
        st.text(min_size=1, max_size=30),
    ),
)
def test_the_schedule_upload_takes_anything(client, content, name):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    name = name.replace("\x00", "").replace("/", "").strip() or "x"
    before = ScheduleVersion.objects.count()
    response = client.post(
        reverse("jurisdictions:schedule_upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert ScheduleVersion.objects.count() == before
