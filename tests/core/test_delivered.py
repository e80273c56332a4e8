"""
An email the mail server took stays marked delivered through a database
that went away between the send and the mark (core.delivered): the retry
does not send it again.
"""

import pytest
from django.core import mail
from django.db import OperationalError, transaction

from core import delivered
from optouts.models import CaseEvent
from public import services as follow_services
from public.models import Follow, FollowNotice
from tests.factories import OptOutRequestFactory


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(delivered.time, "sleep", lambda seconds: None)


@pytest.mark.django_db(transaction=True)
def test_the_mark_is_written_again_until_the_database_answers():
    tries = []

    def write():
        tries.append(1)
        if len(tries) < 3:
            raise OperationalError("server closed the connection unexpectedly")

    assert delivered.record_delivery(write, what="a test") is True
    assert len(tries) == 3


@pytest.mark.django_db(transaction=True)
def test_a_database_down_for_longer_is_given_up_and_said(caplog):
    def write():
        raise OperationalError("connection refused")

    assert delivered.record_delivery(write, what="a test", within=0.1) is False
    assert "Delivered, but not recorded (a test)" in caplog.text


@pytest.mark.django_db
def test_it_refuses_to_run_inside_a_transaction():
    with transaction.atomic(), pytest.raises(RuntimeError):
        delivered.record_delivery(lambda: None, what="a test")


@pytest.mark.django_db(transaction=True)
def test_a_follower_email_sent_as_the_database_went_away_is_not_sent_again(monkeypatch):
    case = OptOutRequestFactory(stage="notice_sent")
    Follow.objects.create(email="reader@example.org", case=case, confirmed_at=case.created_at)
    event = CaseEvent.objects.create(
        request=case, kind=CaseEvent.Kind.CORRESPONDENCE, occurred_on=case.opened_on,
        summary="A reply.",
    )  # fmt: skip
    real_save = FollowNotice.save

    def lost(self, *args, **kwargs):
        monkeypatch.setattr(FollowNotice, "save", real_save)
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(FollowNotice, "save", lost)
    with pytest.raises(OperationalError):
        follow_services.followers_notify_case_event(event)
    assert len(mail.outbox) == 1
    assert FollowNotice.objects.get().sent_at is not None, "marked delivered again"
    assert follow_services.followers_notify_case_event(event) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_run_waits_for_the_first_and_sends_what_it_left_unsent(require_postgres):
    """
    Two runs of one notice task (a sweep re-sent it while the first ran):
    the second waits for the first's lock instead of skipping and reporting
    success, so a first run that dies leaves nothing unsent.
    """
    import threading

    from django.db import connection

    case = OptOutRequestFactory(stage="notice_sent")
    Follow.objects.create(email="reader@example.org", case=case, confirmed_at=case.created_at)
    event = CaseEvent.objects.create(
        request=case, kind=CaseEvent.Kind.CORRESPONDENCE, occurred_on=case.opened_on,
        summary="A reply.",
    )  # fmt: skip
    FollowNotice.objects.create(
        email="reader@example.org", follow=Follow.objects.get(), event=event, message_id="<m@x>"
    )
    locked, release, result = threading.Event(), threading.Event(), []

    def first_run_dies():
        with transaction.atomic():
            FollowNotice.objects.select_for_update().get()
            locked.set()
            release.wait(10)
            transaction.set_rollback(True)  # died before its mark
        connection.close()

    def second_run():
        result.append(follow_services.followers_notify_case_event(event))
        connection.close()

    first = threading.Thread(target=first_run_dies)
    first.start()
    assert locked.wait(10)
    second = threading.Thread(target=second_run)
    second.start()
    second.join(1)
    assert second.is_alive(), "the second run waits for the first"
    release.set()
    first.join(10)
    second.join(10)
    assert result == [1] and len(mail.outbox) == 1
    assert FollowNotice.objects.get().sent_at is not None
