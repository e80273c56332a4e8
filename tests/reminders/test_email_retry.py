"""
An email cut short between its claim and its delivery (a worker killed, a
mail server that drops the connection) is sent by the retry, once, with the
Message-ID the first try gave it.
"""

import datetime

import pytest
from django.core import mail

from core import faults
from optouts.models import Stage
from public import services as follow_services
from public.models import Follow, FollowNotice
from reminders import services
from reminders.models import Notification
from tests.factories import OptOutRequestFactory
from tests.reminders.conftest import TODAY, make_case

pytestmark = pytest.mark.django_db


def days(n):
    return datetime.timedelta(days=n)


class Killed(Exception):
    """A worker stopped at this step."""


def test_a_reminder_email_killed_after_its_claim_is_sent_once_by_the_retry(people, monkeypatch):
    make_case(stage=Stage.DRAFT, entered=TODAY - days(8), jurisdiction=people["jurisdiction"])
    [pk] = services.reminders_sweep(today=TODAY, enqueue=False)
    services.reminder_send(reminder_id=pk, today=TODAY)

    real_pause = faults.pause_at

    def killed_once(step):
        if step == "email-claimed":
            monkeypatch.setattr(faults, "pause_at", real_pause)
            raise Killed(step)

    monkeypatch.setattr(faults, "pause_at", killed_once)
    with pytest.raises(Killed):
        services.reminder_emails_send(reminder_id=pk)
    assert mail.outbox == []
    rows = Notification.objects.filter(reminder_id=pk)
    assert not rows.filter(emailed_at__isnull=False).exists(), "claimed, not delivered"
    kept = {u: m for u, m in rows.values_list("user_id", "email_message_id") if m}
    assert len(kept) == 1, "the first email's Message-ID was kept before its send"

    assert services.reminder_emails_send(reminder_id=pk) == 2
    assert services.reminder_emails_send(reminder_id=pk) == 0
    assert len(mail.outbox) == 2
    by_user = {m.to[0]: m.extra_headers["Message-ID"] for m in mail.outbox}
    [(user_id, message_id)] = kept.items()
    email = people["staff"].email if user_id == people["staff"].pk else people["counsel"].email
    assert by_user[email] == message_id
    # The Message-ID is the one on the wire, too.
    assert mail.outbox[0].message()["Message-ID"] == mail.outbox[0].extra_headers["Message-ID"]
    assert not rows.filter(emailed_at__isnull=True).exists()


def test_a_follower_email_cut_short_is_sent_again_with_the_same_message_id(
    monkeypatch, django_capture_on_commit_callbacks
):
    case = OptOutRequestFactory(stage="notice_sent")
    Follow.objects.create(email="reader@example.org", case=case, confirmed_at=case.created_at)
    from optouts.models import CaseEvent

    event = CaseEvent.objects.create(
        request=case, kind=CaseEvent.Kind.CORRESPONDENCE, occurred_on=TODAY, summary="A reply."
    )
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send
    seen = []

    def dropped(self, *args, **kwargs):
        seen.append(self.extra_headers["Message-ID"])
        raise OSError("connection reset by the mail server")

    monkeypatch.setattr(EmailMessage, "send", dropped)
    with pytest.raises(OSError):
        follow_services.followers_notify_case_event(event)
    notice = FollowNotice.objects.get()
    assert notice.sent_at is None and notice.message_id == seen[0]

    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert follow_services.followers_notify_case_event(event) == 1
    assert follow_services.followers_notify_case_event(event) == 0
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == seen[0]
    notice.refresh_from_db()
    assert notice.sent_at is not None
