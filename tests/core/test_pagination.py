"""A page read by its keys holds the same rows, in the same order, as the page sliced whole."""

import datetime

from django.core.paginator import Paginator
from django.utils import timezone

from core.pagination import KeysFirstPaginator
from optouts import selectors
from optouts.filters import ORDERINGS
from tests.factories import JurisdictionFactory, OptOutRequestFactory


def test_every_page_in_every_order_holds_what_the_whole_sort_holds(db, django_assert_num_queries):
    today = timezone.localdate()
    for n in range(11):
        closed = {"outcome": "denied", "closed_on": today} if n % 3 == 1 else {}
        OptOutRequestFactory(
            jurisdiction=JurisdictionFactory(name=f"{'ZYXW'[n % 4]} {n} County"),
            stage=["notice_sent", "resolved", "meeting_requested"][n % 3],
            opened_on=today - datetime.timedelta(days=n % 4),
            **closed,
        )
    for _label, order in ORDERINGS.values():
        cases = selectors.case_list().order_by(*order)
        whole = Paginator(cases, 4, orphans=1)
        keyed = KeysFirstPaginator(cases, 4, orphans=1)
        assert keyed.num_pages == whole.num_pages == 3
        for number in keyed.page_range:
            with django_assert_num_queries(1):
                found = [case.pk for case in keyed.page(number)]
            assert found == [case.pk for case in whole.page(number)]
