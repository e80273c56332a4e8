"""
The notifications page, email preferences, one-click unsubscribe, and the
snooze form of the case page. Each view checks who may act, then calls one
service through core.views.run_service: a successful POST redirects, a
refusal is shown at its form or as a message. A case the user may not see
is a 404; one they may see but not act on, a 403 that says why.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.views import run_service
from optouts.models import OptOutRequest
from optouts.permissions import COUNSEL, STAFF, case_for_actor

from . import selectors, services
from .emails import user_from_token
from .forms import PreferenceForm, SnoozeForm
from .models import Delivery, ReminderPreference, ReminderSnooze


@login_required
def notification_list(request):
    """Lists the user's reminders; what this page shows counts as read."""
    paginator = Paginator(
        selectors.notifications_for(user=request.user).order_by("-created_at", "-id"), 50
    )
    # The count the bell keeps: the lightest signed-in page asks no query for it,
    # and none for the list when the bell says it is empty.
    paginator.count = selectors.notification_counts(user=request.user)[1]
    page = paginator.get_page(request.GET.get("page"))
    items = list(page.object_list) if paginator.count else []
    unread = [n.pk for n in items if n.read_at is None]
    if unread:
        services.notifications_mark_read(user=request.user, ids=unread)
    form = PreferenceForm(initial={"delivery": selectors.delivery_preference(user=request.user)})
    return render(
        request,
        "reminders/notification_list.html",
        {"page": page, "items": items, "unread": set(unread), "form": form},
    )


@login_required
@require_POST
def notifications_read(request):
    page = reverse("reminders:list")
    return run_service(
        request,
        None,
        lambda: services.notifications_mark_read(user=request.user),
        success_message="Reminders marked read.",
        success_url=page,
        failure_url=page,
    )


@login_required
@require_POST
def preferences(request):
    form = PreferenceForm(request.POST)
    # Nothing chosen is the service's refusal too ("Choose how reminders reach you by email.").
    delivery = form.cleaned_data["delivery"] if form.is_valid() else ""
    page = reverse("reminders:list")
    return run_service(
        request,
        None,
        lambda: services.preference_set(user=request.user, delivery=delivery),
        success_message=lambda preference: (
            f"Email preference saved: {preference.get_delivery_display().lower()}."
        ),
        success_url=page,
        failure_url=page,
    )


@csrf_exempt  # the link in an email, and mail clients' one-click POST, carry no CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """
    No sign-in: the signed token names the user. GET (and HEAD) only shows a
    button, since mail scanners open every link in an email; the button's
    POST and the RFC 8058 one-click POST turn reminder emails off (the bell
    stays).
    """
    user = user_from_token(token)
    if user is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method == "POST" and request.POST.get("resubscribe"):
        services.preference_set(user=user, delivery=Delivery.IMMEDIATE)
        return render(request, "reminders/unsubscribed.html", {"resubscribed": True})
    if request.method == "POST":
        services.preference_set(user=user, delivery=Delivery.NONE)
        return render(request, "reminders/unsubscribed.html", {"token": token, "email": user.email})
    preference = ReminderPreference.objects.filter(user=user).only("delivery").first()
    already_off = preference is not None and preference.delivery == Delivery.NONE
    return render(
        request,
        "reminders/unsubscribe.html",
        {"token": token, "email": user.email, "already_off": already_off},
    )


def _case_for_acting(request, pk: int) -> OptOutRequest:
    return case_for_actor(
        pk,
        request.user,
        roles=(STAFF, COUNSEL),
        queryset=(
            OptOutRequest.objects.select_related("jurisdiction__state").only(
                "id", "stage", "opened_on", "jurisdiction__name", "jurisdiction__state__postal_code"
            )
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def snooze(request, pk: int):
    """
    The snooze form: on the case page's reminders panel, and on a page of its
    own, which shows a refused form again with its errors at their fields.
    A saved snooze goes back to the case page.
    """
    case = _case_for_acting(request, pk)
    form = SnoozeForm(request.POST or None, prefix="snooze", rules=selectors.active_rules())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = run_service(
            request,
            form,
            lambda: services.snooze_create(
                case_id=case.pk,
                user=request.user,
                until=data["until"],
                reason=data["reason"],
                rule_id=data["rule"],
            ),
            success_message=f"Reminders snoozed until {data['until']:%B %-d, %Y}.",
            success_url=case.get_absolute_url() + "#reminders",
        )
        if response:
            return response
    status = 400 if form.errors else 200
    return render(request, "reminders/snooze.html", {"case": case, "form": form}, status=status)


@login_required
@require_POST
def snooze_cancel(request, pk: int):
    snooze_row = get_object_or_404(ReminderSnooze.objects.only("id", "case_id"), pk=pk)
    case = _case_for_acting(request, snooze_row.case_id)
    panel = case.get_absolute_url() + "#reminders"
    return run_service(
        request,
        None,
        lambda: services.snooze_cancel(snooze_id=snooze_row.pk, user=request.user),
        success_message="Snooze ended: the reminders are back.",
        success_url=panel,
        failure_url=panel,
    )
