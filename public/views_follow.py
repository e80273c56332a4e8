"""
Following a case, a jurisdiction or a state by email, without an account:
ask, confirm by a signed link, unsubscribe in one click.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core import ratelimit
from core.clientip import client_key
from core.forms import add_service_errors
from jurisdictions.models import Jurisdiction, State

from . import selectors, services
from .forms import FollowForm


def _follow_target(data) -> dict | None:
    """What the follow form is about, for its heading; None when it names nothing real."""
    if str(data.get("case", "")).isdigit():
        case = selectors.public_cases().filter(pk=int(data["case"])).first()
        return (
            {"label": f"the opt-out request of {case.jurisdiction}", "obj": case} if case else None
        )
    if str(data.get("jurisdiction", "")).isdigit():
        j = (
            Jurisdiction.objects.select_related("state")
            .filter(pk=int(data["jurisdiction"]))
            .first()
        )
        return {"label": str(j), "obj": j} if j else None
    if data.get("state"):
        state = State.objects.filter(postal_code__iexact=str(data["state"])[:2]).first()
        return {"label": state.name, "obj": state} if state else None
    return None


@require_http_methods(["GET", "POST"])
def follow(request):
    data = request.POST if request.method == "POST" else request.GET
    target = _follow_target(data)
    if target is None:
        return render(request, "public/follow_unknown.html", status=404)
    form = FollowForm(request.POST or None, initial=data.dict())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            # Each request may send an email: one client address asks only so often.
            ratelimit.check(
                "follow-client",
                client_key(request),
                ratelimit.parse_rate(settings.SCOMM_FOLLOW_RATE_PER_CLIENT),
                message="Too many requests to follow from your address. Try again in {wait}.",
            )
            services.follow_request(
                email=d["email"],
                case_id=d.get("case"),
                jurisdiction_id=d.get("jurisdiction"),
                state_code=d.get("state") or None,
            )
        except ratelimit.RateLimited as exc:
            return ratelimit.too_many_requests(request, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(
                request, "public/follow_sent.html", {"target": target, "email": d["email"]}
            )
    status = 400 if form.is_bound else 200
    return render(request, "public/follow.html", {"form": form, "target": target}, status=status)


@require_http_methods(["GET", "POST"])
def follow_confirm(request, token: str):
    """
    GET shows a button, POST confirms: mail scanners that open every link
    must not confirm on the reader's behalf.
    """
    try:
        follow_obj = services.follow_from_confirm_token(token)
    except services.InvalidToken as exc:
        return render(request, "public/token_error.html", {"message": exc.messages[0]}, status=400)
    if follow_obj is None:
        message = "This follow was cancelled. Ask to follow again."
        return render(request, "public/token_error.html", {"message": message}, status=400)
    if request.method == "POST":
        follow_obj = services.follow_confirm(token=token)
        return render(request, "public/follow_confirmed.html", {"follow": follow_obj})
    return render(request, "public/follow_confirm.html", {"follow": follow_obj})


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        follow_obj = services.follow_from_unsubscribe_token(token)
    except services.InvalidToken as exc:
        return render(request, "public/token_error.html", {"message": exc.messages[0]}, status=400)
    if request.method == "POST":
        label = services.follow_unsubscribe(token=token)
        return render(request, "public/unsubscribed.html", {"label": label})
    return render(request, "public/unsubscribe.html", {"follow": follow_obj})
