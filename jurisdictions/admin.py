from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import IceOffice, Jurisdiction, Membership, State, StateIdentificationBureau


class StateIdentificationBureauInline(admin.StackedInline):
    model = StateIdentificationBureau
    extra = 0


@admin.register(State)
class StateAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "postal_code",
        "fips",
        "agreement_signed",
        "agreement_has_opt_out_clause",
    ]
    list_filter = ["is_territory", "agreement_has_opt_out_clause"]
    search_fields = ["name", "postal_code", "fips"]
    inlines = [StateIdentificationBureauInline]


@admin.register(StateIdentificationBureau)
class StateIdentificationBureauAdmin(SimpleHistoryAdmin):
    list_display = ["name", "state", "contact_person", "email", "fax"]
    list_select_related = ["state"]
    search_fields = ["name", "state__name", "contact_person"]


@admin.register(IceOffice)
class IceOfficeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_headquarters", "contact_person", "email", "fax"]
    search_fields = ["name", "contact_person"]
    filter_horizontal = ["states"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):
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
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["state", "name", "kind", "fips"]}),
        (
            "Deployment plan",
            {"fields": ["plan_status", "scheduled_activation", "actual_activation"]},
        ),
        ("Letters", {"fields": ["letterhead", "signatory_name", "signatory_title", "seal"]}),
    ]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = "Edited in the admin"
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "jurisdiction", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "jurisdiction", "jurisdiction__state"]
    autocomplete_fields = ["user", "jurisdiction"]
    search_fields = ["user__username", "user__email", "jurisdiction__name"]
