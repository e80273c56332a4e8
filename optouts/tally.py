"""
The counts of cases the overview shows, and each jurisdiction's "opt-out
pending", kept in step with the cases in the transaction that changes them.

Counting every case for every overview costs time that grows with the
cases; these rows cost the same at a thousand cases or a hundred thousand.
The rule is one: whatever changes a jurisdiction's cases (a case saved or
deleted, a copy of the notice recorded or bounced, an activation date)
recounts that jurisdiction's cases, a few rows, and moves the global counts
by the difference. The jurisdiction is locked while it is recounted (an
advisory lock, below), so two changes to one county never count from the
same old figures.

`rebuild()` counts everything afresh: a database migrated to these tables
with cases in it (post_migrate), the benchmark's loader (which writes cases
in bulk, without signals), and the daily job (optouts.tasks), which logs a
warning when it finds anything out of step. Whatever writes cases in bulk
calls it too.
"""

import datetime
import logging
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F
from django.db.models.functions import TruncMonth

from .models import CaseCount, JurisdictionCases, OptOutRequest
from .status import _pending_requests

logger = logging.getLogger(__name__)

AWP_IDS_KEPT = 10


def _key(stage, outcome, awp, month, public) -> str:
    return "|".join(
        (stage, outcome or "", "1" if awp else "0", month.isoformat(), "1" if public else "0")
    )


def _fields(key: str) -> dict:
    stage, outcome, awp, month, public = key.split("|")
    return {
        "stage": stage,
        "outcome": outcome,
        "activated_while_pending": awp == "1",
        "month": datetime.date.fromisoformat(month),
        "is_public": public == "1",
    }


def _counted(jurisdiction_ids: list[int] | None) -> dict[int, Counter]:
    """Each jurisdiction's cases counted by kind, in one grouped query."""
    cases = OptOutRequest.objects.with_has_delivery()
    if jurisdiction_ids is not None:
        cases = cases.filter(jurisdiction_id__in=jurisdiction_ids)
    rows = (
        cases.with_activated_while_pending()
        .annotate(
            month=TruncMonth("opened_on"),
            # The rule of OptOutRequest.objects.public(), as a column.
            public=ExpressionWrapper(cases.public_q(), output_field=BooleanField()),
        )
        .values_list(
            "jurisdiction_id", "stage", "outcome", "activated_while_pending", "month", "public"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[int, Counter] = {}
    for jurisdiction_id, stage, outcome, awp, month, is_public, n in rows:
        found.setdefault(jurisdiction_id, Counter())[
            _key(stage, outcome, awp, month, is_public)
        ] += n
    return found


def _pending(jurisdiction_ids: list[int] | None) -> set[int]:
    pending = _pending_requests()
    if jurisdiction_ids is not None:
        pending = pending.filter(jurisdiction_id__in=jurisdiction_ids)
    return set(pending.values_list("jurisdiction_id", flat=True).distinct())


def _move_counts(delta: Counter) -> None:
    """CaseCount moved by `delta`, its rows in one order (no two writers wait on each other)."""
    delta = {key: n for key, n in delta.items() if n}
    if not delta:
        return
    CaseCount.objects.bulk_create(
        [CaseCount(**_fields(key), n=0) for key in delta], ignore_conflicts=True
    )
    for key in sorted(delta):
        CaseCount.objects.filter(**_fields(key)).update(n=F("n") + delta[key])


def _row(pk: int, pending: bool, counted: Counter, awp_ids: list[int]) -> JurisdictionCases:
    return JurisdictionCases(
        jurisdiction_id=pk,
        pending=pending,
        activated_while_pending=bool(awp_ids),
        activated_while_pending_ids=sorted(awp_ids)[:AWP_IDS_KEPT],
        counted={key: n for key, n in counted.items() if n},
    )


def _activated_while_pending(jurisdiction_ids: list[int] | None) -> dict[int, list[int]]:
    """The ids of each jurisdiction's public cases activated while pending."""
    cases = OptOutRequest.objects.public().with_activated_while_pending()
    if jurisdiction_ids is not None:
        cases = cases.filter(jurisdiction_id__in=jurisdiction_ids)
    found: dict[int, list[int]] = {}
    rows = cases.filter(activated_while_pending=True).values_list("jurisdiction_id", "id")
    for jurisdiction_id, pk in rows.order_by("jurisdiction_id", "id"):
        found.setdefault(jurisdiction_id, []).append(pk)
    return found


# The advisory locks of the counts (PostgreSQL; SQLite writes one transaction
# at a time): one per jurisdiction, and one for all of them that a recount
# shares and rebuild() holds alone. Advisory, so that they add no row lock
# to the case's or the jurisdiction's, which the writers take in their own
# order (a case, then its county; a county, then its cases): a recount's
# lock is always the last one its transaction takes.
LOCKS = 7301


def _lock(ids: list[int]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [LOCKS])
        for pk in ids:  # in order: two recounts of the same counties never wait on each other
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCKS, pk])


def _lock_everything() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [LOCKS])


def recount(jurisdiction_ids: Iterable[int]) -> None:
    """
    Count these jurisdictions' cases again and move the global counts by
    the difference, inside the caller's transaction (a change and its count
    commit together).
    """
    ids = sorted({int(pk) for pk in jurisdiction_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic():
        _lock(ids)
        before = {
            row.jurisdiction_id: Counter(row.counted)
            for row in JurisdictionCases.objects.filter(jurisdiction_id__in=ids)
        }
        after = _counted(ids)
        pending = _pending(ids)
        awp = _activated_while_pending(ids)
        delta: Counter = Counter()
        for pk in ids:
            delta.update(after.get(pk, Counter()))
            delta.subtract(before.get(pk, Counter()))
        _move_counts(delta)
        JurisdictionCases.objects.bulk_create(
            [_row(pk, pk in pending, after.get(pk, Counter()), awp.get(pk, [])) for pk in ids],
            update_conflicts=True,
            unique_fields=["jurisdiction"],
            update_fields=[
                "pending",
                "activated_while_pending",
                "activated_while_pending_ids",
                "counted",
            ],
        )


def recount_case(case_id: int | None) -> None:
    """recount() for the jurisdiction of one case."""
    if case_id is None:
        return
    jurisdiction_id = (
        OptOutRequest.objects.filter(pk=case_id).values_list("jurisdiction_id", flat=True).first()
    )
    if jurisdiction_id is not None:
        recount([jurisdiction_id])


def _kept() -> dict[str, int]:
    return {
        _key(c.stage, c.outcome, c.activated_while_pending, c.month, c.is_public): c.n
        for c in CaseCount.objects.all()
    }


def _totals(counted: dict[int, Counter]) -> Counter:
    """Every jurisdiction's counts added up: what CaseCount should hold."""
    totals: Counter = Counter()
    for counts in counted.values():
        totals.update(counts)
    return totals


def _differing(kept: dict[str, int], totals: Counter) -> dict[str, tuple[int, int]]:
    """The kinds whose kept number is not the one counted now: (kept, counted)."""
    return {
        key: (kept.get(key, 0), totals.get(key, 0))
        for key in set(kept) | set(totals)
        if kept.get(key, 0) != totals.get(key, 0)
    }


def differences() -> dict:
    """
    What the kept counts say against the cases counted now: the kinds whose
    number differs (kept, counted) and the jurisdictions whose "pending"
    differs. Empty when every change was counted as it happened.
    """
    kinds = _differing(_kept(), _totals(_counted(None)))
    flagged = set(JurisdictionCases.objects.filter(pending=True).values_list("pk", flat=True))
    awp = {
        pk: ids
        for pk, ids in JurisdictionCases.objects.filter(activated_while_pending=True).values_list(
            "pk", "activated_while_pending_ids"
        )
    }
    awp_now = {pk: sorted(ids)[:AWP_IDS_KEPT] for pk, ids in _activated_while_pending(None).items()}
    activated = {pk for pk in set(awp) | set(awp_now) if awp.get(pk) != awp_now.get(pk)}
    found = {"kinds": kinds, "pending": flagged ^ _pending(None), "activated": activated}
    return {name: value for name, value in found.items() if value}


@transaction.atomic
def rebuild() -> int:
    """
    Every count made afresh from the cases. Returns how many kinds of cases
    had been counted wrong (0 when every change was counted as it happened).
    """
    _lock_everything()
    after = _counted(None)
    pending = _pending(None)
    awp = _activated_while_pending(None)
    totals = _totals(after)
    kept = _kept()
    wrong = len(_differing(kept, totals))
    if wrong and kept:
        logger.warning(
            "Case counts were out of step with the cases in %s kinds: counted afresh", wrong
        )
    CaseCount.objects.all().delete()
    CaseCount.objects.bulk_create(
        [CaseCount(**_fields(key), n=n) for key, n in sorted(totals.items()) if n], batch_size=1000
    )
    JurisdictionCases.objects.all().delete()
    JurisdictionCases.objects.bulk_create(
        [
            _row(pk, pk in pending, after.get(pk, Counter()), awp.get(pk, []))
            for pk in sorted(set(after) | pending)
        ],
        batch_size=1000,
    )
    return wrong


# --- the signals that keep the counts (connected in OptoutsConfig.ready) -------------------


def on_saved(sender, instance, **kwargs) -> None:
    """A case or a copy of its notice saved or deleted."""
    if kwargs.get("raw"):
        return  # a fixture being loaded: rebuild() counts it
    if isinstance(instance, OptOutRequest):
        recount([instance.jurisdiction_id])
    else:
        recount_case(instance.request_id)


def on_jurisdiction_saved(sender, instance, **kwargs) -> None:
    """An activation date changed in the admin moves "activated while pending"."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    recount([instance.pk])


def on_activated(sender, *, activations, **kwargs) -> None:
    """jurisdictions.signals.activated: the dates were written in this transaction."""
    recount(activations)


def on_migrated(sender, **kwargs) -> None:
    """A database with cases and no counts (just migrated to them) is counted."""
    using = kwargs.get("using", "default")
    if not CaseCount.objects.using(using).exists() and OptOutRequest.objects.using(using).exists():
        rebuild()


def latest_activated_while_pending(cases, *, limit: int = AWP_IDS_KEPT) -> list:
    """
    Of `cases` (public), those activated while pending, the latest
    activation first and then by id: merged from the jurisdictions' kept ids
    (each county's first ten), so the cost follows the counties, never the
    number of cases.
    """
    # A county's kept ids are sorted: the `limit` counties first by activation
    # (latest first) and then by their first case hold every case that can be
    # among the first `limit`. One query of at most `limit` rows.
    rows = (
        JurisdictionCases.objects.filter(activated_while_pending=True)
        .order_by("-jurisdiction__actual_activation", "activated_while_pending_ids__0")
        .values_list("jurisdiction__actual_activation", "activated_while_pending_ids")[:limit]
    )
    chosen = [(activation, pk) for activation, ids in rows for pk in ids]
    chosen.sort(key=lambda pair: (-pair[0].toordinal(), pair[1]))
    ids = [pk for _, pk in chosen[:limit]]
    found = {case.pk: case for case in cases.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def public_groups() -> list[tuple]:
    """The public cases by (stage, outcome, activated while pending, month), with their number."""
    return list(
        CaseCount.objects.filter(is_public=True, n__gt=0)
        .values_list("stage", "outcome", "activated_while_pending", "month", "n")
        .order_by()
    )
