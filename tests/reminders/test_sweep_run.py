"""When the reminders sweep last ran: recorded per run, warned about on the overview."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from optouts.models import Stage
from reminders import services
from reminders.models import SweepRun
from reminders.selectors import SWEEP_LAST_KEY
from tests.factories import UserFactory

from .conftest import TODAY, make_case

pytestmark = pytest.mark.django_db

days = datetime.timedelta


def test_each_sweep_records_when_it_ran_and_what_it_found(people):
    make_case(stage=Stage.DRAFT, entered=TODAY - days(9), jurisdiction=people["jurisdiction"])
    make_case(
        stage=Stage.NOTICE_SENT, entered=TODAY - days(16), jurisdiction=people["jurisdiction"]
    )
    before = timezone.now()
    claimed = services.reminders_sweep(today=TODAY, enqueue=False)
    run = SweepRun.objects.get()
    assert run.swept_for == TODAY
    assert (run.due_count, run.queued_count) == (2, len(claimed)) == (2, 2)
    assert before <= run.started_at <= run.finished_at <= timezone.now()

    services.reminders_sweep(today=TODAY, enqueue=False)
    assert SweepRun.objects.count() == 2
    assert SweepRun.objects.latest().due_count == 0


def test_the_cron_command_records_its_sweep_too(people, capsys):
    call_command("remind_stalled", "--today", TODAY.isoformat())
    assert SweepRun.objects.get().swept_for == TODAY
    call_command("remind_stalled", "--today", TODAY.isoformat(), "--dry-run")
    assert SweepRun.objects.count() == 1  # a dry run is no sweep


def _ran(hours_ago: float) -> SweepRun:
    at = timezone.now() - datetime.timedelta(hours=hours_ago)
    run = SweepRun.objects.create(started_at=at, finished_at=at, swept_for=at.date())
    cache.delete(SWEEP_LAST_KEY)  # as a sweep does once its run is recorded
    return run


def test_the_overview_warns_staff_when_the_sweep_has_not_run_for_a_day(people, client):
    client.force_login(people["staff"])
    body = client.get("/").content.decode()
    assert 'id="sweep-late"' in body and "never been checked" in body

    _ran(hours_ago=26)
    body = client.get("/").content.decode()
    assert 'id="sweep-late"' in body
    assert "have not been checked since" in body

    _ran(hours_ago=1)
    assert 'id="sweep-late"' not in client.get("/").content.decode()


@pytest.mark.parametrize("who", ["counsel", "admin"])
def test_counsel_and_admins_see_the_warning_others_do_not(people, client, who):
    _ran(hours_ago=30)
    user = people["counsel"] if who == "counsel" else UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    assert 'id="sweep-late"' in client.get("/").content.decode()

    client.force_login(UserFactory())  # signed in, no role anywhere
    assert 'id="sweep-late"' not in client.get("/").content.decode()
    client.logout()
    assert 'id="sweep-late"' not in client.get("/").content.decode()


def test_the_admin_lists_the_runs_read_only(people, admin_client):
    run = _ran(hours_ago=2)
    body = admin_client.get("/admin/reminders/sweeprun/").content.decode()
    assert "Sweep runs" in body or "sweep runs" in body
    assert admin_client.get(f"/admin/reminders/sweeprun/{run.pk}/change/").status_code == 200
    assert admin_client.get("/admin/reminders/sweeprun/add/").status_code == 403
