"""
The read-only public API: cases, their public events, and jurisdictions.
Public fields only, paginated, filtered by query string; the OpenAPI schema
is at /api/schema/. No account and no cookie: everyone sees the same data.
"""

import re

import django_filters
from django.conf import settings
from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import pagination, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.throttling import BaseThrottle

from core import ratelimit
from core.clientip import client_key
from core.filters import IdFilter
from jurisdictions.filters import JurisdictionFilter, StateAgreementFilter, StateFilter
from jurisdictions.models import Jurisdiction, StateAgreementEvent
from optouts.filters import CaseFilter
from optouts.models import CaseEvent, EventKind, OptOutRequest, Outcome
from optouts.offices import acting_office, requesting_office
from optouts.status import JurisdictionStatus, jurisdiction_status, with_opt_out_pending

from . import selectors
from .api_schema import LARGEST_ID, PublicAutoSchema, check_parameters

# --- serializers -------------------------------------------------------------


class JurisdictionBriefSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.postal_code", read_only=True)

    class Meta:
        model = Jurisdiction
        fields = ["id", "name", "state", "fips"]


class JurisdictionSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.postal_code", read_only=True)
    state_name = serializers.CharField(source="state.name", read_only=True)
    status = serializers.SerializerMethodField()
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
            "status",
            "scheduled_activation",
            "actual_activation",
            "page_url",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=JurisdictionStatus.choices))
    def get_status(self, obj) -> str:
        """Where it stands, as the map and the pages say it (optouts.status)."""
        return jurisdiction_status(obj).value

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class StateAgreementSerializer(serializers.ModelSerializer):
    """One dated record of a state's agreement with ICE; `precision` says how exact its date is."""

    state = serializers.CharField(source="state.postal_code", read_only=True)
    state_name = serializers.CharField(source="state.name", read_only=True)
    date_shown = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = StateAgreementEvent
        fields = [
            "id",
            "state",
            "state_name",
            "kind",
            "occurred_on",
            "precision",
            "date_shown",
            "status",
            "signed_by",
            "opt_out_clause",
            "source",
            "note",
        ]


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
    # Known from its dates: opened on or after the jurisdiction's activation.
    requested_after_activation = serializers.BooleanField(
        source="is_requested_after_activation", read_only=True
    )
    # A draft some copy of the notice went out of: public, stage still "draft".
    notice_partly_sent = serializers.BooleanField(source="is_notice_partly_sent", read_only=True)
    days_in_stage = serializers.SerializerMethodField()
    requesting_office = serializers.SerializerMethodField()
    # "" until the case is resolved: declared, so the schema allows it.
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
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
            "requesting_office",
            "reasons",
            "opened_on",
            "opened_precision",
            "closed_on",
            "scheduled_activation_at_filing",
            "scheduled_activation",
            "actual_activation",
            "activated_while_pending",
            "requested_after_activation",
            "notice_partly_sent",
            "meeting_at",
            "meeting_location",
            "meeting_was_at",
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

    @extend_schema_field(serializers.CharField())
    def get_requesting_office(self, obj) -> str:
        """The office that asked, as every public output names it (optouts.offices)."""
        return requesting_office(obj)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class EventSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="request_id", read_only=True)
    office = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "case",
            "kind",
            "occurred_on",
            "date_precision",
            "date_is_approximate",
            "recorded_at",
            "from_stage",
            "to_stage",
            "summary",
            "source",
            "office",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_office(self, obj) -> str | None:
        """The office that acted (optouts.offices), never the account; null when none did."""
        return acting_office(obj)


# --- filters -----------------------------------------------------------------


class EventFilter(django_filters.FilterSet):
    case = IdFilter(field_name="request_id")
    # An unknown state is a 400 naming it, as on the case and jurisdiction lists.
    state = StateFilter(field_name="request__jurisdiction__state__postal_code")
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    since = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte")


# --- views -------------------------------------------------------------------


class Pagination(pagination.PageNumberPagination):
    """
    50 to a page, up to 500 with ?page_size=. A page or a size that is not a
    whole number in range is a 400 naming it, rather than quietly the first
    page or the default size: a script must learn that it asked wrongly.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Past the last page is a 404; past this, a number no list reaches, a 400.
    last_page = 10**9

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name, largest in (
            (self.page_query_param, self.last_page),
            (self.page_size_query_param, self.max_page_size),
        ):
            value = request.query_params.get(name)
            if value is None:
                continue
            number = int(value) if re.fullmatch(r"[0-9]{1,18}", value) else 0
            if not 1 <= number <= largest:
                errors[name] = [f"A whole number from 1 to {largest}."]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)


class PerAddressThrottle(BaseThrottle):
    """
    So many requests per client address (SCOMM_API_RATE): the data is open to
    everyone, but one scraper must not take the site down for the others.
    Counted by core.ratelimit in the cache every web process shares, by the
    client address behind the site's proxies (core.clientip).
    """

    retry_after = None

    def allow_request(self, request, view):
        verdict = ratelimit.hit(
            "public-api", client_key(request), ratelimit.parse_rate(settings.SCOMM_API_RATE)
        )
        self.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self):
        return self.retry_after


class _ReadOnly(viewsets.ReadOnlyModelViewSet):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PerAddressThrottle]
    pagination_class = Pagination
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    schema = PublicAutoSchema()
    # Any id reaches the view, so that a wrong one is the API's JSON 404, not a page.
    lookup_value_regex = r"[^/]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "list":
            check_parameters(request.query_params, getattr(self, "filterset_class", None))

    def get_object(self):
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if not re.fullmatch(r"[0-9]{1,19}", value) or not 1 <= int(value) <= LARGEST_ID:
            raise NotFound("No such id: an id is a whole number from 1.")
        return super().get_object()


def not_found(request, *args, **kwargs):
    """Any other address under /api/: the API's JSON 404, never an HTML page."""
    return JsonResponse({"detail": "No such address in the API; see /api/schema/."}, status=404)


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
        return with_opt_out_pending(
            Jurisdiction.objects.select_related("state").order_by("state__name", "name", "id")
        )


class StateAgreementViewSet(_ReadOnly):
    """
    The states' agreements with ICE as dated records (signed, revised, suspended,
    ended, refused, ICE ending them all), oldest first; `status` is what each
    record made of the agreement.
    """

    serializer_class = StateAgreementSerializer
    filterset_class = StateAgreementFilter

    def get_queryset(self):
        return StateAgreementEvent.objects.select_related("state").order_by(
            "state__name", "occurred_on", "id"
        )
