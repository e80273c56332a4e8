"""
Letters, correspondence and exports. Reading follows the case's rules: the
public sees sent letters and public correspondence; drafts and private
entries exist only for the jurisdiction's staff and counsel and admins (a
404 for anyone else). Every write needs staff or counsel of the
jurisdiction (a 403 otherwise), then calls one service.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.files import download_response
from core.views import run_service
from optouts.models import OptOutRequest
from optouts.permissions import (
    COUNSEL,
    STAFF,
    can_see_private,
    case_for_actor,
    case_for_viewer,
    may_see_case,
    require_case_actor,
)

from . import exports, forms, letters, log, placeholders, selectors
from .models import Attachment, CaseExport, Letter, LetterTemplate

# Letters and correspondence are written by the jurisdiction's staff and counsel.
WRITERS = (STAFF, COUNSEL)
CASES = OptOutRequest.objects.select_related("jurisdiction__state")


def _visible(request, case: OptOutRequest, *, private: bool = False) -> bool:
    """
    Whether this user may see something of the case: what is private (a draft
    letter, an internal entry) only the jurisdiction's staff and counsel and
    admins; the rest whoever may see the case (an unsent draft's are private).
    """
    user = request.user
    return can_see_private(user, case.jurisdiction_id) or (not private and may_see_case(user, case))


def _case_for_writer(request, pk: int) -> OptOutRequest:
    """
    The case if this user writes its letters: a case they may not see (a
    draft of another jurisdiction) is a 404, one they may see a 403 that says why.
    """
    return case_for_actor(pk, request.user, roles=WRITERS, queryset=CASES)


def _letter(request, pk: int) -> Letter:
    """The letter if this user may see it: a draft is private, so others get a 404."""
    try:
        letter = selectors.letter_detail(pk=pk)
    except Letter.DoesNotExist:
        raise Http404("No such letter.") from None
    if not _visible(request, letter.request, private=not letter.is_sent):
        raise Http404("No such letter.")
    return letter


def _letter_for_write(request, pk: int) -> Letter:
    """
    The letter if this user may change it: one they may not see (a draft, or
    any letter of a draft case, of another jurisdiction) is a 404 as for
    _letter; one they may see but not change is a 403 that says why.
    """
    letter = _letter(request, pk)
    require_case_actor(request.user, letter.request, roles=WRITERS)
    return letter


@require_POST
def letter_create(request, case_pk: int):
    case = _case_for_writer(request, case_pk)
    form = forms.LetterCreateForm(
        request.POST, templates=LetterTemplate.objects.filter(is_active=True)
    )
    # No template chosen is the service's refusal too ("Choose one of the letter templates.").
    template_id = form.cleaned_data["template"] if form.is_valid() else None
    return run_service(
        request,
        None,
        lambda: letters.letter_draft_create(
            case_id=case.pk, user=request.user, template_id=template_id
        ),
        success_message="Draft created.",
        success_url=lambda letter: letter.get_absolute_url(),
        failure_url=case.get_absolute_url() + "#letters",
    )


def letter_detail(request, pk: int, *, edit_form=None, status=200):
    """
    A letter and, for a draft, its editor: one form whose buttons save it,
    preview what it shows as a PDF in a new tab, or start sending it
    (correspondence.views_sending).
    """
    letter = _letter(request, pk)
    case = letter.request
    writer = selectors.may_write(request.user, case)
    context = {
        "letter": letter,
        "case": case,
        "preview": letters.letter_context(letter=letter),
        "may_write": writer and not letter.is_sent,
        # Who recorded what is for the jurisdiction's own people; the public sees the office.
        "show_people": writer,
        "placeholders": placeholders.PLACEHOLDERS,
    }
    if context["may_write"]:
        context["edit_form"] = edit_form or forms.LetterEditForm(instance=letter)
    elif edit_form is not None:
        # The letter was sent while it was being edited: no editor is shown
        # any more, so the refusal ("cannot be changed") is said above the letter.
        for message in edit_form.non_field_errors():
            messages.error(request, message)
    return render(request, "correspondence/letter_detail.html", context, status=status)


@require_POST
def letter_edit(request, pk: int):
    letter = _letter_for_write(request, pk)
    form = forms.LetterEditForm(request.POST, instance=Letter.objects.get(pk=letter.pk))
    if not form.is_valid():
        return letter_detail(request, pk, edit_form=form, status=400)
    response = run_service(
        request,
        form,
        lambda: letters.letter_draft_update(
            letter_id=letter.pk,
            user=request.user,
            **{f: form.cleaned_data[f] for f in letters.EDITABLE_FIELDS},
        ),
        success_message="Draft saved.",
        success_url=letter.get_absolute_url(),
    )
    return response or letter_detail(request, pk, edit_form=form, status=400)


@require_POST
def letter_delete(request, pk: int):
    letter = _letter_for_write(request, pk)
    return run_service(
        request,
        None,
        lambda: letters.letter_draft_delete(letter_id=letter.pk, user=request.user),
        success_message="Draft deleted.",
        success_url=letter.request.get_absolute_url() + "#letters",
        failure_url=letter.get_absolute_url(),
    )


def letter_pdf(request, pk: int):
    """The frozen PDF of a sent letter, or the draft as it would print now."""
    letter = _letter(request, pk)
    content = letters.letter_render_pdf(letter=letter)
    response = HttpResponse(content, content_type="application/pdf")
    stem = f"letter-{letter.pk}" + ("" if letter.is_sent else "-draft")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{stem}.pdf"'
    if letter.is_sent:
        response["X-Content-SHA256"] = letter.sha256
    else:
        response["Cache-Control"] = "no-store"
    return response


def correspondence_create(request, case_pk: int):
    if not request.user.is_authenticated and request.method == "GET":
        return redirect_to_login(request.get_full_path())
    case = _case_for_writer(request, case_pk)
    form = forms.CorrespondenceForm(
        request.POST or None,
        request.FILES or None,
        initial={"occurred_on": timezone.localdate(), "direction": "in", "is_public": True},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = run_service(
            request,
            form,
            lambda: log.correspondence_record(
                case_id=case.pk,
                user=request.user,
                direction=data["direction"],
                method=data["method"],
                occurred_on=data["occurred_on"],
                sender=data["sender"],
                recipient=data["recipient"],
                summary=data["summary"],
                is_public=data["is_public"],
                files=data["files"],
            ),
            success_message="Correspondence recorded.",
            success_url=case.get_absolute_url() + "#correspondence",
            field="files",  # a refusal naming no field is about the files (uploads)
        )
        if response:
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "correspondence/correspondence_form.html",
        {"case": case, "form": form},
        status=status,
    )


def attachment_download(request, pk: int):
    """An attachment, read from private storage, for those who may see its entry."""
    try:
        attachment = selectors.attachment_detail(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("No such file.") from None
    entry = attachment.correspondence
    if not _visible(request, entry.request, private=not entry.is_public):
        raise Http404("No such file.")
    response = download_response(
        attachment.file.open("rb"), name=attachment.original_name, kind=attachment.kind
    )
    if not entry.is_public:
        response["Cache-Control"] = "private, no-store"
    return response


def export_create(request, case_pk: int):
    case = case_for_viewer(case_pk, request.user, queryset=CASES)
    if request.method == "GET":
        # The public case page links here, so that it carries no form and
        # can be served from the page cache.
        form = forms.ExportForm(request.GET or None)
        kind = form.cleaned_data["kind"] if form.is_valid() else ""
        return render(
            request,
            "correspondence/export_confirm.html",
            {
                "case": case,
                "kind": kind,
                "may_see_private": can_see_private(request.user, case.jurisdiction_id),
            },
        )
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = forms.ExportForm(request.POST)
    # No kind chosen is the service's refusal too ("Choose the PDF case file or the ZIP ...").
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    # The jurisdiction's people choose the version: theirs, or the public one to share.
    return run_service(
        request,
        None,
        lambda: exports.case_export_request(
            case_id=case.pk,
            user=request.user,
            kind=kind,
            public=request.POST.get("version") == "public",
        ),
        success_message="",  # the export's page says how it is coming along
        success_url=lambda export: export.get_absolute_url(),
        failure_url=case.get_absolute_url() + "#letters",
    )


def _export(request, pk) -> CaseExport:
    try:
        export = selectors.export_detail(pk=pk)
    except (CaseExport.DoesNotExist, ValidationError):
        raise Http404("No such export.") from None
    if not _visible(request, export.request, private=export.include_private):
        raise Http404("No such export.")
    return exports.case_export_check(export=export)


def _export_status(export: CaseExport) -> dict:
    label = export.get_status_display()
    return {
        "status": export.status,
        "label": label,
        "progress": export.progress,
        # An export built before the message said what was built repeats the label.
        "message": "" if export.message == label else export.message,
        "download_url": reverse("correspondence:export_download", args=[export.pk])
        if export.status == CaseExport.Status.DONE
        else None,
    }


def export_detail(request, pk):
    export = _export(request, pk)
    return render(
        request,
        "correspondence/export_detail.html",
        {
            "export": export,
            "case": export.request,
            "state": _export_status(export),
            "keep_days": settings.SCOMM_EXPORT_KEEP_DAYS,
        },
    )


def export_status(request, pk):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = JsonResponse(_export_status(_export(request, pk)))
    response["Cache-Control"] = "no-store"
    return response


def export_download(request, pk):
    export = _export(request, pk)
    if export.status != CaseExport.Status.DONE or not export.file:
        raise Http404("This export is not ready.")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type="application/pdf" if export.kind == "pdf" else "application/zip",
    )
