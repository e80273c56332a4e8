import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from optouts.models import Stage
from reminders import services
from reminders.emails import unsubscribe_token
from reminders.models import (
    Notification,
    Reminder,
    ReminderPreference,
    ReminderRule,
    ReminderSnooze,
)
from tests.factories import OptOutRequestFactory, UserFactory

from .conftest import TODAY, make_case

pytestmark = pytest.mark.django_db


def notify(user, n, jurisdiction):
    """n unread reminders for `user`, each on its own case."""
    rule = ReminderRule.objects.get(code="draft-untouched")
    reminders = Reminder.objects.bulk_create(
        Reminder(
            case=OptOutRequestFactory(jurisdiction=jurisdiction),
            rule=rule,
            due_on=TODAY,
            status="sent",
            sent_at=timezone.now(),
        )
        for _ in range(n)
    )
    Notification.objects.bulk_create(Notification(user=user, reminder=r) for r in reminders)


def test_the_bell_costs_one_query_and_nothing_for_a_visitor(
    people, client, django_assert_max_num_queries
):
    from django.template import Context, Template

    template = Template("{% load reminders_tags %}{% reminders_bell %}")
    from django.contrib.auth.models import AnonymousUser

    with django_assert_max_num_queries(0):
        assert template.render(Context({"user": AnonymousUser()})).strip() == ""
    notify(people["staff"], 3, people["jurisdiction"])
    with django_assert_max_num_queries(1):
        html = template.render(Context({"user": people["staff"]}))
    assert 'id="reminders-unread">3<' in html
    assert "Reminders: 3 unread" in html


def test_the_notifications_page_lists_and_marks_read_in_fixed_queries(
    people, client, django_assert_max_num_queries
):
    staff = people["staff"]
    notify(staff, 60, people["jurisdiction"])
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reminders:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<strong>New:</strong>") == 50  # one page of 50
    assert Notification.objects.filter(user=staff, read_at__isnull=True).count() == 10
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reminders:list"), {"page": 2})
    assert response.content.decode().count("<strong>New:</strong>") == 10
    assert not Notification.objects.filter(user=staff, read_at__isnull=True).exists()


def test_mark_all_read_and_the_preference_form(people, client):
    staff = people["staff"]
    notify(staff, 2, people["jurisdiction"])
    client.force_login(staff)
    response = client.post(reverse("reminders:read"), follow=True)
    assert "Reminders marked read." in response.content.decode()
    assert not Notification.objects.filter(user=staff, read_at__isnull=True).exists()
    response = client.post(reverse("reminders:preferences"), {"delivery": "digest"}, follow=True)
    assert "Email preference saved: one email a day with all of them." in response.content.decode()
    assert ReminderPreference.objects.get(user=staff).delivery == "digest"
    response = client.post(reverse("reminders:preferences"), {"delivery": "pigeon"}, follow=True)
    assert "Choose how reminders reach you by email." in response.content.decode()
    assert ReminderPreference.objects.get(user=staff).delivery == "digest"


def test_the_notifications_page_needs_a_sign_in(client):
    response = client.get(reverse("reminders:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unsubscribe_by_link_needs_no_sign_in_and_can_be_undone(people, client):
    staff = people["staff"]
    url = reverse("reminders:unsubscribe", args=[unsubscribe_token(staff)])
    assert client.get(url).status_code == 200
    assert not ReminderPreference.objects.filter(user=staff).exists()  # opening changes nothing
    response = client.post(url)
    assert response.status_code == 200
    assert "no more reminder emails" in response.content.decode()
    assert ReminderPreference.objects.get(user=staff).delivery == "none"
    client.post(url, {"resubscribe": "1"})
    assert ReminderPreference.objects.get(user=staff).delivery == "immediate"


def test_case_page_shows_the_panel_to_staff_and_counsel_only(
    people, client, django_assert_max_num_queries
):
    case = make_case(
        stage=Stage.NOTICE_SENT,
        entered=timezone.localdate() - datetime.timedelta(days=3),
        jurisdiction=people["jurisdiction"],
    )
    url = case.get_absolute_url()
    assert 'id="reminders"' not in client.get(url).content.decode()
    client.force_login(people["outsider"])
    assert 'id="reminders"' not in client.get(url).content.decode()
    client.force_login(people["counsel"])
    body = client.get(url).content.decode()
    assert 'id="reminders"' in body
    assert f'href="{reverse("reminders:snooze", args=[case.pk])}"' in body
    assert "No meeting requested after the notice" in body  # coming next


def test_a_closed_case_says_why_it_has_no_reminders(people, client):
    case = make_case(
        stage=Stage.WITHDRAWN,
        entered=timezone.localdate() - datetime.timedelta(days=3),
        jurisdiction=people["jurisdiction"],
    )
    client.force_login(people["staff"])
    body = client.get(case.get_absolute_url()).content.decode()
    panel = body.split('id="reminders"')[1].split("</section>")[0]
    assert "This request is closed: no reminder goes out for it." in panel
    assert 'id="snooze-form"' not in panel


def test_case_page_queries_stay_fixed_with_many_reminders(
    people, client, django_assert_max_num_queries
):
    case = make_case(
        stage=Stage.NOTICE_SENT,
        entered=timezone.localdate() - datetime.timedelta(days=3),
        jurisdiction=people["jurisdiction"],
    )
    client.force_login(people["staff"])
    with django_assert_max_num_queries(40) as few:
        client.get(case.get_absolute_url())
    baseline = len(few.captured_queries)
    rule = ReminderRule.objects.get(code="notice-no-meeting")
    Reminder.objects.bulk_create(
        Reminder(
            case=case,
            rule=rule,
            due_on=TODAY - datetime.timedelta(days=i),
            status="sent",
            sent_at=timezone.now(),
        )
        for i in range(40)
    )
    for i in range(15):
        ReminderSnooze.objects.create(
            case=case, until=timezone.localdate() + datetime.timedelta(days=i + 1), reason=f"r{i}"
        )
    with django_assert_max_num_queries(baseline):
        response = client.get(case.get_absolute_url())
    assert response.content.decode().count("End this snooze") == 15


def test_snooze_form_saves_a_good_snooze(people, client):
    case = make_case(
        stage=Stage.DRAFT, entered=timezone.localdate(), jurisdiction=people["jurisdiction"]
    )
    client.force_login(people["counsel"])
    rule = ReminderRule.objects.get(code="draft-untouched")
    until = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("reminders:snooze", args=[case.pk]),
        {"snooze-rule": rule.pk, "snooze-until": until.isoformat(), "snooze-reason": "Board vote"},
        follow=True,
    )
    assert "Reminders snoozed until" in response.content.decode()
    snooze = ReminderSnooze.objects.get()
    assert (snooze.rule, snooze.until, snooze.reason, snooze.created_by) == (
        rule,
        until,
        "Board vote",
        people["counsel"],
    )
    client.post(reverse("reminders:snooze_cancel", args=[snooze.pk]))
    snooze.refresh_from_db()
    assert snooze.cancelled_at is not None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"snooze-until": "2001-01-01", "snooze-reason": "x"}, "Choose a day after today."),
        ({"snooze-until": "", "snooze-reason": "x"}, "Choose the day the reminders come back."),
        ({"snooze-until": "2999-01-01", "snooze-reason": "x"}, "a year at most"),
        ({"snooze-until": "+5", "snooze-reason": "   "}, "Say why the reminders can wait."),
    ],
)
def test_a_bad_snooze_is_explained_at_its_field_and_saves_nothing(people, client, data, message):
    case = make_case(
        stage=Stage.DRAFT, entered=timezone.localdate(), jurisdiction=people["jurisdiction"]
    )
    if data["snooze-until"] == "+5":
        data["snooze-until"] = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    client.force_login(people["staff"])
    response = client.post(reverse("reminders:snooze", args=[case.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'class="error"' in body or "errorlist-box" in body
    assert not ReminderSnooze.objects.exists()


def test_another_countys_draft_is_not_found_when_snoozing_it(people, client):
    """A draft exists only for its jurisdiction's people: to anyone else it is a 404, never a 403."""
    case = make_case(
        stage=Stage.DRAFT, entered=timezone.localdate(), jurisdiction=people["jurisdiction"]
    )
    snooze = ReminderSnooze.objects.create(
        case=case, until=timezone.localdate() + datetime.timedelta(days=3), reason="Board vote"
    )
    data = {"snooze-until": "2999-01-01", "snooze-reason": "x"}
    url = reverse("reminders:snooze", args=[case.pk])
    cancel = reverse("reminders:snooze_cancel", args=[snooze.pk])
    assert client.post(url, data).status_code == 302  # to the sign-in page
    for user in (people["outsider"], UserFactory()):  # another county's staff, no one's
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
        assert client.post(cancel).status_code == 404
    assert ReminderSnooze.objects.get().cancelled_at is None


def test_a_case_others_may_see_but_not_snooze_is_refused_with_the_reason(people, client):
    case = make_case(
        stage=Stage.NOTICE_SENT, entered=timezone.localdate(), jurisdiction=people["jurisdiction"]
    )
    snooze = ReminderSnooze.objects.create(
        case=case, until=timezone.localdate() + datetime.timedelta(days=3), reason="Board vote"
    )
    data = {"snooze-until": "2999-01-01", "snooze-reason": "x"}
    for user in (people["outsider"], UserFactory()):
        client.force_login(user)
        refused = client.post(reverse("reminders:snooze", args=[case.pk]), data)
        assert refused.status_code == 403
        cancel = client.post(reverse("reminders:snooze_cancel", args=[snooze.pk]))
        assert cancel.status_code == 403
    assert ReminderSnooze.objects.count() == 1
    assert ReminderSnooze.objects.get().cancelled_at is None


def test_a_closed_case_cannot_be_snoozed(people, client):
    case = make_case(
        stage=Stage.WITHDRAWN,
        entered=timezone.localdate(),
        jurisdiction=people["jurisdiction"],
        closed_on=timezone.localdate(),
    )
    with pytest.raises(Exception, match="closed request"):
        services.snooze_create(
            case_id=case.pk,
            user=people["staff"],
            until=timezone.localdate() + datetime.timedelta(days=3),
            reason="x",
        )
