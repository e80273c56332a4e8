import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jurisdictions.models import Membership
from optouts.models import CaseEvent, Stage
from reminders import services
from reminders.models import Notification, Reminder, ReminderPreference, ReminderRule
from tests.factories import MembershipFactory

from .conftest import TODAY, make_case

pytestmark = pytest.mark.django_db
days = datetime.timedelta


def sweep(capture, today=TODAY, **kw):
    with capture(execute=True):
        return services.reminders_sweep(today=today, **kw)


def stalled_cases(j):
    return {
        "draft": make_case(stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=j),
        "notice": make_case(stage=Stage.NOTICE_SENT, entered=TODAY - days(15), jurisdiction=j),
        "fresh": make_case(stage=Stage.NOTICE_SENT, entered=TODAY - days(3), jurisdiction=j),
        "closed": make_case(
            stage=Stage.WITHDRAWN, entered=TODAY - days(60), jurisdiction=j, closed_on=TODAY
        ),
        "meeting": make_case(
            stage=Stage.MEETING_SCHEDULED,
            entered=TODAY - days(2),
            jurisdiction=j,
            meeting=TODAY + days(3),  # Thursday: three business days after today
        ),
    }


def test_a_sweep_sends_each_due_reminder_once_and_a_second_sends_nothing(
    people, django_capture_on_commit_callbacks
):
    cases = stalled_cases(people["jurisdiction"])
    claimed = sweep(django_capture_on_commit_callbacks)
    assert len(claimed) == 3
    sent = {(r.case_id, r.rule.code, r.due_on) for r in Reminder.objects.select_related("rule")}
    assert sent == {
        (cases["draft"].pk, "draft-untouched", TODAY - days(1)),
        (cases["notice"].pk, "notice-no-meeting", TODAY - days(1)),
        (cases["meeting"].pk, "meeting-soon", TODAY),
    }
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    # staff and counsel each, once; the outsider never
    assert Notification.objects.count() == 6
    assert not Notification.objects.filter(user=people["outsider"]).exists()
    assert len(mail.outbox) == 6
    assert CaseEvent.objects.filter(kind="reminder", is_public=False).count() == 3

    assert sweep(django_capture_on_commit_callbacks) == []
    assert Reminder.objects.count() == 3
    assert Notification.objects.count() == 6
    assert len(mail.outbox) == 6


def test_a_sweep_after_missed_weeks_sends_only_the_latest_due_date(
    people, django_capture_on_commit_callbacks
):
    case = make_case(entered=TODAY - days(50), jurisdiction=people["jurisdiction"])
    sweep(django_capture_on_commit_callbacks)
    rows = list(Reminder.objects.filter(case=case).select_related("rule"))
    # 14 days then every 7: days 14, 21, ..., 49 were due; only day 49 is sent.
    # The follow-up letter (30 days) is a rule of its own, sent once.
    assert {(r.rule.code, r.due_on) for r in rows} == {
        ("notice-no-meeting", TODAY - days(1)),
        ("notice-follow-up-letter", TODAY - days(20)),
    }
    sweep(django_capture_on_commit_callbacks, today=TODAY + days(6))
    assert Reminder.objects.filter(case=case).count() == 3  # the next repeat, once


def test_the_activation_date_near_goes_out_at_30_14_7_and_1_days(
    people, django_capture_on_commit_callbacks
):
    j = people["jurisdiction"]
    j.scheduled_activation = TODAY + days(14)
    j.save()
    case = make_case(stage=Stage.DRAFT, entered=TODAY, jurisdiction=j)
    sweep(django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(case=case)
    assert (reminder.rule.code, reminder.due_on) == ("activation-near", TODAY)
    assert mail.outbox[0].subject.startswith("Urgent: Activation date near")
    for offset in range(1, 15):
        sweep(django_capture_on_commit_callbacks, today=TODAY + days(offset))
    dues = sorted(
        Reminder.objects.filter(case=case, rule__code="activation-near").values_list(
            "due_on", flat=True
        )
    )
    assert dues == [TODAY, TODAY + days(7), TODAY + days(13)]


def test_a_snoozed_case_gets_nothing_until_the_snooze_ends(
    people, django_capture_on_commit_callbacks
):
    case = make_case(
        stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"]
    )
    services.snooze_create(
        case_id=case.pk,
        user=people["staff"],
        until=TODAY + days(3),
        reason="Board vote",
        today=TODAY,
    )
    assert sweep(django_capture_on_commit_callbacks) == []
    assert sweep(django_capture_on_commit_callbacks, today=TODAY + days(2)) == []
    assert len(sweep(django_capture_on_commit_callbacks, today=TODAY + days(3))) == 1


def test_sending_twice_tells_nobody_twice(people):
    case = make_case(
        stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"]
    )
    [pk] = services.reminders_sweep(today=TODAY, enqueue=False)
    for _ in range(3):
        services.reminder_send(reminder_id=pk, today=TODAY)
        services.reminder_emails_send(reminder_id=pk)
    assert Notification.objects.filter(reminder_id=pk).count() == 2
    assert len(mail.outbox) == 2
    assert CaseEvent.objects.filter(request=case, kind="reminder").count() == 1


def test_a_row_whose_task_was_lost_is_queued_again_by_a_later_sweep(people):
    make_case(stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"])
    [pk] = services.reminders_sweep(today=TODAY, enqueue=False)
    # The task never ran. A sweep right after leaves it (it may still be in the queue)...
    assert services.reminders_sweep(today=TODAY, enqueue=False) == []
    # ...a sweep once the queueing is stale hands it out again.
    assert services.reminders_sweep(
        today=TODAY, enqueue=False, requeue_after=datetime.timedelta(0)
    ) == [pk]


def test_a_case_that_moved_on_before_the_send_is_skipped(people):
    case = make_case(
        stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"]
    )
    [pk] = services.reminders_sweep(today=TODAY, enqueue=False)
    case.stage = Stage.WITHDRAWN
    case.closed_on = TODAY
    case.save()
    reminder = services.reminder_send(reminder_id=pk, today=TODAY)
    assert reminder.status == "skipped"
    assert reminder.note == "The case is closed."
    assert not Notification.objects.exists()


def test_the_email_has_text_html_an_absolute_link_and_one_click_unsubscribe(
    people, settings, client, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://scomm.example.org"
    case = make_case(
        stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"]
    )
    sweep(django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == [people["staff"].email])
    link = f"https://scomm.example.org/cases/{case.pk}/"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://scomm.example.org/reminders/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body and unsubscribe in html
    # one click, no sign-in
    response = client.post(unsubscribe.removeprefix("https://scomm.example.org"))
    assert response.status_code == 200
    assert ReminderPreference.objects.get(user=people["staff"]).delivery == "none"


def test_a_forged_unsubscribe_link_changes_nothing(people, client):
    response = client.get("/reminders/unsubscribe/not-a-real-token/")
    assert response.status_code == 404
    assert not ReminderPreference.objects.exists()


def test_digest_users_get_one_email_a_day_and_no_email_users_none(
    people, django_capture_on_commit_callbacks
):
    services.preference_set(user=people["staff"], delivery="digest")
    services.preference_set(user=people["counsel"], delivery="none")
    j = people["jurisdiction"]
    make_case(stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=j)
    make_case(stage=Stage.NOTICE_SENT, entered=TODAY - days(15), jurisdiction=j)
    sweep(django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 4  # both see them on the site
    assert mail.outbox == []
    assert services.digest_send() == 1
    [digest] = mail.outbox
    assert digest.to == [people["staff"].email]
    assert "Draft untouched" in digest.body and "No meeting requested" in digest.body
    assert "List-Unsubscribe" in digest.extra_headers
    assert services.digest_send() == 0


def test_a_failed_email_is_sent_by_the_retry(people, monkeypatch):
    make_case(stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"])
    [pk] = services.reminders_sweep(today=TODAY, enqueue=False)
    services.reminder_send(reminder_id=pk, today=TODAY)
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send

    def broken(self, *a, **kw):
        raise OSError("SMTP server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    with pytest.raises(OSError):
        services.reminder_emails_send(reminder_id=pk)
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert services.reminder_emails_send(reminder_id=pk) == 2
    assert services.reminder_emails_send(reminder_id=pk) == 0


def test_an_admin_rule_change_takes_effect(people, django_capture_on_commit_callbacks):
    make_case(stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"])
    ReminderRule.objects.filter(code="draft-untouched").update(days="10")
    assert sweep(django_capture_on_commit_callbacks) == []
    ReminderRule.objects.filter(code="draft-untouched").update(days="5", business_days=True)
    # 5 business days after Friday Sep 10 (entered) is Friday Sep 17.
    sweep(django_capture_on_commit_callbacks)
    assert Reminder.objects.get().due_on == datetime.date(2010, 9, 17)


def test_the_sweep_costs_the_same_queries_however_many_cases(people):
    """Selection is two queries plus one per rule; writes go in batches of new rows."""
    from optouts.models import OptOutRequest

    j = people["jurisdiction"]

    def measure(stalled, quiet):
        for _ in range(stalled):
            make_case(stage=Stage.NOTICE_SENT, entered=TODAY - days(15), jurisdiction=j)
        OptOutRequest.objects.bulk_create(
            OptOutRequest(jurisdiction=j, stage=Stage.NOTICE_SENT, requesting_official="S")
            for _ in range(quiet)
        )
        with CaptureQueriesContext(connection) as ctx:
            claimed = services.reminders_sweep(today=TODAY, enqueue=False)
        assert len(claimed) == stalled
        return len(ctx.captured_queries)

    small = measure(5, 0)
    large = measure(60, 3000)
    assert small == large
    rules = ReminderRule.objects.filter(is_active=True).count()
    # rules, snoozes, one per rule, the insert, the claim, the claimed ids, the
    # record of the run (+ savepoint)
    assert small <= 2 + rules + 4 + 2


def test_counsel_and_staff_of_another_jurisdiction_hear_nothing(
    people, django_capture_on_commit_callbacks
):
    other = MembershipFactory(role=Membership.Role.COUNSEL).user
    make_case(stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"])
    sweep(django_capture_on_commit_callbacks)
    recipients = set(Notification.objects.values_list("user_id", flat=True))
    assert recipients == {people["staff"].pk, people["counsel"].pk}
    assert other.pk not in recipients


def test_followers_hear_of_a_nearing_activation_date_once(
    people, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from public.models import Follow

    j = people["jurisdiction"]
    j.scheduled_activation = TODAY + days(7)
    j.save()
    case = make_case(stage=Stage.NOTICE_SENT, entered=TODAY - days(2), jurisdiction=j)
    Follow.objects.create(email="advocate@example.org", case=case, confirmed_at=timezone.now())
    sweep(django_capture_on_commit_callbacks)
    public = CaseEvent.objects.get(request=case, kind=CaseEvent.Kind.REMINDER, is_public=True)
    assert "in 7 days" in public.summary
    to_follower = [m for m in mail.outbox if m.to == ["advocate@example.org"]]
    assert len(to_follower) == 1
    assert "List-Unsubscribe" in to_follower[0].extra_headers
    sweep(django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if m.to == ["advocate@example.org"]]) == 1


def test_a_reminder_on_the_timeline_moves_the_case_on_like_any_event(
    people, django_capture_on_commit_callbacks
):
    """Written through the case's own service: a newer version, a history row, an announcement."""
    from optouts.signals import case_events_added

    case = make_case(
        stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"]
    )
    before = case.version
    heard = []
    case_events_added.connect(
        lambda sender, event_ids, case_ids, **kw: heard.append(case_ids),
        weak=False,
        dispatch_uid="test-reminder-heard",
    )
    try:
        sweep(django_capture_on_commit_callbacks)
    finally:
        case_events_added.disconnect(dispatch_uid="test-reminder-heard")
    case.refresh_from_db()
    assert case.version == before + 1
    assert case.history.order_by("-history_id").first().history_change_reason == "Reminder sent"
    assert heard == [[case.pk]]
