import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import JurisdictionFactory, StateFactory, case_with_notice_sent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def cases():
    missouri = StateFactory(postal_code="MO", name="Missouri")
    virginia = StateFactory(postal_code="VA", name="Virginia")
    louis = JurisdictionFactory(state=missouri, name="St. Louis County")
    city = JurisdictionFactory(state=missouri, name="Saint Louis City")
    louisa = JurisdictionFactory(state=virginia, name="Louisa County")
    activated = JurisdictionFactory(
        state=virginia,
        name="Albemarle County",
        actual_activation=TODAY,
        plan_status="activated",
    )
    return {
        "louis": case_with_notice_sent(jurisdiction=louis, requesting_official="Sheriff Hennessey"),
        "city": case_with_notice_sent(jurisdiction=city, reasons="Trust of the community."),
        "louisa": case_with_notice_sent(jurisdiction=louisa),
        "activated": case_with_notice_sent(
            jurisdiction=activated, opened_on=TODAY - datetime.timedelta(days=3)
        ),
    }


def page_ids(client, params) -> set[int]:
    response = client.get(reverse("optouts:list"), params)
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', response.content.decode())}


def api_ids(client, params) -> set[int]:
    response = client.get(reverse("public:api-case-list"), params)
    assert response.status_code == 200, response.content
    return {case["id"] for case in response.json()["results"]}


def test_a_search_by_a_jurisdictions_everyday_name_finds_it_on_the_page_and_in_the_api(
    client, cases
):
    louis = {cases["louis"].pk, cases["city"].pk}
    for text in ("st louis", "St. Louis", "saint louis"):
        assert page_ids(client, {"q": text}) == louis, text
        assert api_ids(client, {"q": text}) == louis, text


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "MO"},
        {"q": "virginia"},
        {"q": "hennessey"},
        {"q": "trust of"},
        {"q": "louis"},
        {"q": "'"},
        {"state": "va"},
        {"stage": "open"},
        {"stage": "resolved"},
        {"state": "VA", "q": "county", "order": "jurisdiction"},
    ],
)
def test_the_page_and_the_api_give_the_same_cases_for_the_same_question(client, cases, params):
    assert page_ids(client, params) == api_ids(client, params)


def test_a_search_that_normalises_to_nothing_does_not_match_everything(client, cases):
    assert api_ids(client, {"q": "'"}) == set()


def test_the_api_reads_true_and_false_and_the_page_a_tick(client, cases):
    activated = {cases["activated"].pk}
    assert api_ids(client, {"activated_while_pending": "true"}) == activated
    assert page_ids(client, {"activated_while_pending": "on"}) == activated
    not_activated = api_ids(client, {"activated_while_pending": "false"})
    assert not_activated == {c.pk for c in cases.values()} - activated


def test_both_lists_sort_the_same_way(client, cases):
    url = reverse("public:api-case-list")
    ordered = [c["id"] for c in client.get(url, {"order": "jurisdiction"}).json()["results"]]
    body = client.get(reverse("optouts:list"), {"order": "jurisdiction"}).content.decode()
    assert [int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', body)] == ordered


def test_an_invalid_filter_is_explained_on_the_page_and_refused_by_the_api(client, cases):
    body = client.get(reverse("optouts:list"), {"stage": "nonsense", "state": "VA"}).content
    assert b"Select a valid choice. nonsense is not one of the available choices." in body
    # The filters that were valid still apply.
    assert page_ids(client, {"stage": "nonsense", "state": "VA"}) == {
        cases["louisa"].pk,
        cases["activated"].pk,
    }
    bad = client.get(
        reverse("public:api-case-list"),
        {"stage": "nonsense", "order": "sideways", "state": "Missouri", "jurisdiction": "x"},
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"stage", "order", "state", "jurisdiction"}
