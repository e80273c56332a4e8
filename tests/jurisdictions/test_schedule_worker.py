"""The check of an upload runs on a real Celery worker (PostgreSQL + Redis), as in production."""

import time

import pytest

from jurisdictions.models import ScheduleVersion
from jurisdictions.schedules import services
from tests.factories import UserFactory

from .test_schedule_support import csv_bytes, directory

pytestmark = pytest.mark.services


def test_a_real_worker_checks_the_upload_and_the_preview_follows(celery_worker_process, client):
    places = directory()
    # django-environ knows no locmem email scheme; the check sends no mail anyway.
    celery_worker_process.start(extra_env={"EMAIL_URL": "consolemail://"})
    admin = UserFactory(is_staff=True, is_superuser=True)
    rows = [
        ["CA", "Los Angeles", "", "8/27/2010", ""],
        ["VA", "Arlington County", "51013", "9/21/2010", ""],
        ["CA", "Gotham", "", "9/21/2010", ""],
    ]
    version = services.schedule_upload(file_name="ice.csv", content=csv_bytes(rows), user=admin)
    client.force_login(admin)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = client.get(f"/jurisdictions/schedules/{version.pk}/status/").json()
        if status["done"]:
            break
        time.sleep(0.2)
    assert status == {
        "status": "checked",
        "done": True,
        "rows_checked": 3,
        "rows_total": 3,
        "percent": 100,
    }
    version.refresh_from_db()
    assert version.report["counts"] == {
        "held": 0,
        "new": 2,
        "changed": 0,
        "unchanged": 0,
        "errors": 1,
    }
    assert version.report["new"][0]["jurisdiction_id"] == places["la"].pk
    assert version.status == ScheduleVersion.Status.CHECKED
