"""
"Needs your attention" on the overview: the cases stuck by the reminder
rules, from the cases' state, whether or not their reminders were read.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from optouts.models import Stage
from reminders import selectors, services
from reminders.models import Notification, ReminderRule
from tests.factories import JurisdictionFactory, UserFactory

from .conftest import TODAY, make_case

pytestmark = pytest.mark.django_db

days = datetime.timedelta
TAG = Template("{% load reminders_tags %}{% needs_attention %}")


def listed(user, today=TODAY) -> dict[int, list[str]]:
    """Case id -> the codes of the rules it meets, for `user` on `today`."""
    found = selectors.needs_attention(user=user, today=today, limit=100)
    return {a.case.pk: [c.rule.code for c in a.conditions] for a in found["items"]}


def test_a_stuck_case_stays_listed_after_its_reminders_were_read(people, client):
    """The case stuck since 2010: opening the reminders page does not unstick it."""
    today = timezone.localdate()
    case = make_case(
        stage=Stage.DRAFT, entered=datetime.date(2010, 9, 1), jurisdiction=people["jurisdiction"]
    )
    for pk in services.reminders_sweep(enqueue=False):
        services.reminder_send(reminder_id=pk)
    staff = people["staff"]
    assert Notification.objects.filter(user=staff, read_at__isnull=True).exists()

    client.force_login(staff)
    client.get("/reminders/")  # reads every reminder
    assert not Notification.objects.filter(user=staff, read_at__isnull=True).exists()

    body = client.get("/").content.decode()
    assert 'id="needs-attention-list"' in body
    assert case.get_absolute_url() in body
    assert "Draft untouched" in body and "since Sep 8, 2010" in body
    assert "Nothing needs your attention" not in body
    assert listed(staff, today) == {case.pk: ["draft-untouched"]}


@pytest.mark.parametrize(
    "stage, entered, meeting, code",
    [
        (Stage.DRAFT, 8, None, "draft-untouched"),
        (Stage.NOTICE_SENT, 15, None, "notice-no-meeting"),
        (Stage.MEETING_REQUESTED, 15, None, "meeting-not-scheduled"),
        (Stage.MEETING_SCHEDULED, 20, -5, "meeting-unrecorded"),
        (Stage.MEETING_HELD, 31, None, "no-resolution"),
    ],
)
def test_each_rule_lists_a_stuck_case_and_not_one_on_time(people, stage, entered, meeting, code):
    j = people["jurisdiction"]
    stuck = make_case(
        stage=stage,
        entered=TODAY - days(entered),
        jurisdiction=j,
        meeting=TODAY + days(meeting) if meeting is not None else None,
    )
    on_time = make_case(
        stage=stage,
        entered=TODAY - days(1),
        jurisdiction=j,
        meeting=TODAY + days(30) if meeting is not None else None,
    )
    found = listed(people["staff"])
    assert code in found[stuck.pk]
    assert on_time.pk not in found


def test_an_activation_date_near_lists_an_open_case_of_any_stage(people):
    near = JurisdictionFactory(scheduled_activation=TODAY + days(10))
    far = JurisdictionFactory(scheduled_activation=TODAY + days(90))
    done = JurisdictionFactory(
        scheduled_activation=TODAY + days(10), plan_status=Jurisdiction.PlanStatus.REMOVED
    )
    from jurisdictions.models import Membership
    from tests.factories import MembershipFactory

    for j in (near, far, done):
        MembershipFactory(jurisdiction=j, user=people["counsel"], role=Membership.Role.COUNSEL)
    case = make_case(stage=Stage.NOTICE_SENT, entered=TODAY - days(2), jurisdiction=near)
    make_case(stage=Stage.NOTICE_SENT, entered=TODAY - days(2), jurisdiction=far)
    make_case(stage=Stage.NOTICE_SENT, entered=TODAY - days(2), jurisdiction=done)
    make_case(stage=Stage.WITHDRAWN, entered=TODAY - days(2), jurisdiction=near)
    found = selectors.needs_attention(user=people["counsel"], today=TODAY)["items"]
    assert [a.case.pk for a in found] == [case.pk]
    assert found[0].is_urgent and found[0].conditions[0].on == TODAY + days(10)


def test_only_the_users_cases_and_an_admin_sees_all(people):
    mine = make_case(
        stage=Stage.DRAFT, entered=TODAY - days(30), jurisdiction=people["jurisdiction"]
    )
    other = make_case(stage=Stage.DRAFT, entered=TODAY - days(30))
    assert set(listed(people["staff"])) == {mine.pk}
    assert set(listed(people["outsider"])) == set()
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert set(listed(admin)) == {mine.pk, other.pk}


def test_a_snoozed_case_waits_as_its_reminders_do(people):
    case = make_case(
        stage=Stage.DRAFT, entered=TODAY - days(30), jurisdiction=people["jurisdiction"]
    )
    services.snooze_create(
        case_id=case.pk,
        user=people["staff"],
        until=TODAY + days(5),
        reason="Board vote",
        today=TODAY,
    )
    assert listed(people["staff"]) == {}
    assert listed(people["staff"], TODAY + days(5)) == {case.pk: ["draft-untouched"]}


def test_a_rule_turned_off_no_longer_lists_its_cases(people):
    make_case(stage=Stage.DRAFT, entered=TODAY - days(30), jurisdiction=people["jurisdiction"])
    ReminderRule.objects.filter(code="draft-untouched").update(is_active=False)
    assert listed(people["staff"]) == {}


def test_the_list_costs_the_same_queries_for_one_case_or_thirty(
    people, django_assert_max_num_queries
):
    """Roles, the last sweep, rules, snoozes, the stuck cases, the ten shown: six at most."""
    staff = people["staff"]
    j = people["jurisdiction"]
    today = timezone.localdate()
    make_case(stage=Stage.NOTICE_SENT, entered=today - days(40), jurisdiction=j)
    with django_assert_max_num_queries(6):
        html = TAG.render(Context({"user": staff}))
    assert html.count("<li>") == 1
    for n in range(29):
        make_case(stage=Stage.DRAFT, entered=today - days(10 + n), jurisdiction=j)
    staff = type(staff).objects.get(pk=staff.pk)  # a new request: nothing kept on the user
    with django_assert_max_num_queries(6):
        html = TAG.render(Context({"user": staff}))
    assert html.count("<li>") == 10
    assert "And 20 more cases." in html
    # Stuck longest first: the oldest draft, untouched for 38 days, is due since 31.
    since = [a.conditions[0].since for a in selectors.needs_attention(user=staff)["items"]]
    assert since == sorted(since) and since[0] == today - days(31)


def test_a_visitor_sees_nothing_and_costs_no_query(django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        assert TAG.render(Context({"user": AnonymousUser()})).strip() == ""
