import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from optouts import services as optouts
from public import selectors, services
from public.models import Follow, FollowNotice

pytestmark = pytest.mark.django_db


def _link(message, name):
    return re.search(rf"https?://[^\s]+/follow/{name}/[^\s]+/", message.body).group(0)


def _path(url):
    return "/" + url.split("/", 3)[3]


def _follow(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("public:follow"), data)
    return response


def test_following_needs_the_emailed_link_then_unsubscribes_in_one_click(
    client, public_case, django_capture_on_commit_callbacks
):
    response = _follow(
        client, django_capture_on_commit_callbacks, email="ana@example.org", case=public_case.pk
    )
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    assert selectors.follower_emails_for_case(public_case) == []  # not yet confirmed
    confirm = _path(_link(mail.outbox[0], "confirm"))
    assert client.get(confirm).status_code == 200
    assert Follow.objects.get().confirmed_at is None  # a GET (a mail scanner) confirms nothing
    assert "You follow" in client.post(confirm).content.decode()
    assert selectors.follower_emails_for_case(public_case) == ["ana@example.org"]

    with django_capture_on_commit_callbacks(execute=True):
        optouts.optout_schedule_meeting(
            case_id=public_case.pk, user=None, meeting_at=timezone.now(), location="Room 4"
        )
    assert len(mail.outbox) == 2
    notice = mail.outbox[1]
    assert notice.to == ["ana@example.org"]
    assert "Meeting scheduled" in notice.subject or "meeting scheduled" in notice.subject
    unsubscribe = notice.extra_headers["List-Unsubscribe"].strip("<>")
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in notice.body
    # A mail client's one-click POST, without a CSRF token.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(_path(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Follow.objects.exists()
    assert "Already unsubscribed" in client.get(_path(unsubscribe)).content.decode()


def test_an_internal_note_tells_no_follower(public_case, django_capture_on_commit_callbacks):
    follow = Follow.objects.create(
        email="b@example.org", case=public_case, confirmed_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        optouts.event_record(
            case_id=public_case.pk, user=None, kind="note", summary="secret", is_public=False
        )
    assert mail.outbox == []
    assert not FollowNotice.objects.filter(follow=follow).exists()


def test_one_address_following_case_jurisdiction_and_state_gets_one_email(public_case):
    now = timezone.now()
    Follow.objects.create(email="c@example.org", case=public_case, confirmed_at=now)
    Follow.objects.create(
        email="c@example.org", jurisdiction=public_case.jurisdiction, confirmed_at=now
    )
    Follow.objects.create(
        email="c@example.org", state=public_case.jurisdiction.state, confirmed_at=now
    )
    Follow.objects.create(
        email="d@example.org", state=public_case.jurisdiction.state, confirmed_at=now
    )
    Follow.objects.create(email="pending@example.org", case=public_case)
    event = public_case.events.filter(kind="stage").last()
    assert services.followers_notify_case_event(event) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["c@example.org", "d@example.org"]
    assert services.followers_notify_case_event(event) == 0  # once, however often it runs
    assert len(mail.outbox) == 2
    case_follow_unsub = services.unsubscribe_url(
        Follow.objects.get(email="c@example.org", case=public_case)
    )
    assert case_follow_unsub in next(m for m in mail.outbox if m.to == ["c@example.org"]).body


def test_a_draft_case_tells_nobody(draft_case):
    Follow.objects.create(
        email="e@example.org", jurisdiction=draft_case.jurisdiction, confirmed_at=timezone.now()
    )
    event = draft_case.events.get()
    event.kind = "stage"
    assert services.followers_notify_case_event(event) == 0


def test_bad_input_gets_a_clear_message_and_saves_nothing(client, public_case):
    response = client.post(
        reverse("public:follow"), {"email": "not-an-address", "case": public_case.pk}
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert client.get(reverse("public:follow"), {"case": 999999}).status_code == 404
    assert client.get(reverse("public:follow"), {"state": "ZZ"}).status_code == 404
    assert not Follow.objects.exists()


def test_asking_twice_sends_one_confirmation_and_reveals_nothing(
    client, public_case, django_capture_on_commit_callbacks
):
    for _ in range(3):
        response = _follow(
            client,
            django_capture_on_commit_callbacks,
            email="f@example.org",
            state=public_case.jurisdiction.state.postal_code,
        )
        assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert Follow.objects.count() == 1


def test_tampered_or_expired_links_are_refused(client, public_case, settings):
    follow = Follow.objects.create(email="g@example.org", case=public_case)
    token = services.confirm_token(follow)
    response = client.post(reverse("public:follow_confirm", args=[token[:-2] + "xx"]))
    assert response.status_code == 400 and "not valid" in response.content.decode()
    response = client.post(reverse("public:unsubscribe", args=["abc:def"]))
    assert response.status_code == 400
    assert Follow.objects.filter(confirmed_at__isnull=True).count() == 1
    import datetime
    from unittest import mock

    later = timezone.now() + datetime.timedelta(days=8)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.post(reverse("public:follow_confirm", args=[token]))
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_the_follow_page_keeps_a_fixed_number_of_queries(
    client, public_case, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        assert client.get(reverse("public:follow"), {"case": public_case.pk}).status_code == 200


def test_a_schedule_moving_many_cases_dates_is_announced_to_their_followers(
    public_case, django_capture_on_commit_callbacks
):
    """Events a schedule adds in bulk reach followers as one added by hand does."""
    from jurisdictions.models import ScheduleVersion
    from tests.factories import UserFactory
    from tests.jurisdictions.test_schedule_support import csv_bytes

    jurisdiction = public_case.jurisdiction
    other = optouts.optout_create(
        jurisdiction=jurisdiction,
        user=None,
        requesting_official="County Board",
        requesting_body="board_of_supervisors",
    )  # a draft: not public yet, so nobody hears of it
    Follow.objects.create(
        email="f@example.org", jurisdiction=jurisdiction, confirmed_at=timezone.now()
    )
    admin = UserFactory(is_staff=True, is_superuser=True)
    rows = [
        [jurisdiction.state.postal_code, jurisdiction.name, jurisdiction.fips, "2010-11-02", ""]
    ]
    from jurisdictions.schedules import services as plan_services

    with django_capture_on_commit_callbacks(execute=True):
        version = plan_services.schedule_upload(
            file_name="ice.csv", content=csv_bytes(rows), user=admin
        )
    assert ScheduleVersion.objects.get(pk=version.pk).status == ScheduleVersion.Status.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        # The row moves the date of a jurisdiction with open requests: applied as the admin ticked it.
        optouts.schedule_apply(version_id=version.pk, user=admin, confirmed=[jurisdiction.pk])

    flagged = public_case.events.get(kind="schedule")
    assert other.events.filter(kind="schedule").exists()
    [notice] = mail.outbox
    assert notice.to == ["f@example.org"]
    assert "activation date changed" in notice.subject
    assert FollowNotice.objects.get().event == flagged
