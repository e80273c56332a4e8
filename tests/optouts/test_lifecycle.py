import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from optouts import services
from optouts.models import CaseEvent, OptOutRequest, Outcome, Recipient, Stage
from optouts.transitions import TRANSITIONS, allowed_actions
from tests.factories import JurisdictionFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def draft(user):
    return services.optout_create(
        jurisdiction=JurisdictionFactory(),
        user=user,
        requesting_official="Sheriff Hennessey",
        requesting_body="sheriff",
        reasons="Trust between the community and the police.",
        opened_on=days_ago(40),
    )


def deliver(case, user, recipient, day=None):
    return services.delivery_record(
        case_id=case.pk,
        user=user,
        recipient=recipient,
        recipient_name=f"The {recipient} office",
        method="letter",
        sent_on=day or days_ago(39),
    )


def test_one_delivery_leaves_the_case_a_draft_and_names_the_missing_recipient(draft, user):
    deliver(draft, user, Recipient.SIB)
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFT
    assert services.missing_recipients(draft) == ["ICE"]
    with pytest.raises(services.TransitionError, match="ICE"):
        services.optout_send_notice(case_id=draft.pk, user=user)
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFT


def test_deliveries_to_both_recipients_send_the_notice(draft, user):
    deliver(draft, user, Recipient.SIB)
    deliver(draft, user, Recipient.ICE, days_ago(38))
    draft.refresh_from_db()
    assert draft.stage == Stage.NOTICE_SENT
    assert services.missing_recipients(draft) == []
    moved = draft.events.get(to_stage=Stage.NOTICE_SENT)
    assert moved.actor == user
    assert moved.occurred_on == days_ago(38)
    assert draft.days_in_stage() == 38


def test_the_whole_lifecycle_records_every_step_with_who_and_history(draft, user):
    deliver(draft, user, Recipient.SIB)
    deliver(draft, user, Recipient.ICE)
    services.optout_request_meeting(case_id=draft.pk, user=user, occurred_on=days_ago(30))
    meeting = timezone.make_aware(datetime.datetime.combine(days_ago(20), datetime.time(10)))
    services.optout_schedule_meeting(
        case_id=draft.pk, user=user, meeting_at=meeting, location="DHS", occurred_on=days_ago(25)
    )
    services.optout_hold_meeting(case_id=draft.pk, user=user, occurred_on=days_ago(20))
    new_date = TODAY + datetime.timedelta(days=200)
    services.optout_resolve(
        case_id=draft.pk,
        user=user,
        outcome=Outcome.DATE_ADJUSTED,
        new_activation=new_date,
        outcome_text="Postponed after the meeting.",
        occurred_on=days_ago(10),
    )
    case = OptOutRequest.objects.get(pk=draft.pk)
    assert case.stage == Stage.RESOLVED
    assert case.closed_on == days_ago(10)
    stages = list(
        case.events.filter(kind=CaseEvent.Kind.STAGE)
        .order_by("id")
        .values_list("to_stage", flat=True)
    )
    assert stages == [
        Stage.NOTICE_SENT,
        Stage.MEETING_REQUESTED,
        Stage.MEETING_SCHEDULED,
        Stage.MEETING_HELD,
        Stage.RESOLVED,
    ]
    assert set(case.history.values_list("history_user", flat=True)) == {user.pk}
    assert case.history.count() >= 6
    # The resolution changed the jurisdiction's plan, with history.
    jurisdiction = Jurisdiction.objects.get(pk=case.jurisdiction_id)
    assert jurisdiction.scheduled_activation == new_date
    assert jurisdiction.plan_status == Jurisdiction.PlanStatus.POSTPONED
    latest = jurisdiction.history.first()
    assert latest.history_user == user
    assert latest.scheduled_activation == new_date


def test_removal_from_the_plan_takes_the_jurisdiction_off(draft, user):
    deliver(draft, user, Recipient.SIB)
    deliver(draft, user, Recipient.ICE)
    services.optout_resolve(
        case_id=draft.pk, user=user, outcome=Outcome.REMOVED, occurred_on=days_ago(1)
    )
    jurisdiction = Jurisdiction.objects.get(pk=draft.jurisdiction_id)
    assert jurisdiction.plan_status == Jurisdiction.PlanStatus.REMOVED


@pytest.mark.parametrize(
    "action, call",
    [
        ("hold_meeting", lambda c, u: services.optout_hold_meeting(case_id=c.pk, user=u)),
        ("request_meeting", lambda c, u: services.optout_request_meeting(case_id=c.pk, user=u)),
        (
            "resolve",
            lambda c, u: services.optout_resolve(case_id=c.pk, user=u, outcome=Outcome.DENIED),
        ),
    ],
)
def test_an_illegal_move_is_refused_and_changes_nothing(draft, user, action, call):
    assert action not in allowed_actions(Stage.DRAFT)
    before = (draft.stage, draft.version, draft.events.count(), draft.history.count())
    with pytest.raises(services.TransitionError, match="Draft"):
        call(draft, user)
    draft.refresh_from_db()
    assert (draft.stage, draft.version, draft.events.count(), draft.history.count()) == before


def test_every_transition_leads_from_an_open_stage():
    from optouts.models import OPEN_STAGES

    for sources, target in TRANSITIONS.values():
        assert sources <= OPEN_STAGES
        assert target in Stage.values


def test_a_stale_version_is_refused(draft, user):
    deliver(draft, user, Recipient.SIB)
    deliver(draft, user, Recipient.ICE)
    draft.refresh_from_db()
    seen = draft.version
    services.optout_request_meeting(case_id=draft.pk, user=user, expected_version=seen)
    with pytest.raises(services.ConcurrentChangeError, match="changed by someone else"):
        services.optout_withdraw(
            case_id=draft.pk, user=user, reason="Changed our mind", expected_version=seen
        )
    draft.refresh_from_db()
    assert draft.stage == Stage.MEETING_REQUESTED


def test_a_resolution_that_needs_a_date_without_one_changes_nothing(draft, user):
    deliver(draft, user, Recipient.SIB)
    deliver(draft, user, Recipient.ICE)
    before = Jurisdiction.objects.get(pk=draft.jurisdiction_id).scheduled_activation
    with pytest.raises(ValidationError) as exc:
        services.optout_resolve(case_id=draft.pk, user=user, outcome=Outcome.DATE_ADJUSTED)
    assert "new_activation" in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.stage == Stage.NOTICE_SENT
    assert Jurisdiction.objects.get(pk=draft.jurisdiction_id).scheduled_activation == before


def test_withdrawal_needs_a_reason_and_closes_the_case(draft, user):
    with pytest.raises(ValidationError):
        services.optout_withdraw(case_id=draft.pk, user=user, reason="  ")
    services.optout_withdraw(case_id=draft.pk, user=user, reason="The board voted to stay in.")
    draft.refresh_from_db()
    assert draft.stage == Stage.WITHDRAWN
    assert draft.closed_on == TODAY


def test_only_a_denied_case_can_be_reopened_and_reopening_twice_gives_the_same_case(draft, user):
    with pytest.raises(services.TransitionError, match="denied"):
        services.optout_reopen(case_id=draft.pk, user=user)
    deliver(draft, user, Recipient.SIB)
    deliver(draft, user, Recipient.ICE)
    services.optout_resolve(case_id=draft.pk, user=user, outcome=Outcome.DENIED)
    renewed = services.optout_reopen(case_id=draft.pk, user=user)
    assert renewed.reopens_id == draft.pk
    assert renewed.stage == Stage.DRAFT
    assert renewed.requesting_official == draft.requesting_official
    again = services.optout_reopen(case_id=draft.pk, user=user)
    assert again.pk == renewed.pk
    assert OptOutRequest.objects.filter(reopens=draft).count() == 1


def test_activation_while_the_case_is_open_is_marked(draft, user):
    jurisdiction = draft.jurisdiction
    jurisdiction.actual_activation = days_ago(5)
    jurisdiction.plan_status = Jurisdiction.PlanStatus.ACTIVATED
    jurisdiction.save()
    case = OptOutRequest.objects.with_activated_while_pending().get(pk=draft.pk)
    assert case.activated_while_pending is True
    assert case.is_activated_while_pending is True
    # Activated before the case was opened: not while pending.
    jurisdiction.actual_activation = days_ago(60)
    jurisdiction.save()
    case = OptOutRequest.objects.with_activated_while_pending().get(pk=draft.pk)
    assert case.activated_while_pending is False


def test_a_note_is_private_when_asked_and_a_future_date_is_refused(draft, user):
    note = services.event_record(
        case_id=draft.pk, user=user, kind="note", summary="Call county counsel", is_public=False
    )
    assert note.is_public is False
    with pytest.raises(ValidationError):
        services.event_record(
            case_id=draft.pk,
            user=user,
            kind="reply",
            summary="From the future",
            occurred_on=TODAY + datetime.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        services.event_record(case_id=draft.pk, user=user, kind="stage", summary="Forged move")


@pytest.fixture
def announced():
    """What case_events_added announced, call by call."""
    from optouts.signals import case_events_added

    calls = []

    def receiver(sender, event_ids, case_ids, **kwargs):
        calls.append((event_ids, case_ids))

    case_events_added.connect(receiver, dispatch_uid="test-announced")
    yield calls
    case_events_added.disconnect(dispatch_uid="test-announced")


def test_a_new_draft_is_one_version_with_one_history_row(draft):
    assert draft.version == 1
    assert draft.history.count() == 1
    assert draft.history.get().history_change_reason == "Drafted"


def test_an_event_moves_the_version_keeps_history_and_is_announced_after_the_commit(
    draft, user, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = services.event_record(case_id=draft.pk, user=user, kind="reply", summary="A reply.")
    assert announced == []  # nothing is said before the commit
    for callback in callbacks:
        callback()
    assert announced == [([event.pk], [draft.pk])]
    draft.refresh_from_db()
    assert draft.version == 2
    record = draft.history.order_by("-history_id").first()
    assert (record.history_user, record.history_change_reason) == (user, "Timeline entry added")


def test_a_rolled_back_event_is_never_announced(
    draft, user, announced, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.event_record(case_id=draft.pk, user=user, kind="note", summary="Oops")
                raise RuntimeError
    assert announced == []
    assert not draft.events.filter(summary="Oops").exists()


def test_many_cases_get_their_events_in_bulk_with_history_and_one_announcement(
    user, announced, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from django.db import transaction

    jurisdiction = JurisdictionFactory()
    cases = [
        services.optout_create(
            jurisdiction=jurisdiction,
            user=user,
            requesting_official=f"Official {i}",
            requesting_body="sheriff",
        )
        for i in range(30)
    ]
    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            locked = list(
                OptOutRequest.objects.select_for_update().filter(jurisdiction=jurisdiction)
            )
            with django_assert_max_num_queries(8):
                events = services.events_add_many(
                    cases=locked,
                    kind=CaseEvent.Kind.SCHEDULE,
                    occurred_on=TODAY,
                    summaries={c.pk: f"Moved {c.pk}" for c in locked},
                    actor=user,
                    reason="Deployment schedule",
                )
    assert len(events) == 30 and all(e.pk for e in events)
    assert announced == [([e.pk for e in events], [c.pk for c in locked])]
    for case in cases:
        case.refresh_from_db()
        assert case.version == 2
        assert case.events.get(kind="schedule").summary == f"Moved {case.pk}"
        record = case.history.order_by("-history_id").first()
        assert (record.history_user, record.history_change_reason) == (user, "Deployment schedule")


def test_copies_sent_together_are_recorded_together_or_not_at_all(draft, user):
    copies = [
        {
            "recipient": Recipient.SIB,
            "recipient_name": "The SIB",
            "method": "letter",
            "sent_on": days_ago(30),
        },
        {
            "recipient": Recipient.ICE,
            "recipient_name": "ICE",
            "method": "letter",
            "sent_on": TODAY + datetime.timedelta(days=1),
        },
    ]
    with pytest.raises(ValidationError, match="future"):
        services.deliveries_record(case_id=draft.pk, user=user, copies=copies, expected_version=1)
    assert not draft.deliveries.exists()
    copies[1]["sent_on"] = days_ago(29)
    services.deliveries_record(case_id=draft.pk, user=user, copies=copies, expected_version=1)
    draft.refresh_from_db()
    assert draft.stage == Stage.NOTICE_SENT
    assert draft.events.filter(kind="delivery").count() == 2


def test_the_meeting_moves_are_plain_services_found_by_name():
    for name in (
        "optout_request_meeting",
        "optout_schedule_meeting",
        "optout_postpone_meeting",
        "optout_cancel_meeting",
        "optout_hold_meeting",
    ):
        service = getattr(services, name)
        assert service.__name__ == name and service.__doc__
