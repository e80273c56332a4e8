from django.contrib import admin

from core import peruser
from core.admin import ChangesPages

from . import selectors
from .models import (
    Notification,
    Reminder,
    ReminderPreference,
    ReminderRule,
    ReminderSnooze,
    SweepRun,
)


@admin.register(ReminderRule)
class ReminderRuleAdmin(ChangesPages, admin.ModelAdmin):
    # A rule decides which cases "Needs your attention" lists.
    page_kinds = ("cases",)

    list_display = [
        "name",
        "stage",
        "anchor",
        "before",
        "days",
        "business_days",
        "repeat_every",
        "is_urgent",
        "is_active",
    ]
    list_editable = ["is_active"]
    list_filter = ["is_active", "is_urgent", "anchor", "stage"]
    readonly_fields = ["code"]
    fieldsets = [
        (None, {"fields": ["code", "name", "message", "is_urgent", "is_active", "position"]}),
        (
            "When",
            {"fields": ["stage", "anchor", "before", "days", "business_days", "repeat_every"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # sent reminders keep their rule; turn a rule off instead


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["rule", "case", "due_on", "status", "sent_at", "recipient_count"]
    list_filter = ["status", "rule"]
    list_select_related = ["rule", "case__jurisdiction__state"]
    date_hierarchy = "due_on"
    raw_id_fields = ["case"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ReminderSnooze)
class ReminderSnoozeAdmin(admin.ModelAdmin):
    list_display = ["case", "rule", "until", "reason", "created_by", "cancelled_at"]
    list_select_related = ["case__jurisdiction__state", "rule", "created_by"]
    raw_id_fields = ["case", "created_by"]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "delivery", "updated_at"]
    list_filter = ["delivery"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        peruser.changed(selectors.PREFERENCE, [obj.user_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        peruser.changed(selectors.PREFERENCE, [obj.user_id])

    def delete_queryset(self, request, queryset):
        users = list(queryset.values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)
        peruser.changed(selectors.PREFERENCE, users)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "reminder", "created_at", "read_at", "emailed_at"]
    list_select_related = ["user", "reminder__rule"]
    raw_id_fields = ["user", "reminder"]


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    """When the reminders sweep last ran, and what it found: written by the sweep alone."""

    list_display = ["finished_at", "swept_for", "due_count", "queued_count", "seconds"]
    date_hierarchy = "finished_at"
    readonly_fields = [f.name for f in SweepRun._meta.fields]

    @admin.display(description="seconds")
    def seconds(self, obj):
        return f"{(obj.finished_at - obj.started_at).total_seconds():.1f}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
