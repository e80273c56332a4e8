from django.contrib import admin
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ChangesPages

from .models import (
    IceOffice,
    Jurisdiction,
    Membership,
    Office,
    ScheduleVersion,
    State,
    StateAgreementEvent,
    StateIdentificationBureau,
)
from .signals import activated_send


class StateIdentificationBureauInline(admin.StackedInline):
    model = StateIdentificationBureau
    extra = 0


class StateAgreementEventInline(admin.TabularInline):
    """The dated history of the state's agreement with ICE, as its state page shows it."""

    model = StateAgreementEvent
    extra = 0
    fields = ["kind", "occurred_on", "precision", "signed_by", "opt_out_clause", "source", "note"]


@admin.register(State)
class StateAdmin(ChangesPages, SimpleHistoryAdmin):
    page_kinds = ("plan",)
    list_display = [
        "name",
        "postal_code",
        "fips",
        "agreement_signed",
        "agreement_has_opt_out_clause",
    ]
    list_filter = ["is_territory", "agreement_has_opt_out_clause"]
    search_fields = ["name", "postal_code", "fips"]
    inlines = [StateIdentificationBureauInline, StateAgreementEventInline]


@admin.register(StateIdentificationBureau)
class StateIdentificationBureauAdmin(ChangesPages, SimpleHistoryAdmin):
    page_kinds = ("plan",)
    list_display = ["name", "state", "contact_person", "email", "fax"]
    list_select_related = ["state"]
    search_fields = ["name", "state__name", "contact_person"]


@admin.register(IceOffice)
class IceOfficeAdmin(ChangesPages, SimpleHistoryAdmin):
    page_kinds = ("plan",)
    list_display = ["name", "is_headquarters", "contact_person", "email", "fax"]
    search_fields = ["name", "contact_person"]
    filter_horizontal = ["states"]


class OfficeInline(admin.StackedInline):
    """The offices letters are written from; their staff edit them on the site too."""

    model = Office
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(ChangesPages, SimpleHistoryAdmin):
    page_kinds = ("plan",)
    list_display = [
        "name",
        "state",
        "kind",
        "fips",
        "plan_status",
        "scheduled_activation",
        "actual_activation",
    ]
    list_filter = ["plan_status", "kind", "state"]
    list_select_related = ["state"]
    search_fields = ["name", "fips", "state__name", "state__postal_code"]
    date_hierarchy = "scheduled_activation"
    readonly_fields = ["search_name"]
    inlines = [OfficeInline, MembershipInline]
    fieldsets = [
        (None, {"fields": ["state", "name", "kind", "fips"]}),
        (
            "Deployment plan",
            {
                "fields": [
                    "plan_status",
                    ("scheduled_activation", "scheduled_activation_precision"),
                    ("actual_activation", "actual_activation_precision"),
                ]
            },
        ),
        ("Letters", {"fields": ["letterhead", "signatory_name", "signatory_title", "seal"]}),
    ]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = "Edited in the admin"
        with transaction.atomic():
            # What the row held, read from the table: the form may not say (an import, an action).
            before = (
                Jurisdiction.objects.filter(pk=obj.pk)
                .values_list("actual_activation", "actual_activation_precision")
                .first()
            )
            super().save_model(request, obj, form, change)
            # The open cases record the activation in this transaction (jurisdictions.signals).
            now = (obj.actual_activation, obj.actual_activation_precision)
            if obj.actual_activation and now != before:
                activated_send(
                    activations={obj.pk: (obj.actual_activation, obj.actual_activation_precision)},
                    user=request.user,
                    source="Edited in the admin",
                )


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "jurisdiction", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "jurisdiction", "jurisdiction__state"]
    autocomplete_fields = ["user", "jurisdiction"]
    search_fields = ["user__username", "user__email", "jurisdiction__name"]


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(admin.ModelAdmin):
    """
    Every schedule uploaded, applied or not. Uploading, checking and applying happen
    on their own pages (jurisdictions.views_schedules); here they are listed and kept.
    """

    change_list_template = "jurisdictions/schedule_admin_change_list.html"
    list_display = [
        "file_name",
        "status",
        "uploaded_at",
        "uploaded_by",
        "applied_at",
        "applied_by",
        "rows_total",
        "new_count",
        "changed_count",
        "unchanged_count",
        "error_count",
        "cases_flagged",
        "preview_link",
    ]
    list_filter = ["status", "source"]
    list_select_related = ["uploaded_by", "applied_by"]
    search_fields = ["file_name", "sha256"]
    date_hierarchy = "uploaded_at"
    actions = None
    fields = [
        "file_name",
        "sha256",
        "size",
        "source",
        "status",
        "uploaded_by",
        "uploaded_at",
        "applied_by",
        "applied_at",
        "rows_total",
        "new_count",
        "changed_count",
        "unchanged_count",
        "error_count",
        "cases_flagged",
        "preview_link",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content", "report")

    @admin.display(description="preview")
    def preview_link(self, obj):
        label = "See what it changed" if obj.status == obj.Status.APPLIED else "Preview"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), label)

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(reverse("jurisdictions:schedule_upload"))

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == obj.Status.APPLIED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(StateAgreementEvent)
class StateAgreementEventAdmin(ChangesPages, SimpleHistoryAdmin):
    page_kinds = ("plan",)
    list_display = ["state", "kind", "date_shown", "signed_by", "opt_out_clause", "source"]
    list_filter = ["kind", "opt_out_clause", "state"]
    list_select_related = ["state"]
    search_fields = ["state__name", "state__postal_code", "signed_by", "source", "note"]
