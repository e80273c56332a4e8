"""
A jurisdiction's status as a badge, in the vocabulary of optouts.status: the
directory's pages load these, so that a county reads the same on its page,
in the list, on the map and in the API.
"""

from django import template
from django.db.models import QuerySet
from django.utils.html import format_html

from optouts.status import jurisdiction_status, statuses_by_id, with_opt_out_pending

register = template.Library()


def _badge(status) -> str:
    return format_html('<span class="badge status-{}">{}</span>', status.value, status.label)


@register.simple_tag
def status_badge(jurisdiction):
    """
    The badge of one jurisdiction: its `status` when with_statuses gave it
    one, else from its `opt_out_pending` annotation or one query.
    """
    return _badge(getattr(jurisdiction, "status", None) or jurisdiction_status(jurisdiction))


@register.simple_tag
def with_statuses(jurisdictions) -> list:
    """
    A page of jurisdictions, each with its `status`. A page not yet read is
    read once with the status in the same query (the list keeps a fixed
    number of queries); one already read costs one more query.
    """
    if isinstance(jurisdictions, QuerySet) and jurisdictions._result_cache is None:
        rows = list(with_opt_out_pending(jurisdictions))
        for j in rows:
            j.status = jurisdiction_status(j)
        return rows
    rows = list(jurisdictions)
    statuses = statuses_by_id(rows)
    for j in rows:
        j.status = statuses[j.pk]
    return rows
