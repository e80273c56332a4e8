from django.contrib import admin

from .models import Follow, FollowNotice


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["email", "case", "jurisdiction", "state", "created_at", "confirmed_at"]
    list_filter = ["confirmed_at", "state"]
    search_fields = ["email"]
    list_select_related = ["case__jurisdiction__state", "jurisdiction__state", "state"]
    raw_id_fields = ["case", "jurisdiction"]
    readonly_fields = ["created_at", "confirmation_sent_at", "confirmed_at"]


@admin.register(FollowNotice)
class FollowNoticeAdmin(admin.ModelAdmin):
    list_display = ["email", "event", "created_at", "sent_at"]
    search_fields = ["email"]
    list_select_related = ["event"]
    raw_id_fields = ["follow", "event"]
