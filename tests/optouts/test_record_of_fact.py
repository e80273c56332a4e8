"""
The record of what happened, on the real 2010 cases: every fact on its date
of record with its precision, checked against the others and against today;
requests made after activation and what ICE answered them; the meeting
postponed or cancelled; a request public from its first copy of the notice.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import Jurisdiction, State
from optouts import services
from optouts.models import CaseEvent, OptOutRequest, Outcome, Stage
from optouts.transitions import TRANSITIONS, allowed_actions
from reminders.models import Anchor, ReminderRule
from reminders.selectors import due_reminders
from tests.factories import JurisdictionFactory, MembershipFactory, StateFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
TODAY = timezone.localdate()


def at(day: str, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(D(day), datetime.time(hour)))


@pytest.fixture
def staff():
    return UserFactory()


def county(name, *, activated=None):
    state = State.objects.filter(postal_code="QC").first() or StateFactory(
        name="California", postal_code="QC"
    )
    return JurisdictionFactory(
        state=state,
        name=name,
        scheduled_activation=D("2010-05-01"),
        actual_activation=D(activated) if activated else None,
        plan_status=Jurisdiction.PlanStatus.ACTIVATED if activated else "scheduled",
    )


def filed(jurisdiction, user, *, opened, sent=None, official="Sheriff Michael Hennessey"):
    case = services.optout_create(
        jurisdiction=jurisdiction,
        user=user,
        requesting_official=official,
        requesting_body="sheriff",
        opened_on=D(opened),
    )
    if sent:
        for recipient in ("ice", "sib"):
            services.delivery_record(
                case_id=case.pk,
                user=user,
                recipient=recipient,
                recipient_name=f"The {recipient}",
                method="letter",
                sent_on=D(sent),
            )
    case.refresh_from_db()
    return case


@pytest.fixture
def san_francisco(staff):
    """The Sheriff's second letter (31 Aug 2010), after activation on 8 June."""
    return filed(
        county("San Francisco", activated="2010-06-08"),
        staff,
        opened="2010-08-31",
        sent="2010-08-31",
    )


def unchanged(case):
    case.refresh_from_db()
    return (case.stage, case.version, case.events.count(), case.meeting_at)


# --- 1. the date of record ------------------------------------------------------


def test_every_move_takes_its_date_of_record_and_precision(san_francisco, staff):
    services.optout_request_meeting(
        case_id=san_francisco.pk, user=staff, occurred_on=D("2010-09-01"), date_precision="month"
    )
    services.optout_schedule_meeting(
        case_id=san_francisco.pk,
        user=staff,
        meeting_at=at("2010-10-13"),
        occurred_on=D("2010-09-15"),
    )
    services.optout_withdraw(
        case_id=san_francisco.pk,
        user=staff,
        reason="The Board chose another way.",
        occurred_on=D("2010-12-01"),
        date_precision="on_or_before",
    )
    case = OptOutRequest.objects.get(pk=san_francisco.pk)
    assert case.closed_on == D("2010-12-01")
    moves = {e.to_stage: e for e in case.events.filter(kind=CaseEvent.Kind.STAGE)}
    assert moves[Stage.MEETING_REQUESTED].date_display == "September 2010"
    assert moves[Stage.MEETING_SCHEDULED].occurred_on == D("2010-09-15")
    assert moves[Stage.WITHDRAWN].date_display == "on or before Dec 1, 2010"
    # Entered today (the site's day, whatever the hour in UTC), dated 2010.
    assert timezone.localdate(moves[Stage.WITHDRAWN].recorded_at) == timezone.localdate()


def test_the_timeline_sorts_by_the_date_of_record_then_by_when_entered(san_francisco, staff):
    services.event_record(
        case_id=san_francisco.pk,
        user=staff,
        kind="note",
        summary="Late entry",
        occurred_on=D("2010-06-03"),
    )
    dates = [e.occurred_on for e in OptOutRequest.objects.get(pk=san_francisco.pk).events.all()]
    assert dates == sorted(dates) and dates[0] == D("2010-06-03")


@pytest.mark.parametrize(
    "call, field, words",
    [
        (
            lambda c, u: services.optout_request_meeting(
                case_id=c.pk, user=u, occurred_on=D("2010-08-20")
            ),
            "occurred_on",
            ["Aug 20, 2010", "the first copy of the notice (Aug 31, 2010)"],
        ),
        (
            lambda c, u: services.optout_schedule_meeting(
                case_id=c.pk, user=u, meeting_at=at("2010-08-25"), occurred_on=D("2010-08-31")
            ),
            "meeting_at",
            ["The meeting (Aug 25, 2010)", "the first copy of the notice (Aug 31, 2010)"],
        ),
        (
            lambda c, u: services.optout_resolve(
                case_id=c.pk, user=u, outcome="refused", occurred_on=D("2010-08-01")
            ),
            "occurred_on",
            ["The resolution (Aug 1, 2010)", "(Aug 31, 2010)"],
        ),
        (
            lambda c, u: services.optout_request_meeting(
                case_id=c.pk, user=u, occurred_on=TODAY + datetime.timedelta(days=3)
            ),
            "occurred_on",
            ["is in the future", "today is"],
        ),
        (
            lambda c, u: services.event_record(
                case_id=c.pk,
                user=u,
                kind="reply",
                summary="x",
                occurred_on=TODAY + datetime.timedelta(days=40),
                date_precision="month",
            ),
            "occurred_on",
            ["is in the future"],
        ),
        (
            lambda c, u: services.optout_withdraw(
                case_id=c.pk, user=u, reason="r", occurred_on=D("2010-08-01")
            ),
            "occurred_on",
            ["The withdrawal (Aug 1, 2010)", "(Aug 31, 2010)"],
        ),
        (
            lambda c, u: services.optout_request_meeting(
                case_id=c.pk, user=u, occurred_on=D("2010-09-01"), date_precision="week"
            ),
            "date_precision",
            ["how precise"],
        ),
    ],
)
def test_a_date_out_of_order_or_ahead_is_refused_naming_both_dates(
    san_francisco, staff, call, field, words
):
    before = unchanged(san_francisco)
    with pytest.raises(ValidationError) as exc:
        call(san_francisco, staff)
    [message] = exc.value.message_dict[field]
    for word in words:
        assert word in message
    assert unchanged(san_francisco) == before


def test_a_date_known_to_the_month_is_not_refused_for_the_days_it_may_stand_for(
    san_francisco, staff
):
    # "August 2010" may be the 31st: not certainly before the notice.
    services.optout_request_meeting(
        case_id=san_francisco.pk, user=staff, occurred_on=D("2010-08-01"), date_precision="month"
    )
    assert OptOutRequest.objects.get(pk=san_francisco.pk).stage == Stage.MEETING_REQUESTED


def test_a_meeting_is_not_held_before_it_was_scheduled(san_francisco, staff):
    services.optout_schedule_meeting(
        case_id=san_francisco.pk,
        user=staff,
        meeting_at=at("2010-10-13"),
        occurred_on=D("2010-09-20"),
    )
    before = unchanged(san_francisco)
    with pytest.raises(ValidationError) as exc:
        services.optout_hold_meeting(
            case_id=san_francisco.pk, user=staff, occurred_on=D("2010-09-10")
        )
    [message] = exc.value.message_dict["occurred_on"]
    assert "Sep 10, 2010" in message and "Sep 20, 2010" in message
    with pytest.raises(ValidationError, match="Oct 13, 2010"):
        services.optout_hold_meeting(
            case_id=san_francisco.pk, user=staff, occurred_on=D("2010-10-01")
        )
    assert unchanged(san_francisco) == before
    services.optout_hold_meeting(case_id=san_francisco.pk, user=staff, occurred_on=D("2010-10-13"))


def test_a_request_opens_on_its_date_and_a_renewal_not_before_the_denial(staff):
    with pytest.raises(ValidationError) as exc:
        filed(county("Tomorrow"), staff, opened=str(TODAY + datetime.timedelta(days=1)))
    assert "opened_on" in exc.value.message_dict
    first = filed(county("San Francisco"), staff, opened="2010-06-03", sent="2010-06-03")
    services.optout_resolve(
        case_id=first.pk, user=staff, outcome="denied", occurred_on=D("2010-06-10")
    )
    with pytest.raises(ValidationError) as exc:
        services.optout_reopen(case_id=first.pk, user=staff, opened_on=D("2010-06-05"))
    assert "the denial it renews (Jun 10, 2010)" in exc.value.message_dict["opened_on"][0]
    renewed = services.optout_reopen(
        case_id=first.pk, user=staff, opened_on=D("2010-08-01"), opened_precision="month"
    )
    assert renewed.opened_display == "August 2010"
    assert renewed.events.get().date_precision == "month"


# --- 3. requests made after activation ---------------------------------------------


def test_a_request_after_activation_is_known_from_its_dates(san_francisco, staff):
    before = filed(county("Early", activated="2010-06-08"), staff, opened="2010-06-03")
    qs = OptOutRequest.objects.with_requested_after_activation()
    assert qs.get(pk=san_francisco.pk).requested_after_activation is True
    assert qs.get(pk=before.pk).requested_after_activation is False
    assert san_francisco.is_requested_after_activation is True


def test_santa_clara_refused_participation_is_mandatory(staff):
    """Activated 4 May 2010; the Board voted on 28 Sep; ICE refused on 9 Nov."""
    case = filed(
        county("Santa Clara", activated="2010-05-04"),
        staff,
        opened="2010-09-28",
        sent="2010-09-28",
        official="Board of Supervisors",
    )
    before = unchanged(case)
    with pytest.raises(ValidationError) as exc:
        services.optout_resolve(
            case_id=case.pk, user=staff, outcome="removed", occurred_on=D("2010-11-09")
        )
    [message] = exc.value.message_dict["outcome"]
    assert "activated on May 4, 2010" in message and "deactivated" in message
    assert unchanged(case) == before
    services.optout_resolve(
        case_id=case.pk, user=staff, outcome=Outcome.REFUSED, occurred_on=D("2010-11-09")
    )
    case.refresh_from_db()
    assert case.get_outcome_display() == "Refused: participation is mandatory"
    assert Jurisdiction.objects.get(pk=case.jurisdiction_id).actual_activation == D("2010-05-04")


def test_arlington_stopped_asking_and_a_deactivation_may_remove(staff):
    """Activated 21 June 2010; letter 7 Oct; meeting 5 Nov; Arlington dropped the effort."""
    arlington = filed(
        county("Arlington", activated="2010-06-21"), staff, opened="2010-10-07", sent="2010-10-07"
    )
    services.optout_schedule_meeting(
        case_id=arlington.pk, user=staff, meeting_at=at("2010-11-05"), occurred_on=D("2010-10-20")
    )
    services.optout_hold_meeting(case_id=arlington.pk, user=staff, occurred_on=D("2010-11-05"))
    services.optout_resolve(
        case_id=arlington.pk,
        user=staff,
        outcome=Outcome.GAVE_UP,
        outcome_text="ICE said an activated locality cannot withhold; the county dropped the effort.",
        occurred_on=D("2010-12-01"),
        date_precision="on_or_before",
    )
    assert OptOutRequest.objects.get(pk=arlington.pk).outcome == "gave_up"
    other = filed(
        county("Deactivated", activated="2010-06-21"), staff, opened="2010-10-07", sent="2010-10-07"
    )
    services.optout_resolve(
        case_id=other.pk,
        user=staff,
        outcome="removed",
        deactivated=True,
        occurred_on=D("2010-12-01"),
    )
    assert Jurisdiction.objects.get(pk=other.jurisdiction_id).plan_status == "removed"


def test_a_jurisdiction_not_activated_cannot_be_deactivated(staff):
    case = filed(county("Never"), staff, opened="2010-09-01", sent="2010-09-01")
    with pytest.raises(ValidationError) as exc:
        services.optout_resolve(
            case_id=case.pk, user=staff, outcome="deactivated", occurred_on=D("2010-10-01")
        )
    assert "nothing to deactivate" in exc.value.message_dict["outcome"][0]


# --- 4. the meeting postponed or cancelled ----------------------------------------------


def test_san_francisco_postponed_its_meeting_with_no_new_date(san_francisco, staff):
    services.optout_schedule_meeting(
        case_id=san_francisco.pk,
        user=staff,
        meeting_at=at("2010-10-13"),
        occurred_on=D("2010-09-15"),
    )
    services.optout_postpone_meeting(
        case_id=san_francisco.pk,
        user=staff,
        asked_by="jurisdiction",
        reason="The Sheriff awaits the Attorney General's answer.",
        occurred_on=D("2010-09-28"),
    )
    case = OptOutRequest.objects.get(pk=san_francisco.pk)
    assert case.stage == Stage.MEETING_POSTPONED and case.meeting_at is None
    assert timezone.localtime(case.meeting_was_at).date() == D("2010-10-13")
    event = case.events.get(to_stage=Stage.MEETING_POSTPONED)
    assert event.occurred_on == D("2010-09-28")
    assert "San Francisco asked to postpone the meeting of Oct 13, 2010" in event.summary
    assert "No new date." in event.summary
    again = services.optout_postpone_meeting(
        case_id=case.pk,
        user=staff,
        asked_by="jurisdiction",
        reason="again",
        occurred_on=D("2010-09-28"),
    )
    assert again.version == case.version  # repeated: nothing written
    assert set(allowed_actions(case.stage)) == {
        "schedule_meeting",
        "cancel_meeting",
        "resolve",
        "withdraw",
    }


def test_a_postponement_with_a_new_date_schedules_it_again(san_francisco, staff):
    services.optout_schedule_meeting(
        case_id=san_francisco.pk,
        user=staff,
        meeting_at=at("2010-10-13"),
        occurred_on=D("2010-09-15"),
    )
    services.optout_postpone_meeting(
        case_id=san_francisco.pk,
        user=staff,
        asked_by="ice",
        reason="ICE's staff were away.",
        occurred_on=D("2010-10-01"),
        new_meeting_at=at("2010-11-03"),
    )
    case = OptOutRequest.objects.get(pk=san_francisco.pk)
    assert case.stage == Stage.MEETING_SCHEDULED and case.meeting_at == at("2010-11-03")
    assert list(case.events.filter(kind="stage").values_list("to_stage", flat=True))[-2:] == [
        Stage.MEETING_POSTPONED,
        Stage.MEETING_SCHEDULED,
    ]


def test_a_postponement_out_of_order_changes_nothing(san_francisco, staff):
    services.optout_schedule_meeting(
        case_id=san_francisco.pk,
        user=staff,
        meeting_at=at("2010-10-13"),
        occurred_on=D("2010-09-15"),
    )
    before = unchanged(san_francisco)
    cases = [
        ({"asked_by": "nobody", "reason": "x"}, "asked_by"),
        ({"asked_by": "ice", "reason": " "}, "reason"),
        ({"asked_by": "ice", "reason": "x", "occurred_on": D("2010-10-20")}, "occurred_on"),
        (
            {
                "asked_by": "ice",
                "reason": "x",
                "occurred_on": D("2010-09-28"),
                "new_meeting_at": at("2010-09-01"),
            },
            "new_meeting_at",
        ),
    ]
    for extra, field in cases:
        kwargs = {"occurred_on": D("2010-09-28"), **extra}
        with pytest.raises(ValidationError) as exc:
            services.optout_postpone_meeting(case_id=san_francisco.pk, user=staff, **kwargs)
        assert field in exc.value.message_dict, (extra, exc.value)
    assert unchanged(san_francisco) == before


def test_a_cancelled_meeting_keeps_the_case_open(san_francisco, staff):
    services.optout_request_meeting(
        case_id=san_francisco.pk, user=staff, occurred_on=D("2010-09-10")
    )
    services.optout_cancel_meeting(
        case_id=san_francisco.pk,
        user=staff,
        asked_by="ice",
        reason="Not stated.",
        occurred_on=D("2010-09-20"),
    )
    case = OptOutRequest.objects.get(pk=san_francisco.pk)
    assert case.stage == Stage.MEETING_CANCELLED and case.is_open
    assert "ICE cancelled the meeting: Not stated." in case.events.last().summary
    assert "request_meeting" in allowed_actions(case.stage)
    assert TRANSITIONS["cancel_meeting"][1] == Stage.MEETING_CANCELLED


def test_a_postponed_meeting_reminds_nobody_that_its_old_date_passed(san_francisco, staff):
    ReminderRule.objects.all().delete()
    rule = ReminderRule.objects.create(
        code="meeting-passed",
        name="Meeting passed",
        stage=Stage.MEETING_SCHEDULED,
        anchor=Anchor.MEETING,
        days="1",
        message="Record the meeting.",
    )
    anyhow = ReminderRule.objects.create(
        code="meeting-any",
        name="Meeting passed (any stage)",
        anchor=Anchor.MEETING,
        days="1",
        message="m",
    )
    services.optout_schedule_meeting(
        case_id=san_francisco.pk,
        user=staff,
        meeting_at=at("2010-10-13"),
        occurred_on=D("2010-09-15"),
    )
    due = {r.rule for r in due_reminders(today=D("2010-10-20")) if r.case_id == san_francisco.pk}
    assert due == {rule, anyhow}
    services.optout_postpone_meeting(
        case_id=san_francisco.pk,
        user=staff,
        asked_by="jurisdiction",
        reason="r",
        occurred_on=D("2010-09-28"),
    )
    assert not [r for r in due_reminders(today=D("2010-10-20")) if r.case_id == san_francisco.pk]


# --- 5. public from the first copy ----------------------------------------------------


def test_a_draft_is_public_from_its_first_copy_of_the_notice(client, staff):
    case = filed(county("Santa Clara", activated="2010-05-04"), staff, opened="2010-09-28")
    assert client.get(case.get_absolute_url()).status_code == 404
    services.delivery_record(
        case_id=case.pk,
        user=staff,
        recipient="ice",
        recipient_name="ICE",
        method="letter",
        sent_on=D("2010-09-29"),
    )
    response = client.get(case.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Notice partly sent" in body and "(ICE has it; the SIB copy not recorded)" in body
    assert staff.username not in body
    api = client.get(reverse("public:api-case-detail", args=[case.pk])).json()
    assert api["stage"] == "draft" and api["notice_partly_sent"] is True
    assert api["requested_after_activation"] is True


# --- through the web forms -------------------------------------------------------------


@pytest.fixture
def sf_staff(san_francisco):
    member = MembershipFactory(jurisdiction=san_francisco.jurisdiction, role="staff")
    return member.user


def post(client, case, action, data):
    payload = {f"{action}-{k}": v for k, v in data.items()}
    payload["version"] = OptOutRequest.objects.get(pk=case.pk).version
    return client.post(reverse("optouts:action", args=[case.pk, action]), payload)


def test_the_postponement_form_records_who_when_why(client, san_francisco, sf_staff):
    client.force_login(sf_staff)
    assert (
        post(
            client,
            san_francisco,
            "schedule_meeting",
            {
                "meeting_at": "2010-10-13T10:00",
                "occurred_on": "2010-09-15",
            },
        ).status_code
        == 302
    )
    page = client.get(san_francisco.get_absolute_url()).content.decode()
    assert 'id="action-postpone_meeting"' in page and 'id="action-cancel_meeting"' in page
    response = post(
        client,
        san_francisco,
        "postpone_meeting",
        {
            "asked_by": "jurisdiction",
            "occurred_on": "2010-09-28",
            "date_precision": "day",
            "reason": "Awaiting the Attorney General.",
        },
    )
    assert response.status_code == 302
    page = client.get(san_francisco.get_absolute_url()).content.decode()
    assert "Postponed, no new date: it was set for October 13, 2010" in page
    assert "Sep 28, 2010" in page and "Request made after activation" in page


def test_a_form_refusal_names_the_field_and_both_dates_and_writes_nothing(
    client, san_francisco, sf_staff
):
    client.force_login(sf_staff)
    before = unchanged(san_francisco)
    response = post(
        client,
        san_francisco,
        "resolve",
        {
            "outcome": "removed",
            "occurred_on": "2010-11-09",
        },
    )
    assert response.status_code == 400
    assert "was activated on June 8, 2010" in response.content.decode()
    response = post(
        client, san_francisco, "resolve", {"outcome": "refused", "occurred_on": "2010-08-01"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert (
        "The resolution (Aug 1, 2010) cannot come before the first copy of the notice (Aug 31, 2010)"
        in body
    )
    assert unchanged(san_francisco) == before


def test_the_forms_take_the_date_of_record_and_its_precision(client, san_francisco, sf_staff):
    client.force_login(sf_staff)
    response = client.post(
        reverse("optouts:event", args=[san_francisco.pk]),
        {
            "event-kind": "reply",
            "event-occurred_on": "2010-09-15",
            "event-date_precision": "month",
            "event-summary": "ICE told the press it would discuss the request.",
            "event-is_public": "on",
        },
    )
    assert response.status_code == 302
    assert san_francisco.events.get(kind="reply").date_display == "September 2010"
    assert (
        post(
            client,
            san_francisco,
            "withdraw",
            {
                "reason": "Dropped.",
                "occurred_on": "2010-12-01",
                "date_precision": "on_or_before",
            },
        ).status_code
        == 302
    )
    case = OptOutRequest.objects.get(pk=san_francisco.pk)
    assert case.closed_on == D("2010-12-01") and case.stage == Stage.WITHDRAWN


def test_the_create_form_takes_the_date_the_request_was_made(client, staff):
    jurisdiction = county("Arlington", activated="2010-06-21")
    member = MembershipFactory(jurisdiction=jurisdiction, role="staff")
    client.force_login(member.user)
    data = {
        "jurisdiction": jurisdiction.pk,
        "requesting_official": "Arlington County Board",
        "requesting_body": "sheriff",
        "opened_on": str(TODAY + datetime.timedelta(days=2)),
    }
    response = client.post(reverse("optouts:create"), data)
    assert response.status_code == 400 and "is in the future" in response.content.decode()
    assert not OptOutRequest.objects.filter(jurisdiction=jurisdiction).exists()
    data["opened_on"] = "2010-10-07"
    assert client.post(reverse("optouts:create"), data).status_code == 302
    case = OptOutRequest.objects.get(jurisdiction=jurisdiction)
    assert case.opened_on == D("2010-10-07") and case.is_requested_after_activation
