"""
One rule for when a case's public artefacts are stale.

Whatever changes what a case shows (its timeline events, including an
admin's edit of who may see one, its copies of the notice, its
correspondence and their files, its letters, a renewal made public) touches
the case: its `updated_at` moves on and every kept page of cases is renewed.
The kept pages, the feeds, the CSV and the built case files all judge
whether they are stale by that one moment, so none of them outlives a change
of what it may show. The case's `version` is left alone: it counts the
changes its own forms must not overwrite, and a reply filed by someone else
is not one of them.

The models' own apps call case_touch for every save and delete of their rows
(optouts.apps and correspondence.apps connect it to the models' signals), so
the admin, the services and anything else that writes a row are covered alike.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from core import pagecache

from ..models import OptOutRequest

logger = logging.getLogger(__name__)


class _AgainAfterCommit:
    """
    The touch of one case once its transaction has committed: a case file
    built from the old rows while the change was being written must not look
    newer than the change. One per case and transaction.
    """

    def __init__(self, case_id: int):
        self.case_id = case_id

    def __call__(self) -> None:
        _updated_now(self.case_id)


def _updated_now(case_id: int) -> None:
    # update(): no history row, no version, no save() of a row held elsewhere.
    OptOutRequest.objects.filter(pk=case_id).update(updated_at=timezone.now())


def _pending(case_id: int) -> bool:
    """Whether this transaction already touches the case again after it commits."""
    connection = transaction.get_connection()
    return any(
        isinstance(callback, _AgainAfterCommit) and callback.case_id == case_id
        for _, callback, _ in connection.run_on_commit
    )


def case_touch(*, case_id: int | None) -> None:
    """
    The case's public artefacts are stale from now on: move its `updated_at`
    to now (and again once the transaction commits) and renew the kept pages
    of cases. Cheap (one UPDATE by primary key and the page generations) and
    safe to repeat; a case that is gone, or no case at all, is nothing to touch.
    A page cache that cannot be reached is logged, never a reason to refuse
    the change that was made.
    """
    if case_id is None:
        return
    _updated_now(case_id)
    try:
        pagecache.changed("cases")
    except Exception:  # the change stands; the copies expire on their own
        logger.exception("The kept pages of case %s could not be renewed", case_id)
    if transaction.get_connection().in_atomic_block and not _pending(case_id):
        transaction.on_commit(_AgainAfterCommit(case_id), robust=True)


def _request_id(row) -> int | None:
    return getattr(row, "request_id", None)


def connect_case_touch(model, case_of: Callable[[Any], int | None] = _request_id) -> None:
    """
    Touch the case of every row of `model` saved or deleted, however it is
    written (a service, the admin, an inline, a cascade): `case_of(row)` is
    the id of the row's case, by default its `request_id`.
    """

    def receiver(sender, instance, **kwargs) -> None:
        if kwargs.get("raw"):  # fixtures being loaded: nothing has been served yet
            return
        case_touch(case_id=case_of(instance))

    uid = f"case-touch:{model._meta.label}"
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
