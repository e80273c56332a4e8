"""
Loading a deployment schedule: upload, preview (checked in the background, with
progress), recheck or discard. Only staff with the schedule permissions get
here, from the admin's "Deployment schedules" page. Applying one changes open
cases too, so its view is the cases app's (optouts.views_schedules).
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import admin_required

from .models import PlanStatus, ScheduleVersion
from .models_agreements import date_shown
from .schedules import services

UPLOAD_PERMISSION = "jurisdictions.add_scheduleversion"
APPLY_PERMISSION = "jurisdictions.apply_scheduleversion"


def staff_with(permission: str):
    """Signed-in staff holding the permission; others are sent to sign in or refused."""
    return admin_required(
        permission, refused="Loading deployment schedules is for administrators."
    )


class ScheduleUploadForm(forms.Form):
    file = forms.FileField(
        label="Schedule file (CSV or Excel .xlsx)",
        help_text=(
            "One row per jurisdiction, with the columns State, Jurisdiction, FIPS code "
            "(optional), Scheduled activation date and Actual activation date, in any order; "
            "a list of jurisdictions already activated needs only its Activation date. A row "
            "“All remaining jurisdictions” (or the state's two-digit FIPS code) stands for the "
            "rest of its state. Dates as 2010-06-08, 6/8/2010, June 8, 2010, November 2009 or "
            "on or before 12/16/2009."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SCOMM_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"This file is {filesizeformat(upload.size)}; a schedule can be at most "
                f"{filesizeformat(limit)}. The whole United States fits in far less."
            )
        return upload


@staff_with(UPLOAD_PERMISSION)
@require_http_methods(["GET", "POST"])
def schedule_upload(request):
    form = ScheduleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.schedule_upload(
                file_name=upload.name, content=upload.read(), user=request.user
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                form.add_error("file", message)
        else:
            return redirect(version.get_absolute_url())
    status = 400 if form.errors else 200
    return render(request, "jurisdictions/schedule_upload.html", {"form": form}, status=status)


def _dated(entries: list[dict]) -> list[dict]:
    """
    The report keeps ISO dates, their precisions and status codes; the page shows
    dates as precise as the file gave them ("November 2009", "on or before ...") and labels.
    """
    labels = dict(PlanStatus.choices)
    shown = []
    for entry in entries:
        row = dict(entry)
        for key in ("old_scheduled", "new_scheduled", "old_actual", "new_actual"):
            row[key] = datetime.date.fromisoformat(entry[key]) if entry.get(key) else None
            row[f"{key}_text"] = date_shown(row[key], entry.get(f"{key}_precision") or "day")
        row["old_status_label"] = labels.get(entry.get("old_status"), "")
        row["new_status_label"] = labels.get(entry.get("new_status"), "")
        shown.append(row)
    return shown


@staff_with(UPLOAD_PERMISSION)
@require_GET
def schedule_preview(request, pk: int):
    version = get_object_or_404(
        ScheduleVersion.objects.select_related("uploaded_by", "applied_by").defer("content"),
        pk=pk,
    )
    report = version.report or {}
    already = report.get("already_applied")
    return render(
        request,
        "jurisdictions/schedule_preview.html",
        {
            "version": version,
            "report": report,
            "held": _dated(report.get("held", [])),
            "new": _dated(report.get("new", [])),
            "changed": _dated(report.get("changed", [])),
            "unchanged": _dated(report.get("unchanged", [])),
            "errors": report.get("errors", []),
            "already_applied": (
                {**already, "applied_at": datetime.datetime.fromisoformat(already["applied_at"])}
                if already and already.get("id") != version.pk
                else None
            ),
            "can_apply": request.user.has_perm(APPLY_PERMISSION),
            "checking": version.status == ScheduleVersion.Status.CHECKING,
            "applied": version.status == ScheduleVersion.Status.APPLIED,
        },
    )


@staff_with(UPLOAD_PERMISSION)
@require_GET
def schedule_status(request, pk: int):
    """What the progress bar polls: the check's state, as JSON."""
    version = get_object_or_404(
        ScheduleVersion.objects.only("id", "status", "rows_total", "rows_checked"), pk=pk
    )
    return JsonResponse(
        {
            "status": version.status,
            "done": version.status != ScheduleVersion.Status.CHECKING,
            "rows_checked": version.rows_checked,
            "rows_total": version.rows_total,
            "percent": version.progress_percent,
        }
    )


@staff_with(UPLOAD_PERMISSION)
@require_POST
def schedule_recheck(request, pk: int):
    try:
        services.schedule_recheck(version_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("jurisdictions:schedule_preview", pk=pk)


@staff_with(UPLOAD_PERMISSION)
@require_POST
def schedule_discard(request, pk: int):
    try:
        services.schedule_discard(version_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("jurisdictions:schedule_preview", pk=pk)
    messages.success(request, "The upload was discarded; the plan is as it was.")
    return redirect(reverse("admin:jurisdictions_scheduleversion_changelist"))
