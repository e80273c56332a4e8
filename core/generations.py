"""
The generations of the kinds of data pages show (core.pagecache.KINDS):
part of the key of every kept page and part of a page, so that a service
saying what it changed (`changed("cases")`) retires every copy that showed
it, without finding them.

A generation moved on while the cache is down is moved on again when it is
back (core.cache.run_when_back), and every generation moves on then anyway:
a page kept before an outage may show what changed during it.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from core import peruser
from core.cache import run_when_back, when_back

GENERATION_KEY = "scomm:pages:generation"


# What a page can show, each with a generation of its own. A service that
# changes one says so with changed(); a page's copies are keyed by the
# generations of the kinds it shows.
KINDS = ("cases", "plan", "letters")


def _known(kinds: Iterable[str]) -> tuple[str, ...]:
    kinds = tuple(kinds)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown kinds of page data: {sorted(unknown)}")
    return kinds


def changed(*kinds: str) -> None:
    """
    A service changed what pages of these kinds show: their kept copies are
    stale from now on, and again once the change commits (a page built
    between the write and the commit read the old rows and must not outlive
    them).
    """
    kinds = _known(kinds)
    for kind in kinds:
        _bump(kind)
    # After the commit, best-effort: a bump lost to a cache that is down is
    # made again when it is back (core.cache), never raised to the writer.
    transaction.on_commit(lambda: run_when_back(lambda: [_bump(kind) for kind in kinds]))
    # Then the pages most visitors read first are built again by a worker (core.warm).
    from core import warm

    transaction.on_commit(warm.warm_soon)


def _key(kind: str) -> str:
    return f"{GENERATION_KEY}:{kind}"


def _bump_all() -> None:
    for kind in KINDS:
        _bump(kind)
    from core import warm

    warm.warm_soon()  # and the pages most read first are built again


# A page kept before an outage may show what changed during it, in this
# process or another: every kind moves on when the cache answers again.
when_back(_bump_all)


def _bump(kind: str) -> None:
    try:
        cache.incr(_key(kind))
    except ValueError:
        cache.set(_key(kind), 1, timeout=None)


def generations(*, user=None) -> dict[str, int]:
    """
    The generation of every kind, read in one round trip: for a signed-in
    `user`, the same round trip as their kept roles and bell (core.peruser).
    """
    keys = [_key(k) for k in KINDS]
    if getattr(user, "is_authenticated", False):
        found = peruser.read_along(user, keys)
    else:
        found = cache.get_many(keys)
    missing = [_key(k) for k in KINDS if _key(k) not in found]
    if missing:
        for key in missing:
            cache.add(key, 1, timeout=None)
        found = cache.get_many([_key(k) for k in KINDS])
    return {k: found.get(_key(k), 0) for k in KINDS}


def generation(*kinds: str, known: dict[str, int] | None = None) -> str:
    """
    The generations of `kinds` (all of them by default): part of every cache
    key that must follow the data. `known`, the generations a request has
    already read, saves the round trip.
    """
    kinds = kinds or KINDS
    found = known if known is not None else generations()
    return ".".join(str(found.get(k, 0)) for k in kinds)
