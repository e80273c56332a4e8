"""
Filters every list may use, read the same way by a page's search form and by
the API's query string, so that one question never gets two answers.
"""

import django_filters
from django import forms

_TRUE = {"on", "true", "1", "yes"}
_FALSE = {"off", "false", "0", "no"}


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number a database can hold (anything else is a 400, never a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**62)
        super().__init__(*args, **kwargs)


class TickOrBoolean(forms.CheckboxInput):
    """
    A checkbox on a page, which sends "on" when ticked and nothing otherwise,
    that also reads the API's "true" and "false". Unticked is "no filter",
    not "false": a page cannot ask for the cases *without* the mark.
    """

    def value_from_datadict(self, data, files, name):
        value = str(data.get(name, "")).strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        return None


class BooleanFilter(django_filters.BooleanFilter):
    """Yes, no or either: a tick on a page, true or false in the API."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", TickOrBoolean)
        super().__init__(*args, **kwargs)
