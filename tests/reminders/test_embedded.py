"""
The embedded default sends due reminders by itself: the worker with beat that
scripts/start runs (manage.py embedded_worker), on a SQLite file, with its
queue in folders, sweeps on its schedule with no Redis, no cron and no other
command. No service needed, so it runs on a laptop as in CI.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

MAKE_A_STUCK_CASE = """
import datetime
from django.utils import timezone
from optouts.models import OptOutRequest
from tests.factories import JurisdictionFactory, MembershipFactory, OptOutRequestFactory
j = JurisdictionFactory(scheduled_activation=None)
MembershipFactory(jurisdiction=j, role="staff")
case = OptOutRequestFactory(jurisdiction=j, stage="notice_sent")
OptOutRequest.objects.filter(pk=case.pk).update(
    stage_entered_at=timezone.now() - datetime.timedelta(days=20)
)
"""


def _env(tmp_path: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "CELERY_BROKER_URL"}
    }
    (tmp_path / "mail").mkdir()
    env.update(
        DJANGO_SETTINGS_MODULE="scomm.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SCOMM_EMBEDDED_WORKER="1",
        SCOMM_EMBEDDED_WORKER_DIR=str(tmp_path / "celery"),
        SCOMM_REMINDERS_SWEEP_SECONDS="2",
        SCOMM_WORKER_LOGLEVEL="WARNING",
        EMAIL_URL=f"filemail:///{tmp_path / 'mail'}",  # an absolute path
    )
    return env


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
        capture_output=True,
        timeout=180,
    )


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=20) as conn:
        return conn.execute(sql).fetchall()


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_scripts_start_runs_the_embedded_worker_this_test_starts():
    start = (settings.BASE_DIR / "scripts" / "start").read_text()
    assert "export SCOMM_EMBEDDED_WORKER=1" in start
    assert ".venv/bin/python manage.py embedded_worker &" in start
    assert "trap " in start  # stopping the site stops the worker


def test_the_embedded_worker_sends_a_due_reminder_on_its_own(tmp_path):
    env = _env(tmp_path)
    db = tmp_path / "db.sqlite3"
    _manage(env, "migrate", "--noinput")
    _manage(env, "shell", "-c", MAKE_A_STUCK_CASE)
    assert _rows(db, "SELECT count(*) FROM reminders_reminder") == [(0,)]

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "embedded_worker"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("w"),
        start_new_session=True,
    )
    try:
        sent = _wait_for(
            lambda: (
                _rows(db, "SELECT status, recipient_count FROM reminders_reminder") == [("sent", 1)]
            ),
            timeout=120,
        )
        assert sent, "no reminder sent within 120 s"
        assert _wait_for(lambda: list((tmp_path / "mail").glob("*.log")), timeout=30)
        mails = list((tmp_path / "mail").glob("*.log"))
        assert "No meeting requested after the notice" in "".join(p.read_text() for p in mails)
        # Beat sweeps again and again (every 2 s here, hourly by default), and
        # the reminder already sent is not sent twice.
        assert _wait_for(
            lambda: _rows(db, "SELECT count(*) FROM reminders_sweeprun")[0][0] >= 3, timeout=60
        )
        assert _rows(db, "SELECT count(*) FROM reminders_reminder") == [(1,)]
        assert worker.poll() is None
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
            raise AssertionError("the worker did not stop within 30 s of SIGTERM") from None
    # Stopped, and its embedded beat with it.
    time.sleep(1)
    runs = _rows(db, "SELECT count(*) FROM reminders_sweeprun")[0][0]
    time.sleep(4)
    assert _rows(db, "SELECT count(*) FROM reminders_sweeprun")[0][0] == runs
