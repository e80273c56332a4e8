import datetime
import io

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from optouts.models import Stage
from reminders.models import Notification, Reminder

from .conftest import TODAY, make_case, seed_rules

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("remind_stalled", *args, stdout=out)
    return out.getvalue()


def test_remind_stalled_sends_in_the_foreground_once(people):
    case = make_case(
        stage=Stage.DRAFT,
        entered=TODAY - datetime.timedelta(days=8),
        jurisdiction=people["jurisdiction"],
    )
    dry = run("--today", "2010-09-20", "--dry-run")
    assert (
        f"Due: Draft untouched — {case.jurisdiction} (request #{case.pk}) (due 2010-09-19)" in dry
    )
    assert not Reminder.objects.exists()

    first = run("--today", "2010-09-20")
    assert f"Sent: Draft untouched — {case.jurisdiction}" in first
    assert "to 2 recipient(s)" in first
    assert "1 reminder(s) sent" in first
    assert Notification.objects.count() == 2

    second = run("--today", "2010-09-20")
    assert "0 reminder(s) sent" in second
    assert Notification.objects.count() == 2


def test_remind_stalled_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", "20/09/2010")


@pytest.mark.skipif("load_demo" not in get_commands(), reason="load_demo is not installed")
def test_the_2010_demo_cases_that_were_waiting_are_reminded_once(db):
    seed_rules()
    call_command("load_demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    from jurisdictions.models import Membership
    from optouts.models import OptOutRequest

    waiting = OptOutRequest.objects.open().filter(opened_on__lte=TODAY)
    assert waiting.exists()
    # Someone to tell in each waiting case's jurisdiction, if the demo has no users.
    user = get_user_model().objects.create_user("demo-staff", "staff@example.org")
    for jurisdiction_id in set(waiting.values_list("jurisdiction_id", flat=True)):
        Membership.objects.get_or_create(
            user=user, jurisdiction_id=jurisdiction_id, role=Membership.Role.STAFF
        )

    first = run("--today", "2010-09-20")
    sent = Reminder.objects.filter(status="sent")
    assert sent.exists()
    assert set(sent.values_list("case_id", flat=True)) <= set(waiting.values_list("pk", flat=True))
    for reminder in sent.select_related("case__jurisdiction__state"):
        assert f"{reminder.case.jurisdiction} (request #{reminder.case_id})" in first
    # Orange County's request of January 2009 never sent its notice: a draft untouched since.
    assert "Draft untouched — Orange County, NC" in first
    assert "0 reminder(s) sent" not in first

    second = run("--today", "2010-09-20")
    assert "0 reminder(s) sent, 0 skipped" in second
    assert Reminder.objects.filter(status="sent").count() == sent.count()
