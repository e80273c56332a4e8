"""
The jurisdiction list's filters and its search: one FilterSet for the
directory page and the public API, so that both find the same jurisdictions.
"""

import django_filters
from django.db.models import Q
from django_filters.fields import ChoiceField

from core.forms import QuickSelect

from .models import Jurisdiction, State, StateAgreementEvent, normalise_name


def state_choices() -> list[tuple[str, str]]:
    """Every state by name, its postal code the value: read when a form is drawn or checked."""
    return list(State.objects.order_by("name").values_list("postal_code", "name"))


class StateField(ChoiceField):
    """
    A state chosen by name from a list, sent as its postal code ("ca" reads as
    CA). Anything else, a full name or a code cut short, is refused with a
    message rather than shortened into another state or into no state.
    """

    default_error_messages = {
        "invalid_choice": "No state has the postal code “%(value)s”. Choose a state from the list.",
    }

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class StateFilter(django_filters.ChoiceFilter):
    """The state dropdown of every list (cases, jurisdictions) and the API's ?state=."""

    field_class = StateField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", state_choices)
        kwargs.setdefault("empty_label", "All states")
        kwargs.setdefault("label", "State")
        kwargs.setdefault("lookup_expr", "iexact")
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(*args, **kwargs)


def clean_state(value: str) -> str:
    """
    A ?state= of an export or a calendar: a known postal code, upper case, or
    "" for every state. Raises ValidationError with the lists' own message.
    """
    return StateField(choices=state_choices, required=False).clean(value)


class JurisdictionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=100, label="Name or FIPS code")
    state = StateFilter(field_name="state__postal_code")
    plan_status = django_filters.ChoiceFilter(
        choices=Jurisdiction.PlanStatus.choices, empty_label="Any status", label="Status"
    )
    fips = django_filters.CharFilter(max_length=5)
    scheduled_after = django_filters.DateFilter(
        field_name="scheduled_activation", lookup_expr="gte"
    )
    scheduled_before = django_filters.DateFilter(
        field_name="scheduled_activation", lookup_expr="lte"
    )

    def filter_q(self, queryset, name, value: str):
        """
        By name, also in its normalised form ("st louis" finds "St. Louis
        County"), or by FIPS code.
        """
        value = value.strip()
        if not value:
            return queryset
        match = Q(name__icontains=value) | Q(fips=value)
        normalised = normalise_name(value)
        if normalised:  # "." normalises to nothing, which every name contains
            match |= Q(search_name__contains=normalised)
        return queryset.filter(match)


class StateAgreementFilter(django_filters.FilterSet):
    """The API's ?state= and ?kind= on the states' agreement records."""

    state = StateFilter(field_name="state__postal_code")
    kind = django_filters.ChoiceFilter(choices=StateAgreementEvent.Kind.choices)
