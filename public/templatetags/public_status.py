"""
A jurisdiction's status as a badge, in the vocabulary of optouts.status: the
directory's pages load these, so that a county reads the same on its page,
in the list, on the map and in the API.
"""

from django import template
from django.db.models import QuerySet

from core.rows import address_around_id, html_rows, short_date
from optouts.status import jurisdiction_status, statuses_by_id, with_opt_out_pending

register = template.Library()


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


@register.simple_tag
def jurisdiction_rows(rows) -> str:
    """
    The rows of one state's table of jurisdictions (given their `status` by
    with_statuses), built in one pass: a page holds 250 of them, each link
    written from one reversed address.
    """
    before, after = address_around_id("jurisdictions:detail")
    return html_rows(
        '<tr><th scope="row"><a href="{}{}{}">{}</a></th><td data-label="FIPS">{}</td>'
        '<td data-label="Status"><span class="badge status-{}">{}</span></td>'
        '<td data-label="Scheduled activation">{}</td><td data-label="Activated">{}</td></tr>',
        (
            (
                before,
                j.pk,
                after,
                j.name,
                j.fips,
                j.status.value,
                j.status.label,
                short_date(j.scheduled_activation),
                short_date(j.actual_activation),
            )
            for j in rows
        ),
    )
