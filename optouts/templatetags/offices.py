"""The office that acted on a case, for templates: `{{ event|acting_office }}` (optouts.offices)."""

from django import template

from .. import offices

register = template.Library()


@register.filter
def acting_office(event) -> str:
    return offices.acting_office(event) or ""


@register.filter
def requesting_office(case) -> str:
    return offices.requesting_office(case)
