"""
PostgreSQL and Redis restart while the site and a worker run: no notice the
site accepted, and no reminder that fell due, is lost or sent twice.

These restart the machine's own services, so they run only where the test
may do so: under CI, or with SCOMM_TEST_RESTARTS=1.
"""

import datetime
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from optouts import services as case_services
from optouts.models import Delivery, OptOutRequest, Stage
from reminders import services as reminder_services
from reminders.models import Reminder
from tests.conftest import IN_CI, need
from tests.factories import JurisdictionFactory, MembershipFactory
from tests.reminders.conftest import make_case, seed_rules

# Run last (tests/conftest.py): clients of this process still hold
# connections to the servers as they were before the restart.
pytestmark = [pytest.mark.services, pytest.mark.restarts]

REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
]


@pytest.fixture
def may_restart():
    need(IN_CI or os.environ.get("SCOMM_TEST_RESTARTS") == "1", "permission to restart services")
    need(
        bool(shutil.which("redis-server") and shutil.which("pg_ctlcluster")),
        "redis-server and pg_ctlcluster",
    )


def wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:  # the service is still coming back
            connection.close()
        time.sleep(0.3)
    return False


def redis_restart():
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], check=False
    )
    assert wait_for(
        lambda: subprocess.run(["redis-cli", "ping"], capture_output=True).returncode != 0, 15
    )
    subprocess.run(REDIS_START, check=True)
    assert wait_for(
        lambda: subprocess.run(["redis-cli", "ping"], capture_output=True).returncode == 0, 30
    )


def postgres_restart():
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        timeout=120,
    )
    assert wait_for(
        lambda: subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0, 60
    )


def test_a_redis_restart_mid_sweep_loses_no_reminder_and_doubles_none(
    may_restart, celery_worker_process, tmp_path
):
    seed_rules()
    jurisdiction = JurisdictionFactory(scheduled_activation=None)
    MembershipFactory(jurisdiction=jurisdiction, role="staff")
    today = datetime.date.today()
    n = 6
    for i in range(n):
        make_case(
            stage=Stage.DRAFT,
            entered=today - datetime.timedelta(days=8 + i),
            jurisdiction=jurisdiction,
        )
    celery_worker_process.start(
        extra_env={"EMAIL_URL": f"filemail:///{tmp_path}", "SCOMM_REMINDER_SEND_PAUSE": "0.8"}
    )
    assert len(reminder_services.reminders_sweep()) == n
    assert wait_for(lambda: Reminder.objects.filter(status="sent").count() >= 1)
    redis_restart()  # the tasks still queued in Redis are gone with it

    last = [0.0]

    def all_sent():
        if time.monotonic() - last[0] > 3:  # what the beat does, hourly
            reminder_services.reminders_sweep(requeue_after=datetime.timedelta(0))
            last[0] = time.monotonic()
        return Reminder.objects.filter(status="sent").count() == n

    assert wait_for(all_sent, 120)
    time.sleep(2)
    assert Reminder.objects.count() == n
    emails = sum(p.read_text().count("\nMessage-ID: ") for p in Path(tmp_path).glob("*.log"))
    assert emails == n  # one staff member, one email per reminder


def test_a_postgres_restart_loses_no_notice_the_site_accepted(
    may_restart, transactional_db, client
):
    jurisdiction = JurisdictionFactory()
    staff = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    cases = [
        case_services.optout_create(
            jurisdiction=jurisdiction,
            user=staff,
            requesting_official=f"Sheriff {i}",
            requesting_body="sheriff",
        )
        for i in range(6)
    ]
    client.force_login(staff)
    accepted = []

    def submit(case):
        response = client.post(
            reverse("optouts:notice", args=[case.pk]),
            {
                "sib-include": "1",
                "sib-recipient_name": "Bureau",
                "sib-method": "letter",
                "sib-sent_on": timezone.localdate().isoformat(),
                "ice-include": "1",
                "ice-recipient_name": "ICE",
                "ice-method": "fax",
                "ice-sent_on": timezone.localdate().isoformat(),
            },
        )
        return response.status_code == 302

    client.raise_request_exception = False
    for i, case in enumerate(cases):
        if i == 3:
            postgres_restart()
        # The person tries again when the site answers with an error.
        for _ in range(5):
            try:
                if submit(case):
                    accepted.append(case.pk)
                    break
            except Exception:
                pass
            connection.close()
            time.sleep(0.5)
    assert len(accepted) == len(cases)
    connection.close()
    sent = OptOutRequest.objects.filter(pk__in=accepted, stage=Stage.NOTICE_SENT)
    assert sent.count() == len(accepted)
    assert Delivery.objects.filter(request_id__in=accepted).count() == 2 * len(accepted)
