"""
Small values kept in the cache per user between requests: what every page of
theirs reads (their roles, the bell's count), so a signed-in request asks the
database only for what the page itself shows.

Each value is kept with the version of its name for that user; a service
that changes what it counts says so with `changed()`, which moves the version
on now and again once the change commits. A copy read from rows that changed
meanwhile names the old version and is never served. The copy also names
the user's sign-up time, so another user given the same id (SQLite reuses
ids) is never served it.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction


def _keys(name: str, user_id: int) -> tuple[str, str]:
    return f"scomm:user:{user_id}:{name}:version", f"scomm:user:{user_id}:{name}"


def _stamp(user) -> str:
    joined = getattr(user, "date_joined", None)
    return joined.isoformat() if joined else ""


def kept(user, name: str, build: Callable[[], Any], *, seconds: int) -> Any:
    """`build()` for this user, or the copy kept since the last `changed(name, ...)`: one round trip."""
    version_key, value_key = _keys(name, user.pk)
    found = cache.get_many([version_key, value_key])
    version, stamp = found.get(version_key, 0), _stamp(user)
    copy = found.get(value_key)
    if copy is not None and copy[0] == version and copy[1] == stamp:
        return copy[2]
    value = build()
    cache.set(value_key, (version, stamp, value), seconds)
    return value


def changed(name: str, user_ids: Iterable[int]) -> None:
    """What `name` holds for these users changed: their copies are stale now and after the commit."""
    keys = [_keys(name, user_id)[0] for user_id in set(user_ids)]
    if not keys:
        return

    def bump() -> None:
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=None)

    bump()
    transaction.on_commit(bump)
