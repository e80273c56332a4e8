"""
Pages of long lists, sorted on their keys alone.

A page of 50 cases out of 100,000 sorted as a whole drags every row's
columns, joins and annotations through the sort. Here the database sorts
only the primary keys (and what the order reads), keeps the page's keys, and
fetches the rows of those alone, in the same order: one query still, whose
cost is the sort of narrow rows.
"""

from functools import cached_property

from django.core.paginator import Paginator


class KeysFirstPaginator(Paginator):
    """
    A Paginator over a queryset with a total order (its last key unique): the
    page's rows are read by their keys, chosen in a subquery of the same
    filters and order.

    `keys`, when given, is the same list without what only the rows show
    (annotations that join other tables), for choosing and counting the
    keys; `count`, when the caller knows it, spares the count.
    """

    def __init__(self, object_list, per_page, *, keys=None, count=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.keys = object_list if keys is None else keys
        self.known_count = count

    @cached_property
    def count(self):
        if self.known_count is not None:
            return self.known_count
        return self.keys.count()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.keys.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)
