"""
The record that an email went out, kept through a database restart.

An email is sent, then its row is marked delivered. If the database goes
away between the two (a restart, a failover), the mark is lost with the
transaction and the retry would send the email again. `record_delivery`
writes the mark again on a new connection, for as long as a database
restart takes, so that only a database down for longer than that costs a
second copy (with the first one's Message-ID, which mail clients fold into
one).
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction

logger = logging.getLogger(__name__)

# How long to keep trying: a PostgreSQL restart takes a few seconds.
WITHIN_SECONDS = 30.0


def record_delivery(write: Callable[[], object], *, what: str, within: float = WITHIN_SECONDS):
    """
    Run `write` (the update marking rows delivered) in a transaction of its
    own until it succeeds or `within` seconds pass. Returns True once written.
    Called only outside any transaction: the broken connection is closed and
    a new one opened for each try.
    """
    deadline = time.monotonic() + within
    delay = 0.2
    while True:
        if connection.in_atomic_block:
            raise RuntimeError("record_delivery runs outside any transaction.")
        try:
            with transaction.atomic():
                write()
            return True
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() + delay > deadline:
                logger.error("Delivered, but not recorded (%s): %r", what, exc)
                return False
            logger.warning("Delivered; recording it again after %r (%s)", exc, what)
            connection.close()
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


@contextmanager
def delivery(mark: Callable[[], object], *, what: str) -> Iterator[Callable[[], None]]:
    """
    Around the transaction that sends an email and marks it delivered:

        with delivery(mark, what="...") as sent, transaction.atomic():
            ...; message.send(); sent(); ...mark it in the transaction...

    If the database fails after `sent()` was called, `mark` (the update that
    marks it delivered) is written again with `record_delivery`, and the
    error goes on: what was not sent is left to the retry.
    """
    done = []
    try:
        yield lambda: done.append(True)
    except DatabaseError:
        if done:
            record_delivery(mark, what=what)
        raise
