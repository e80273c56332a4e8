"""
The cases' parts of other apps' pages: a jurisdiction's cases on its
directory page, and the open cases a deployment schedule's preview would
flag. The directory's templates load these; its code never imports cases.
"""

from django import template

from .. import selectors
from ..permissions import STAFF, can_act
from ..services import schedule_cases_to_flag
from ..status import is_pending, status_of

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.inclusion_tag("optouts/_jurisdiction_cases.html", takes_context=True)
def jurisdiction_cases(context, jurisdiction):
    """
    The jurisdiction's opt-out requests the viewer may see, newest first,
    under its status (optouts.status), read off the same cases: every
    pending request is public, so no query more.
    """
    cases = selectors.jurisdiction_cases(jurisdiction=jurisdiction, user=_user(context))
    pending = any(is_pending(case) for case in cases)
    status = status_of(
        plan_status=jurisdiction.plan_status,
        actual_activation=jurisdiction.actual_activation,
        pending=pending,
    )
    return {"cases": cases, "status": status}


@register.inclusion_tag("optouts/_jurisdiction_file_link.html", takes_context=True)
def jurisdiction_file_link(context, jurisdiction):
    """The button to file a notice, for the jurisdiction's own staff."""
    return {
        "jurisdiction": jurisdiction,
        "may_file": can_act(_user(context), jurisdiction.pk, (STAFF,)),
    }


@register.inclusion_tag("optouts/_schedule_cases_to_flag.html")
def schedule_cases_to_flag_warning(report):
    """How many open cases applying this checked schedule would flag, counted now."""
    return {"count": schedule_cases_to_flag(report=report)}
