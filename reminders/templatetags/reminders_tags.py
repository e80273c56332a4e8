"""The reminders' pieces of shared pages: the bell, "needs attention", the case panel."""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from core import fragments
from optouts.permissions import COUNSEL, STAFF, can_act, roles_by_jurisdiction

from .. import selectors

register = template.Library()


@register.inclusion_tag("reminders/_bell.html", takes_context=True)
def reminders_bell(context):
    """The unread count in the header: one query, none for an anonymous visitor."""
    user = context.get("user")
    if not getattr(user, "is_authenticated", False):
        return {"show": False}
    return {"show": True, "count": selectors.unread_count(user=user)}


@register.inclusion_tag("reminders/_needs_attention.html", takes_context=True)
def needs_attention(context):
    """
    The signed-in user's stuck cases, and a warning when the reminders sweep
    has not run for a day, for those who rely on it: admins, staff, counsel.
    """
    user = context.get("user")
    if not getattr(user, "is_authenticated", False):
        return {"show": False}
    relies = (
        user.is_staff
        or user.is_superuser
        or any(roles & {STAFF, COUNSEL} for roles in roles_by_jurisdiction(user).values())
    )
    def build() -> dict:
        return selectors.needs_attention(user=user)

    request = context.get("request")
    if getattr(request, "cached_page", None) is not None:
        # The same list for everyone who sees the same cases, until a case,
        # the plan or a snooze changes (the snooze services say so).
        items_html = fragments.cached_fragment(
            request, "reminders/_needs_attention_items.html", build, kinds=("cases", "plan")
        )
    else:
        items_html = render_to_string("reminders/_needs_attention_items.html", build())
    return {
        "show": True,
        "items_html": items_html,
        "sweep": selectors.sweep_overdue() if relies else None,
    }


@register.inclusion_tag("reminders/_case_panel.html", takes_context=True)
def reminders_panel(context, case):
    """Upcoming reminders and the snooze form, for the case's staff and counsel."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if not can_act(user, case.jurisdiction_id, (STAFF, COUNSEL)):
        return {"show": False}
    today = timezone.localdate()
    panel = selectors.case_panel(case=case, today=today)
    # The snooze form has a page of its own: the case page links to it.
    return {
        "show": True,
        "case": case,
        "today": today,
        **panel,
        "csrf_token": context.get("csrf_token"),
    }
