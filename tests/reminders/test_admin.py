import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from optouts.models import Stage
from reminders.models import Notification, Reminder, ReminderRule
from tests.factories import UserFactory

from .conftest import TODAY, make_case

pytestmark = pytest.mark.django_db


def test_every_beat_entry_names_a_registered_task():
    from scomm.celery import app

    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reminders.tasks.reminders_sweep", "reminders.tasks.digest_send"} <= names
    assert names <= set(app.tasks)


def test_the_default_rules_are_the_designs(people):
    rules = {r.code: r for r in ReminderRule.objects.all()}
    assert rules["activation-near"].day_list == [30, 14, 7, 1] and rules["activation-near"].before
    assert rules["notice-no-meeting"].repeat_every == 7
    assert rules["draft-untouched"].days == "7"
    assert rules["meeting-soon"].business_days
    assert len(rules) == 8


@pytest.fixture
def admin(client, people):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_an_admin_edits_a_rule_and_bad_days_are_refused(admin):
    rule = ReminderRule.objects.get(code="draft-untouched")
    url = reverse("admin:reminders_reminderrule_change", args=[rule.pk])
    data = {
        "name": rule.name,
        "message": rule.message,
        "is_active": "on",
        "position": 10,
        "stage": "draft",
        "anchor": "last_change",
        "days": "soon",
        "repeat_every": "",
    }
    response = admin.post(url, data)
    assert response.status_code == 200
    assert "“soon” is not a whole number of days." in response.content.decode()
    rule.refresh_from_db()
    assert rule.days == "7"
    response = admin.post(url, {**data, "days": "10", "business_days": "on"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.days, rule.business_days) == ("10", True)


def test_admin_lists_keep_a_fixed_number_of_queries(admin, people, django_assert_max_num_queries):
    rule = ReminderRule.objects.get(code="draft-untouched")
    reminders = Reminder.objects.bulk_create(
        Reminder(
            case=make_case(stage=Stage.DRAFT, entered=TODAY, jurisdiction=people["jurisdiction"]),
            rule=rule,
            due_on=TODAY,
            status="sent",
            sent_at=timezone.now(),
        )
        for _ in range(30)
    )
    Notification.objects.bulk_create(
        Notification(user=people["staff"], reminder=r) for r in reminders
    )
    for name in ("reminder", "reminderrule", "notification", "remindersnooze"):
        with django_assert_max_num_queries(12):
            response = admin.get(reverse(f"admin:reminders_{name}_changelist"))
        assert response.status_code == 200
