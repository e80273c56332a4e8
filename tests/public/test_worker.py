import time

import pytest
from django.utils import timezone

from optouts import services as optouts
from public.models import Follow, FollowNotice

pytestmark = pytest.mark.services


def test_a_real_worker_tells_each_follower_once(celery_worker_process, public_case):
    Follow.objects.create(email="w@example.org", case=public_case, confirmed_at=timezone.now())
    Follow.objects.create(
        email="w@example.org", state=public_case.jurisdiction.state, confirmed_at=timezone.now()
    )
    celery_worker_process.start()
    optouts.optout_schedule_meeting(
        case_id=public_case.pk, user=None, meeting_at=timezone.now(), location="Room 4"
    )
    event = public_case.events.get(to_stage="meeting_scheduled")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notices = list(FollowNotice.objects.filter(email="w@example.org", event=event))
        if notices and all(n.sent_at for n in notices):
            break
        time.sleep(0.3)
    # One address following the case and its state: one email for the event, sent.
    assert len(notices) == 1 and notices[0].sent_at is not None
    assert not FollowNotice.objects.filter(sent_at__isnull=True).exists()


def test_a_real_worker_tells_followers_of_a_schedule_applied_in_bulk(
    celery_worker_process, public_case
):
    """Events a schedule adds in one bulk insert are queued after the commit, one task each."""
    from jurisdictions.schedules import services as plan_services
    from tests.factories import UserFactory
    from tests.jurisdictions.test_schedule_support import csv_bytes

    jurisdiction = public_case.jurisdiction
    Follow.objects.create(email="s@example.org", case=public_case, confirmed_at=timezone.now())
    admin = UserFactory(is_staff=True, is_superuser=True)
    celery_worker_process.start()
    rows = [
        [jurisdiction.state.postal_code, jurisdiction.name, jurisdiction.fips, "2010-11-02", ""]
    ]
    version = plan_services.schedule_upload(
        file_name="ice.csv", content=csv_bytes(rows), user=admin
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        version.refresh_from_db()
        if version.status == version.Status.CHECKED:
            break
        time.sleep(0.3)
    # The row moves the date of a jurisdiction with an open request: applied as the admin ticked it.
    optouts.schedule_apply(version_id=version.pk, user=admin, confirmed=[jurisdiction.pk])
    event = public_case.events.get(kind="schedule")
    while time.monotonic() < deadline + 30:
        notices = list(FollowNotice.objects.filter(email="s@example.org", event=event))
        if notices and all(n.sent_at for n in notices):
            break
        time.sleep(0.3)
    assert len(notices) == 1 and notices[0].sent_at is not None
