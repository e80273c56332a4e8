"""
Edits made in the Django admin renew the kept pages that show them.

The admin writes rows without the services, so it says what it changed
itself: a ModelAdmin with ChangesPages names the kinds of page data
(core.pagecache.KINDS) its model's rows are part of.
"""

from . import pagecache


class ChangesPages:
    """A ModelAdmin mixin: every save or delete through it renews `page_kinds`."""

    page_kinds: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pagecache.changed(*self.page_kinds)

    def save_related(self, request, form, formsets, change):
        # The inlines (a state's bureau, a case's timeline) are saved after the row.
        super().save_related(request, form, formsets, change)
        pagecache.changed(*self.page_kinds)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.changed(*self.page_kinds)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.changed(*self.page_kinds)
