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

from core.cache import run_when_back


def _keys(name: str, user_id: int) -> tuple[str, str]:
    return f"scomm:user:{user_id}:{name}:version", f"scomm:user:{user_id}:{name}"


def _stamp(user) -> str:
    joined = getattr(user, "date_joined", None)
    return joined.isoformat() if joined else ""


def kept(user, name: str, build: Callable[[], Any], *, seconds: int) -> Any:
    """
    `build()` for this user, or the copy kept since the last `changed(name, ...)`:
    one round trip, the first time in a request (the value then stays on the
    user object the request loaded).
    """
    on_user = user.__dict__.setdefault("_scomm_kept", {})
    if name not in on_user:
        on_user[name] = _kept(user, name, build, seconds)
    return on_user[name]


# The names this process has kept values under: the first read of a request
# fetches them all (the roles and the bell's counts of a page) in one round trip.
_names: set[str] = set()


def _read(user, name: str) -> tuple[int, Any]:
    """(version, kept copy or None) of `name` for this user, read with the other names at once."""
    read = user.__dict__.setdefault("_scomm_read", {})
    if name not in read:
        _names.add(name)
        keys = {n: _keys(n, user.pk) for n in _names if n not in read}
        found = cache.get_many([key for pair in keys.values() for key in pair])
        for n, (version_key, value_key) in keys.items():
            read[n] = (found.get(version_key, 0), found.get(value_key))
    return read[name]


def read_along(user, keys: list[str]) -> dict[str, Any]:
    """
    `keys` (the page cache's generations) read in the same round trip as
    this user's kept values not yet read in this request.
    """
    read = user.__dict__.setdefault("_scomm_read", {})
    pairs = {n: _keys(n, user.pk) for n in _names if n not in read}
    found = cache.get_many([*keys, *(key for pair in pairs.values() for key in pair)])
    for n, (version_key, value_key) in pairs.items():
        read[n] = (found.get(version_key, 0), found.get(value_key))
    return {key: found[key] for key in keys if key in found}


def _kept(user, name: str, build: Callable[[], Any], seconds: int) -> Any:
    version, copy = _read(user, name)
    stamp = _stamp(user)
    if copy is not None and copy[0] == version and copy[1] == stamp:
        return copy[2]
    value = build()
    cache.set(_keys(name, user.pk)[1], (version, stamp, value), seconds)
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
    # After the commit, best-effort, and again once a cache that is down is back.
    transaction.on_commit(lambda: run_when_back(bump))


def forget(user, name: str) -> None:
    """Drop the value this request holds on `user`: it changed during the request."""
    user.__dict__.get("_scomm_kept", {}).pop(name, None)
    user.__dict__.get("_scomm_read", {}).pop(name, None)
