"""
Case exports as counsel and the public ask for them: queued, built in the
background with progress on the row, handed out again while fresh, and
deleted after SCOMM_EXPORT_KEEP_DAYS.
"""

import datetime
import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat, pluralize
from django.utils import timezone
from pypdf import PdfReader

from optouts.models import OptOutRequest
from optouts.permissions import can_see_private

from .. import selectors, tasks
from ..models import CaseExport
from .case_file import case_file_pdf
from .originals import case_file_zip


@transaction.atomic
def case_export_request(*, case_id: int, user, kind: str, public: bool = False) -> CaseExport:
    """
    Queue a case export. What it includes is decided now, by who asks and
    what for: the public version leaves out drafts, private correspondence
    and internal notes, and is all that a visitor gets; the jurisdiction's
    own people get their private version unless they ask for the public one
    (`public`), to hand to a court or a reporter. An identical export
    already queued or building is reused.
    """
    if kind not in CaseExport.Kind.values:
        raise ValidationError({"kind": "Choose the PDF case file or the ZIP of originals."})
    case = OptOutRequest.objects.get(pk=case_id)
    include_private = not public and can_see_private(user, case.jurisdiction_id)
    requested_by = user if getattr(user, "is_authenticated", False) else None
    pending = CaseExport.objects.filter(
        request=case,
        kind=kind,
        include_private=include_private,
        status__in=[CaseExport.Status.QUEUED, CaseExport.Status.RUNNING],
    )
    if include_private:
        pending = pending.filter(requested_by=requested_by)
    existing = pending.first()
    if existing:
        return existing
    if not include_private:
        # The public file is the same for everyone: one built since the case
        # last changed is handed out again rather than built anew.
        fresh = (
            CaseExport.objects.filter(
                request=case,
                kind=kind,
                include_private=False,
                status=CaseExport.Status.DONE,
                created_at__gte=case.updated_at,
            )
            .order_by("-created_at")
            .first()
        )
        if fresh:
            return fresh
    export = CaseExport.objects.create(
        request=case, kind=kind, include_private=include_private, requested_by=requested_by
    )
    export_id = str(export.pk)
    transaction.on_commit(lambda: tasks.case_export_build.delay(export_id))
    return export


def _built(kind: str, content: bytes) -> str:
    """What was built, for the progress page: "5 pages, 84 KB"."""
    size = filesizeformat(len(content))
    if kind == CaseExport.Kind.PDF:
        pages = len(PdfReader(io.BytesIO(content)).pages)
        return f"{pages} page{pluralize(pages)}, {size}"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = len(archive.namelist())
    return f"{files} file{pluralize(files)}, {size}"


def _progress(export_id, done: int, total: int, message: str) -> None:
    CaseExport.objects.filter(pk=export_id).update(
        progress=min(99, int(100 * done / max(total, 1))), message=message[:300]
    )


def case_export_build(*, export_id) -> CaseExport:
    """Build an export's file, reporting progress on the row; safe to run again."""
    export = CaseExport.objects.select_related("request__jurisdiction__state").get(pk=export_id)
    if export.status == CaseExport.Status.DONE:
        return export
    CaseExport.objects.filter(pk=export.pk).update(
        status=CaseExport.Status.RUNNING, progress=0, message="Starting"
    )
    try:
        bundle = selectors.case_file(case=export.request, include_private=export.include_private)

        def report(done, total, message):
            _progress(export.pk, done, total, message)

        if export.kind == CaseExport.Kind.PDF:
            content = case_file_pdf(bundle=bundle, report=report)
        else:
            content = case_file_zip(bundle=bundle, report=report)
        export.file.save("export", ContentFile(content), save=False)
        CaseExport.objects.filter(pk=export.pk).update(
            file=export.file.name,
            status=CaseExport.Status.DONE,
            progress=100,
            # The status already says "Ready": the message says what is ready.
            message=_built(export.kind, content),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        CaseExport.objects.filter(pk=export.pk).update(
            status=CaseExport.Status.FAILED,
            message=f"The export failed: {exc}"[:300],
            finished_at=timezone.now(),
        )
        raise
    export.refresh_from_db()
    return export


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """
    Delete the case exports built more than SCOMM_EXPORT_KEEP_DAYS ago, with
    their files: a case file can be built again at any time, and an old one
    would show the case as it stood then. Rows go first, in one transaction;
    a file whose row is gone can no longer be served.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.SCOMM_EXPORT_KEEP_DAYS)
    with transaction.atomic():
        old = list(CaseExport.objects.select_for_update().filter(created_at__lt=cutoff))
        CaseExport.objects.filter(pk__in=[e.pk for e in old]).delete()
    for export in old:
        if export.file:
            export.file.storage.delete(export.file.name)
    return len(old)
