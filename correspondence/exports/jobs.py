"""
Case exports as counsel and the public ask for them: queued, built in the
background with progress on the row (each step a sign of life), handed out
again while the case is unchanged, marked failed when lost with their
worker, and deleted after SCOMM_EXPORT_KEEP_DAYS.
"""

import datetime
import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat, pluralize
from django.utils import timezone

from optouts.models import OptOutRequest
from optouts.permissions import can_see_private

from .. import selectors, tasks
from ..models import CaseExport
from ..stored import STORAGE_ERRNOS, file_store
from .originals import case_file_zip

# As long as the build task may run (correspondence.tasks.case_export_build's
# time_limit): an unfinished export with no sign of life for longer was lost
# with its worker.
BUILD_TIME_LIMIT = datetime.timedelta(minutes=10)
LOST = "It stopped without finishing — try again."
UNFINISHED = [CaseExport.Status.QUEUED, CaseExport.Status.RUNNING]
# A case that changes while its file is built is read again, this many times at most.
BUILD_ATTEMPTS = 3


def exports_fail_lost(*, now: datetime.datetime | None = None, **filters) -> int:
    """
    Mark failed the unfinished exports (of `filters`, or all) whose last sign
    of life is older than the build may take: their worker died or was
    killed. They are never handed out again; asking again builds a new one.
    """
    now = now or timezone.now()
    return CaseExport.objects.filter(
        status__in=UNFINISHED, heartbeat_at__lt=now - BUILD_TIME_LIMIT, **filters
    ).update(status=CaseExport.Status.FAILED, message=LOST, finished_at=now)


def case_export_check(*, export: CaseExport) -> CaseExport:
    """
    An export as its page shows it: one lost with its worker says it failed.
    Costs a query only when it is found lost.
    """
    now = timezone.now()
    if export.status in UNFINISHED and export.heartbeat_at < now - BUILD_TIME_LIMIT:
        if exports_fail_lost(now=now, pk=export.pk):
            export.status, export.message, export.finished_at = CaseExport.Status.FAILED, LOST, now
    return export


@transaction.atomic
def case_export_request(*, case_id: int, user, kind: str, public: bool = False) -> CaseExport:
    """
    Queue a case export. What it includes is decided now, by who asks and
    what for: the public version leaves out drafts, private correspondence
    and internal notes, and is all that a visitor gets; the jurisdiction's
    own people get their private version unless they ask for the public one
    (`public`), to hand to a court or a reporter.

    One export per case, kind and audience is queued or building at a time
    (a unique constraint): a second request, even one racing the first,
    gets that one. A finished public export is handed out again only while
    the case still has the updated_at it was built from; any change to what
    the case shows moves that stamp on.
    """
    if kind not in CaseExport.Kind.values:
        raise ValidationError({"kind": "Choose the PDF case file or the ZIP of originals."})
    case = OptOutRequest.objects.get(pk=case_id)
    include_private = not public and can_see_private(user, case.jurisdiction_id)
    requested_by = user if getattr(user, "is_authenticated", False) else None
    same = CaseExport.objects.filter(request=case, kind=kind, include_private=include_private)
    exports_fail_lost(request=case, kind=kind, include_private=include_private)
    if not include_private:
        fresh = (
            same.filter(status=CaseExport.Status.DONE, case_updated_at=case.updated_at)
            .order_by("-finished_at")
            .first()
        )
        if fresh:
            return fresh
    for _ in range(2):
        pending = same.filter(status__in=UNFINISHED).first()
        if pending:
            return pending
        try:
            with transaction.atomic():
                export = CaseExport.objects.create(
                    request=case,
                    kind=kind,
                    include_private=include_private,
                    requested_by=requested_by,
                )
            break
        except IntegrityError:
            continue  # another request queued the same export first: hand out theirs
    else:
        return same.filter(status__in=UNFINISHED).get()
    export_id = str(export.pk)
    from core import outbox

    outbox.enqueue(tasks.case_export_build, export_id)
    return export


def _built(kind: str, content: bytes) -> str:
    """What was built, for the progress page: "5 pages, 84 KB"."""
    size = filesizeformat(len(content))
    if kind == CaseExport.Kind.PDF:
        from pypdf import PdfReader  # a web process need not load it

        pages = len(PdfReader(io.BytesIO(content)).pages)
        return f"{pages} page{pluralize(pages)}, {size}"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = len(archive.namelist())
    return f"{files} file{pluralize(files)}, {size}"


def _progress(export_id, done: int, total: int, message: str) -> None:
    """Report a step of the build; each report is the export's sign of life."""
    CaseExport.objects.filter(pk=export_id).update(
        progress=min(99, int(100 * done / max(total, 1))),
        message=message[:300],
        heartbeat_at=timezone.now(),
    )


def _case_stamp(case_id: int) -> datetime.datetime:
    return OptOutRequest.objects.values_list("updated_at", flat=True).get(pk=case_id)


def _build(export: CaseExport) -> tuple[bytes, datetime.datetime]:
    """
    The file and the case's updated_at it shows. The stamp is read before
    the content, so a change made while reading makes the stamp look older
    than the content, never newer: the file is then built again.
    """

    def report(done, total, message):
        _progress(export.pk, done, total, message)

    for _ in range(BUILD_ATTEMPTS):
        stamp = _case_stamp(export.request_id)
        bundle = selectors.case_file(case=export.request, include_private=export.include_private)
        if export.kind == CaseExport.Kind.PDF:
            from .case_file import case_file_pdf  # pypdf, in the worker only

            content = case_file_pdf(bundle=bundle, report=report)
        else:
            content = case_file_zip(bundle=bundle, report=report)
        if _case_stamp(export.request_id) == stamp:
            break
    return content, stamp


def case_export_build(*, export_id) -> CaseExport:
    """
    Build an export's file, reporting progress on the row; safe to run again.
    Only a queued or building export is built: one finished, or given up as
    lost (someone may have asked again since), is left as it is.
    """
    claimed = CaseExport.objects.filter(pk=export_id, status__in=UNFINISHED).update(
        status=CaseExport.Status.RUNNING,
        progress=0,
        message="Starting",
        heartbeat_at=timezone.now(),
    )
    export = CaseExport.objects.select_related("request__jurisdiction__state").get(pk=export_id)
    if not claimed:
        return export
    stored = ""
    try:
        content, stamp = _build(export)
        stored = file_store(export.file, content)
        CaseExport.objects.filter(pk=export.pk).update(
            file=stored,
            status=CaseExport.Status.DONE,
            progress=100,
            # The status already says "Ready": the message says what is ready.
            message=_built(export.kind, content),
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            case_updated_at=stamp,
        )
    except Exception as exc:
        if stored:
            export.file.storage.delete(stored)
        CaseExport.objects.filter(pk=export.pk).update(
            status=CaseExport.Status.FAILED,
            message=_failure(exc),
            finished_at=timezone.now(),
        )
        raise
    export.refresh_from_db()
    return export


def _failure(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
        return "The file could not be saved: the server's storage is full or read-only."
    return f"The export failed: {exc}"[:300]


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """
    Delete the case exports built more than SCOMM_EXPORT_KEEP_DAYS ago, with
    their files: a case file can be built again at any time, and an old one
    would show the case as it stood then. Rows go first, in one transaction;
    a file whose row is gone can no longer be served. Exports lost with their
    worker are marked failed on the way.
    """
    now = now or timezone.now()
    exports_fail_lost(now=now)
    cutoff = now - datetime.timedelta(days=settings.SCOMM_EXPORT_KEEP_DAYS)
    with transaction.atomic():
        old = list(CaseExport.objects.select_for_update().filter(created_at__lt=cutoff))
        CaseExport.objects.filter(pk__in=[e.pk for e in old]).delete()
    for export in old:
        if export.file:
            export.file.storage.delete(export.file.name)
    return len(old)
