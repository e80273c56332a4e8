"""
Django's Redis cache, made a cache and not a part the site stands on.

Redis holds nothing the site needs to be right: kept pages and parts of
pages, the user's kept roles and bell, the generations, the session's copy
(sessions are written through to the database), the limits' counters. So
when Redis is down, unreachable or slow, every call here answers as a miss
quickly instead of raising:

- short socket timeouts (connect 0.5 s, read 1 s; OPTIONS may say otherwise);
- a circuit breaker shared by the threads of a process: the first call that
  fails opens it for BREAKER_SECONDS, and until then every call answers at
  once without touching the network, so a down Redis costs a request at
  most one failure, not one per cache call;
- a read misses (`get` gives the default, `get_many` nothing), a write is
  dropped, `add` says it added nothing, `incr` raises ValueError as for a
  missing key (the callers' "set it then" is dropped in turn);
- what must not be lost with a dropped write (a generation or a user's
  version moved on by a change) is run again once Redis answers
  (`run_when_back`), and every hook given to `when_back` runs then too: the
  page cache moves every generation on, since a page kept before the outage
  may show what changed during it.

Also: one Redis client per connection pool instead of a new one per
operation (building a client builds its table of response handlers, which
cost more than the round trip on a page that asks the cache a handful of
times). A client is safe to share between threads; its pool hands each
command a connection of its own.
"""

import functools
import logging
import threading
import time
from collections.abc import Callable

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
# Refused, reset, timed out, or still loading its data after a restart
# (BusyLoadingError is a ConnectionError).
FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


class _Breaker:
    """Whether a Redis server was found down lately, for every thread of this process."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.open_until = 0.0
        self.tripped = False
        self.lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, exc: Exception) -> None:
        with self.lock:
            first = not self.tripped
            self.tripped = True
            self.open_until = time.monotonic() + self.seconds
        if first:
            logger.warning("Cache unavailable, pages are built uncached: %r", exc)

    def succeeded(self) -> None:
        if not self.tripped:
            return
        with self.lock:
            if not self.tripped:
                return
            self.tripped = False
        logger.warning("Cache available again")
        _back()


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()
_hooks: list[Callable[[], None]] = []
_owed: list[Callable[[], None]] = []
_owed_lock = threading.Lock()


def when_back(hook: Callable[[], None]) -> None:
    """Run `hook` every time the cache answers again after failing."""
    if hook not in _hooks:
        _hooks.append(hook)


def available() -> bool:
    """False while a Redis cache of this process was found down in the last few seconds."""
    return not any(b.tripped and b.is_open() for b in _breakers.values())


def run_when_back(write: Callable[[], None]) -> None:
    """
    Run `write` (cache writes that must not be lost: a version moved on) now,
    and again once the cache is back if it failed now. Kept in this process
    only: a process that stops meanwhile takes its writes with it, and the
    kept copies they were to retire expire on their own.
    """
    write()
    if not available():
        with _owed_lock:
            _owed.append(write)


def _back() -> None:
    with _owed_lock:
        owed = list(_owed)
        _owed.clear()
    for write in [*_hooks, *owed]:
        try:
            write()
        except Exception:  # noqa: BLE001 - one failed hook must not stop the others
            logger.exception("Writing to the cache once it came back failed")


def _breaker(location: str, seconds: float) -> _Breaker:
    with _breakers_lock:
        if location not in _breakers:
            _breakers[location] = _Breaker(seconds)
        return _breakers[location]


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (the cache is unavailable).")


_MISS = {
    "get": lambda key, default=None, *a, **k: default,
    "get_many": lambda *a, **k: {},
    "has_key": lambda *a, **k: False,
    "set": lambda *a, **k: None,
    "set_many": lambda keys, *a, **k: list(keys),
    "add": lambda *a, **k: False,
    "touch": lambda *a, **k: False,
    "delete": lambda *a, **k: False,
    "delete_many": lambda *a, **k: None,
    "incr": _missing_key,
    "clear": lambda *a, **k: None,
}


def _guarded(name: str):
    method = getattr(DjangoRedisCache, name)
    miss = _MISS[name]

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        breaker = self._breaker
        if breaker.is_open():
            return miss(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except FAILURES as exc:
            breaker.trip(exc)
            return miss(*args, **kwargs)
        breaker.succeeded()
        return result

    return guarded


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        seconds = float(options.pop("breaker_seconds", BREAKER_SECONDS))
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", READ_TIMEOUT)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = _Client
        self._breaker = _breaker(str(server), seconds)

    # decr and get_or_set go through these.
    get = _guarded("get")
    get_many = _guarded("get_many")
    has_key = _guarded("has_key")
    set = _guarded("set")
    set_many = _guarded("set_many")
    add = _guarded("add")
    touch = _guarded("touch")
    delete = _guarded("delete")
    delete_many = _guarded("delete_many")
    incr = _guarded("incr")
    clear = _guarded("clear")
