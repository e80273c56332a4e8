"""
Applying a checked deployment schedule. The upload, preview, recheck and
discard pages belong to the directory (jurisdictions.views_schedules); applying
lives here because it changes the open cases too, which only the cases app may
do.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from jurisdictions.models import ScheduleVersion
from jurisdictions.schedules import services as plan_services
from jurisdictions.views_schedules import APPLY_PERMISSION, staff_with

from . import services


@staff_with(APPLY_PERMISSION)
@require_POST
def schedule_apply(request, pk: int):
    # The rows held back over a resolution that the admin ticked, one by one.
    confirmed = [v for v in request.POST.getlist("confirm") if v.isdigit()]
    try:
        version = services.schedule_apply(version_id=pk, user=request.user, confirmed=confirmed)
    except ScheduleVersion.DoesNotExist:
        messages.error(request, "This schedule no longer exists.")
        return redirect("admin:jurisdictions_scheduleversion_changelist")
    except plan_services.PlanChangedError as exc:
        # The preview no longer tells the truth: check the file again at once.
        plan_services.schedule_recheck(version_id=pk)
        messages.error(request, " ".join(exc.messages))
        return redirect("jurisdictions:schedule_preview", pk=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("jurisdictions:schedule_preview", pk=pk)
    held = version.report.get("held", [])
    kept = sum(1 for e in held if not e.get("confirmed"))
    messages.success(
        request,
        f"Schedule applied: {version.new_count} new, {version.changed_count} changed, "
        f"{version.unchanged_count} unchanged; {version.cases_flagged} open "
        f"case{'s' if version.cases_flagged != 1 else ''} flagged."
        + (
            f" {kept} row{'s' if kept != 1 else ''} held back over a resolution "
            f"{'were' if kept != 1 else 'was'} not applied."
            if kept
            else ""
        ),
    )
    return redirect(version.get_absolute_url())
