"""
The cases' parts of other apps' pages: a jurisdiction's cases on its
directory page, and the open cases a deployment schedule's preview would
flag. The directory's templates load these; its code never imports cases.
"""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.rows import address_around_id, html_row, html_rows, short_date

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


def _case_row(case, today, before: str, after: str) -> str:
    jurisdiction = case.jurisdiction
    badges = []
    if case.is_activated_while_pending:
        badges.append(("alert-badge", "Activated while pending"))
    if case.is_requested_after_activation:
        badges.append(("after-activation", "Request made after activation"))
    if case.is_notice_partly_sent:
        stage = "Notice partly sent"
    else:
        stage = case.get_stage_display()
    if case.outcome:
        stage = f"{stage}: {case.get_outcome_display().lower()}"
    badge_class = f"stage-{case.stage}" + (f" outcome-{case.outcome}" if case.outcome else "")
    activation = short_date(jurisdiction.scheduled_activation)
    activated = (
        html_row("<br><small>activated {}</small>", short_date(jurisdiction.actual_activation))
        if jurisdiction.actual_activation
        else ""
    )
    return html_row(
        '<tr><th scope="row"><a href="{}{}{}">{}, {}</a> {}</th>'
        '<td data-label="Stage"><span class="badge {}">{}</span></td>'
        '<td class="num" data-label="Days waiting">{}</td>'
        '<td data-label="Opened">{}</td>'
        '<td data-label="Scheduled activation">{}{}</td></tr>',
        before,
        case.pk,
        after,
        jurisdiction.name,
        jurisdiction.state.postal_code,
        html_rows('<span class="badge {}">{}</span>', badges, sep=" "),
        badge_class,
        stage,
        case.days_in_stage(today) if case.is_open else "—",
        short_date(case.opened_on),
        activation,
        activated,
    )


@register.simple_tag
def case_rows(cases, today=None) -> str:
    """
    The rows of the case table (optouts/_case_table.html), built in one pass
    with one reversed address for every link: a page of fifty cases costs a
    few milliseconds, not an included template per row.
    """
    today = today or timezone.localdate()
    before, after = address_around_id("optouts:detail")
    return mark_safe("\n".join(_case_row(case, today, before, after) for case in cases))  # nosec B308 B703: each row built by html_row
