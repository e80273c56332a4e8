"""
The README's reliability claims, proved on a production stack of the test's
own (tests/scomm/stack.py: gunicorn with 3 workers, a prefork Celery worker
and beat, PostgreSQL, Redis, an SMTP sink) under a small load of four
visitors: Redis stopped for REDIS_DOWN_SECONDS, PostgreSQL restarted during
requests. Every service broken here was started by the test; nothing else on
the machine is touched. Run with -s for the table of what each fault produced.
"""

import time

import pytest

from .conftest import FAULT_TABLE
from .load import Load, mail_count, settle

pytestmark = [pytest.mark.services, pytest.mark.restarts]

# As long as the outage the production fault injection ran; shorter only here.
REDIS_DOWN_SECONDS = 30
READS = {"page", "api", "signed-in"}


def record(fault: str, load: Load, mail: dict) -> None:
    tally = load.tally
    FAULT_TABLE.append(
        {
            "fault": fault,
            "requests": len(tally.answers),
            "5xx": sum(1 for a in tally.answers if isinstance(a[3], int) and a[3] >= 500),
            "failed writes": len(tally.failures({"write"})),
            "emails expected": mail["expected"],
            "delivered": mail["delivered"],
            "doubled": mail["doubled"],
        }
    )


def stage_events(stack) -> int:
    return stack.scalar(
        "SELECT count(*) FROM optouts_caseevent WHERE request_id = %s AND kind = 'stage'",
        stack.seed["case"],
    )


def test_redis_stopped_under_load_fails_no_request_and_loses_no_email(stack):
    """
    Redis is the cache, the sessions' fast copy and the broker. While it is
    down, pages build uncached, signed-in visitors stay signed in, writes
    commit, and what they owe by email goes out once Redis is back: each
    follower notice, confirmation and reminder exactly once.
    """
    moves_before = stage_events(stack)
    due = stack.seed["drafts"][:4]
    with Load(stack) as load:
        time.sleep(3)
        stack.make_drafts_stale(due)  # their reminders fall due as Redis goes
        stack.redis.stop()
        time.sleep(REDIS_DOWN_SECONDS)
        stack.redis.start()
        time.sleep(5)
    mail = settle(stack, timeout=90)
    record(f"Redis stopped {REDIS_DOWN_SECONDS} s", load, mail)

    tally = load.tally
    assert len([a for a in tally.answers if a[1] in READS]) > 10 * REDIS_DOWN_SECONDS
    assert tally.failures(READS) == [], "reads that failed while Redis was down"
    assert tally.failures({"write"}) == [], "writes that failed while Redis was down"
    assert tally.moves_acknowledged > 0 and tally.follows_acknowledged
    assert stage_events(stack) - moves_before == tally.moves_acknowledged
    assert mail["reminders"][0] >= len(due), "a stale draft was not reminded"
    assert (mail["delivered"], mail["doubled"]) == (mail["expected"], 0), mail


def test_postgres_restarted_during_requests_loses_no_acknowledged_write(stack):
    """
    PostgreSQL restarts while the visitors keep asking: requests fail only
    while it is down, the next ones reconnect, every write the site answered
    with its redirect is in the database, and every email owed goes out once.
    """
    moves_before = stage_events(stack)
    with Load(stack) as load:
        time.sleep(3)
        down_from = time.monotonic() - load.started
        stack.postgres.restart()
        back_at = time.monotonic() - load.started
        time.sleep(5)
    mail = settle(stack, timeout=60)
    record("PostgreSQL restarted", load, mail)

    tally = load.tally
    # A request that was running when the server went down ends in error up
    # to a request's length after it is back.
    outside = [a for a in tally.failures() if not down_from - 0.5 <= a[0] <= back_at + 2]
    assert outside == [], f"errors outside the restart ({down_from:.1f}-{back_at:.1f} s)"
    assert [a for a in tally.answers if a[0] > back_at + 2], "no request after the restart"
    assert tally.moves_acknowledged > 0
    events = stack.sql(
        "SELECT id, summary, recorded_at FROM optouts_caseevent WHERE request_id = %s"
        " AND kind = 'stage' ORDER BY id DESC LIMIT 40",
        stack.seed["case"],
    )
    lines = [f"restart {down_from:.2f}-{back_at:.2f} s"]
    lines += [f"write {w}" for w in tally.writes]
    lines += [f"event {e[0]} {e[2].isoformat()} {e[1][:40]}" for e in reversed(events)]
    assert stage_events(stack) - moves_before >= tally.moves_acknowledged, "\n".join(lines)
    followed = {
        row[0]
        for row in stack.sql(
            "SELECT email FROM public_follow WHERE email = ANY(%s)", tally.follows_acknowledged
        )
    }
    assert followed == set(tally.follows_acknowledged)
    assert (mail["delivered"], mail["doubled"]) == (mail["expected"], 0), mail


def test_the_mail_count_sees_a_missing_and_a_doubled_email(stack):
    """The accounting itself: an email owed and not sent, and one sent twice, are both seen."""
    before = mail_count(stack)
    stack.sql(
        "INSERT INTO public_follow (email, case_id, created_at, confirmation_sent_at,"
        " confirmation_message_id) VALUES ('load-accounting@example.net', %s, now(), now(), '')",
        stack.seed["case"],
    )
    owed = mail_count(stack)
    assert owed["expected"] == before["expected"] + 1
    assert owed["delivered"] == before["delivered"]
    message = next(stack.sink.folder.glob("*.eml"))
    (stack.sink.folder / "copy-of-one.eml").write_bytes(message.read_bytes())
    assert mail_count(stack)["doubled"] == before["doubled"] + 1
    (stack.sink.folder / "copy-of-one.eml").unlink()
    stack.sql("DELETE FROM public_follow WHERE email = 'load-accounting@example.net'")
