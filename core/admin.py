"""
Edits made in the Django admin renew the kept pages that show them.

The admin writes rows without the services, so it says what it changed
itself: a ModelAdmin with ChangesPages names the kinds of page data
(core.pagecache.KINDS) its model's rows are part of.
"""

from django.db.models import DateField

from . import pagecache
from .forms import date_in_range


class ChangesPages:
    """A ModelAdmin mixin: every save or delete through it renews `page_kinds`."""

    page_kinds: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A date typed in the admin lies in the years the site counts with, as on its pages.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if (
            field is not None
            and isinstance(db_field, DateField)
            and (date_in_range not in field.validators)
        ):
            field.validators.append(date_in_range)
        return field

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
