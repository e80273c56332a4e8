"""
The read-only public API: cases, their public events, and jurisdictions.
Public fields only, paginated, filtered by query string; the OpenAPI schema
is at /api/schema/. No account and no cookie: everyone sees the same data.
"""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import pagination, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle

from jurisdictions.models import Jurisdiction, normalise_name
from optouts.models import CaseEvent, EventKind, OptOutRequest, Outcome, Stage

from . import selectors

# --- serializers -------------------------------------------------------------


class JurisdictionBriefSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.postal_code", read_only=True)

    class Meta:
        model = Jurisdiction
        fields = ["id", "name", "state", "fips"]


class JurisdictionSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.postal_code", read_only=True)
    state_name = serializers.CharField(source="state.name", read_only=True)
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Jurisdiction
        fields = [
            "id",
            "name",
            "kind",
            "state",
            "state_name",
            "fips",
            "plan_status",
            "scheduled_activation",
            "actual_activation",
            "page_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class CaseSerializer(serializers.ModelSerializer):
    jurisdiction = JurisdictionBriefSerializer(read_only=True)
    scheduled_activation = serializers.DateField(
        source="jurisdiction.scheduled_activation", read_only=True, allow_null=True
    )
    actual_activation = serializers.DateField(
        source="jurisdiction.actual_activation", read_only=True, allow_null=True
    )
    is_open = serializers.BooleanField(read_only=True)
    activated_while_pending = serializers.BooleanField(read_only=True)
    days_in_stage = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = OptOutRequest
        fields = [
            "id",
            "jurisdiction",
            "stage",
            "is_open",
            "days_in_stage",
            "stage_entered_at",
            "requesting_official",
            "requesting_body",
            "reasons",
            "opened_on",
            "closed_on",
            "scheduled_activation_at_filing",
            "scheduled_activation",
            "actual_activation",
            "activated_while_pending",
            "meeting_at",
            "meeting_location",
            "outcome",
            "outcome_new_activation",
            "outcome_text",
            "reopens",
            "page_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_in_stage(self, obj) -> int | None:
        return obj.days_in_stage() if obj.is_open else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class EventSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="request_id", read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "case",
            "kind",
            "occurred_on",
            "date_is_approximate",
            "recorded_at",
            "from_stage",
            "to_stage",
            "summary",
            "source",
        ]


# --- filters -----------------------------------------------------------------


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number a database can hold (anything else is a 400, never a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**62)
        super().__init__(*args, **kwargs)


class CaseFilter(django_filters.FilterSet):
    state = django_filters.CharFilter(
        field_name="jurisdiction__state__postal_code",
        lookup_expr="iexact",
        max_length=2,
        label="State postal code, e.g. CA",
    )
    stage = django_filters.ChoiceFilter(
        method="filter_stage",
        choices=[("open", "Any open stage"), *[(s, s.label) for s in Stage if s != Stage.DRAFT]],
    )
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    jurisdiction = IdFilter(field_name="jurisdiction_id")
    fips = django_filters.CharFilter(field_name="jurisdiction__fips", max_length=5)
    opened_after = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_before = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte")
    activated_while_pending = django_filters.BooleanFilter()
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=100,
        label="Search: jurisdiction, state, requesting official, reasons",
    )

    def filter_stage(self, queryset, name, value):
        if value == "open":
            return queryset.filter(stage__in=selectors.PENDING_STAGES)
        return queryset.filter(stage=value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(jurisdiction__search_name__contains=normalise_name(value))
            | Q(jurisdiction__name__icontains=value)
            | Q(jurisdiction__state__name__iexact=value)
            | Q(jurisdiction__state__postal_code__iexact=value)
            | Q(requesting_official__icontains=value)
            | Q(reasons__icontains=value)
        )


class EventFilter(django_filters.FilterSet):
    case = IdFilter(field_name="request_id")
    state = django_filters.CharFilter(
        field_name="request__jurisdiction__state__postal_code", lookup_expr="iexact", max_length=2
    )
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    since = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte")


class JurisdictionFilter(django_filters.FilterSet):
    state = django_filters.CharFilter(
        field_name="state__postal_code", lookup_expr="iexact", max_length=2
    )
    plan_status = django_filters.ChoiceFilter(choices=Jurisdiction.PlanStatus.choices)
    fips = django_filters.CharFilter(max_length=5)
    scheduled_after = django_filters.DateFilter(
        field_name="scheduled_activation", lookup_expr="gte"
    )
    scheduled_before = django_filters.DateFilter(
        field_name="scheduled_activation", lookup_expr="lte"
    )
    q = django_filters.CharFilter(method="filter_q", max_length=100, label="Name or FIPS code")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(search_name__contains=normalise_name(value))
            | Q(name__icontains=value)
            | Q(fips=value)
        )


# --- views -------------------------------------------------------------------


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class PerAddressThrottle(AnonRateThrottle):
    """
    So many requests per client address (SCOMM_API_RATE): the data is open to
    everyone, but one scraper must not take the site down for the others.
    """

    scope = "public-api"

    def get_rate(self):
        return settings.SCOMM_API_RATE or None


class _ReadOnly(viewsets.ReadOnlyModelViewSet):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PerAddressThrottle]
    pagination_class = Pagination
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    lookup_value_regex = r"[0-9]+"


class CaseViewSet(_ReadOnly):
    """Opt-out requests once their notice has gone out, with public fields only."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter

    def get_queryset(self):
        return selectors.public_cases().order_by("-opened_on", "-id")


class EventViewSet(_ReadOnly):
    """The public events of the public cases' timelines (never an internal note)."""

    serializer_class = EventSerializer
    filterset_class = EventFilter

    def get_queryset(self):
        return selectors.public_events()


class JurisdictionViewSet(_ReadOnly):
    """Jurisdictions on ICE's deployment plan."""

    serializer_class = JurisdictionSerializer
    filterset_class = JurisdictionFilter

    def get_queryset(self):
        return Jurisdiction.objects.select_related("state").order_by("state__name", "name", "id")
