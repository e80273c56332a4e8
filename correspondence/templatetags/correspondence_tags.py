from django import template

from correspondence import selectors

register = template.Library()


@register.inclusion_tag("correspondence/_panel.html", takes_context=True)
def letters_panel(context, case):
    """The letters and correspondence of a case, as the viewer may see them (3 or 4 queries)."""
    request = context.get("request")
    # A kept case page is rendered without a request, for the user it names.
    user = getattr(request, "user", None) or context.get("user")
    panel = selectors.case_panel(case=case, user=user)
    panel["csrf_token"] = context.get("csrf_token")
    return panel
