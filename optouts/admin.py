"""
The cases in the admin: to look things up, correct a typo and see the field
history. The stage moves only on the case page, through the transition
table, so that every move is recorded on the timeline.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ChangesPages

from .models import CaseEvent, Delivery, OptOutRequest


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = [
        "recipient",
        "recipient_name",
        "method",
        "sent_on",
        "reference",
        "received_on",
        "received_by",
    ]
    readonly_fields = ["recipient", "method", "sent_on"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["occurred_on", "kind", "summary", "actor", "source", "is_public"]
    readonly_fields = ["occurred_on", "kind", "actor"]
    ordering = ["occurred_on", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # timeline entries are added on the case page


@admin.register(OptOutRequest)
class OptOutRequestAdmin(ChangesPages, SimpleHistoryAdmin):
    page_kinds = ("cases",)
    list_display = ["jurisdiction", "stage", "opened_on", "requesting_official", "outcome"]
    list_filter = ["stage", "outcome", "requesting_body", "jurisdiction__state"]
    list_select_related = ["jurisdiction", "jurisdiction__state"]
    search_fields = ["jurisdiction__name", "requesting_official", "reasons"]
    date_hierarchy = "opened_on"
    autocomplete_fields = ["jurisdiction"]
    readonly_fields = [
        "stage",
        "stage_entered_at",
        "closed_on",
        "outcome",
        "outcome_new_activation",
        "reopens",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [DeliveryInline, CaseEventInline]

    def has_add_permission(self, request):
        return False  # a case is filed on the site, where the notice is recorded

    def has_delete_permission(self, request, obj=None):
        return False  # the record of a request is kept

    def save_model(self, request, obj, form, change):
        obj.version += 1  # an open case page now refuses a stale form
        super().save_model(request, obj, form, change)


@admin.register(CaseEvent)
class CaseEventAdmin(ChangesPages, admin.ModelAdmin):
    page_kinds = ("cases",)
    list_display = ["occurred_on", "request", "kind", "is_public", "actor"]
    list_filter = ["kind", "is_public"]
    list_select_related = ["request__jurisdiction", "actor"]
    search_fields = ["summary", "source", "request__jurisdiction__name"]
    readonly_fields = ["request", "kind", "from_stage", "to_stage", "actor", "recorded_at"]

    def has_add_permission(self, request):
        return False
