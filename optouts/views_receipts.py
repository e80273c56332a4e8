"""
The receipt of a copy of the notice, recorded by the jurisdiction's staff on
the case page, and its proof, read back from private storage by those who
may see the case.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed

from core.files import KIND_BY_EXTENSION, download_response
from core.views import run_service

from . import forms, selectors, services
from .models import Delivery
from .permissions import case_for_actor, case_for_viewer


def awaiting_receipt(case) -> list[Delivery]:
    """The copies sent (and not failed) whose receipt is not recorded yet."""
    return [d for d in case.deliveries.all() if d.received_on is None and d.status != "failed"]


def receipt_form_for(case, data=None, files=None) -> forms.ReceiptForm | None:
    """The receipt form of the case page, or None when no copy awaits its receipt."""
    waiting = awaiting_receipt(case)
    if not waiting:
        return None
    return forms.ReceiptForm(data, files, prefix="receipt", deliveries=waiting)


def _version(request) -> int | None:
    """The case's version the form was shown with, or None (then no check)."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@login_required
def case_receipt(request, pk: int):
    from .views import case_detail

    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    case = case_for_actor(pk, request.user, queryset=selectors.case_pages())
    if request.method != "POST":
        return case_detail(request, pk, open_form="receipt")
    form = receipt_form_for(case, request.POST, request.FILES)
    if form is None:
        raise Http404("No copy of this notice awaits its receipt.")
    if not form.is_valid():
        return case_detail(request, pk, receipt_form=form, status=400)
    data = form.cleaned_data
    response = run_service(
        request,
        form,
        lambda: services.delivery_receipt_record(
            delivery_id=data["delivery"],
            user=request.user,
            received_on=data["received_on"],
            received_by=data["received_by"],
            proof=data["proof"] or None,
            expected_version=_version(request),
        ),
        success_message="Receipt recorded.",
        success_url=case.get_absolute_url() + "#notice",
    )
    return response or case_detail(request, pk, receipt_form=form, status=400)


def receipt_proof(request, pk: int, delivery_pk: int):
    """
    A copy's proof of receipt, for whoever may see the case: the receipt is
    part of the public record of the notice, like the letter it answers.
    """
    case = case_for_viewer(pk, request.user)
    delivery = Delivery.objects.filter(pk=delivery_pk, request=case).first()
    if delivery is None or not delivery.receipt_proof:
        raise Http404("No such proof.")
    extension = "." + delivery.receipt_proof.name.rsplit(".", 1)[-1].lower()
    return download_response(
        delivery.receipt_proof.open("rb"),
        name=delivery.receipt_proof_name or "proof",
        kind=KIND_BY_EXTENSION.get(extension, "pdf"),
    )
