"""
The offices a jurisdiction writes from, kept by its own staff and counsel:
each letter prints the letterhead, return address and signatory of the
office its template speaks for.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.access import object_for_actor
from core.views import run_service
from jurisdictions.models import Jurisdiction, OfficeKind
from optouts.permissions import can_act

from . import forms, offices
from .views import WRITERS


def _jurisdiction_for_writer(request, pk: int) -> Jurisdiction:
    return object_for_actor(
        Jurisdiction.objects.select_related("state"),
        pk,
        request.user,
        allowed=lambda user, j: can_act(user, j.pk, WRITERS),
        not_found="No such jurisdiction.",
        refused="Only the jurisdiction's staff and counsel keep its letterheads.",
        sign_in="Sign in to keep your offices' letterheads.",
    )


def office_list(request, jurisdiction_pk: int):
    """Every office of the jurisdiction, with the letterhead and signatory its letters carry."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    jurisdiction = _jurisdiction_for_writer(request, jurisdiction_pk)
    rows = [
        {
            "office": office,
            "letterhead": offices.office_letterhead_lines(office),
            "return_lines": offices.office_return_lines(office),
        }
        for office in offices.offices_of(jurisdiction=jurisdiction)
    ]
    return render(
        request, "correspondence/office_list.html", {"jurisdiction": jurisdiction, "rows": rows}
    )


@require_http_methods(["GET", "POST"])
def office_edit(request, jurisdiction_pk: int, kind: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    jurisdiction = _jurisdiction_for_writer(request, jurisdiction_pk)
    if kind not in OfficeKind.values:
        raise Http404("No such office.")
    office = offices.office_for(jurisdiction=jurisdiction, kind=kind)
    form = forms.OfficeForm(request.POST or None, instance=office)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            form,
            lambda: offices.office_save(
                jurisdiction_id=jurisdiction.pk,
                kind=kind,
                user=request.user,
                **{f: form.cleaned_data[f] for f in offices.OFFICE_FIELDS},
            ),
            success_message=f"{office.get_kind_display()} saved.",
            success_url=reverse("correspondence:office_list", args=[jurisdiction.pk]),
        )
        if response:
            return response
    return render(
        request,
        "correspondence/office_form.html",
        {"jurisdiction": jurisdiction, "office": office, "form": form},
        status=400 if request.method == "POST" else 200,
    )
