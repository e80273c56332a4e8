"""
The case list's filters and its search: one FilterSet for the page and the
public API, so that the same question gives the same cases in both.
"""

import django_filters
from django.db.models import Q, QuerySet

from core.filters import BooleanFilter, IdFilter
from core.forms import QuickSelect
from jurisdictions.filters import StateFilter
from jurisdictions.models import normalise_name

from .models import OPEN_FIRST, OPEN_STAGES, Outcome, Stage

# The orders the list offers, each with a last key that makes it total: a
# page of 50 must not show a case twice or skip one.
# The list's default: open requests first (a request resolved years ago has
# been "in its stage" longest, but waits for nothing), longest waiting first.
# (optouts.models.OPEN_FIRST, the expression of its index.)
ORDERINGS = {
    "waiting": ("Open first, longest waiting first", [OPEN_FIRST, "stage_entered_at", "id"]),
    "-waiting": ("Most recently moved first", ["-stage_entered_at", "-id"]),
    "opened": ("Newest request first", ["-opened_on", "-id"]),
    "jurisdiction": ("Jurisdiction", ["jurisdiction__state__name", "jurisdiction__name", "id"]),
    "activation": ("Soonest activation date", ["jurisdiction__scheduled_activation", "id"]),
}


def case_search(queryset: QuerySet, text: str) -> QuerySet:
    """
    Cases whose jurisdiction, state, requesting official or reasons match.
    A jurisdiction also matches by its normalised name, so "st louis" finds
    "St. Louis County" and "Saint Louis" finds it too.
    """
    text = text.strip()
    if not text:
        return queryset
    match = (
        Q(jurisdiction__name__icontains=text)
        | Q(jurisdiction__state__name__iexact=text)
        | Q(jurisdiction__state__postal_code__iexact=text)
        | Q(requesting_official__icontains=text)
        | Q(reasons__icontains=text)
    )
    normalised = normalise_name(text)
    if normalised:  # "." normalises to nothing, which every name contains
        match |= Q(jurisdiction__search_name__contains=normalised)
    return queryset.filter(match)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=100,
        label="Search",
        help_text="Jurisdiction, state, requesting official or reasons",
    )
    state = StateFilter(field_name="jurisdiction__state__postal_code")
    stage = django_filters.ChoiceFilter(
        method="filter_stage",
        choices=[("open", "Any open stage"), *Stage.choices],
        empty_label="Any stage",
        widget=QuickSelect,
    )
    outcome = django_filters.ChoiceFilter(
        choices=Outcome.choices, empty_label="Any outcome", widget=QuickSelect
    )
    activated_while_pending = BooleanFilter(label="Activated while pending")
    order = django_filters.ChoiceFilter(
        method="filter_order",
        choices=[(value, label) for value, (label, _) in ORDERINGS.items()],
        empty_label=None,
        label="Sort by",
        widget=QuickSelect,
    )
    jurisdiction = IdFilter(field_name="jurisdiction_id")
    fips = django_filters.CharFilter(field_name="jurisdiction__fips", max_length=5)
    opened_after = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_before = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte")

    def filter_q(self, queryset, name, value: str):
        return case_search(queryset, value)

    def filter_stage(self, queryset, name, value: str):
        if value == "open":
            return queryset.filter(stage__in=OPEN_STAGES)
        return queryset.filter(stage=value)

    def filter_order(self, queryset, name, value: str):
        return queryset.order_by(*ORDERINGS[value][1])
