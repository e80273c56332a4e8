import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from jurisdictions.services import directory_load_census
from optouts import tally
from optouts.models import CaseEvent, Delivery, OptOutRequest, Outcome, Stage

pytestmark = pytest.mark.django_db


def _big_world():
    """Every US county (about 3,200) and 10,000 cases, written in bulk."""
    directory_load_census()
    rng = random.Random(7)
    today = timezone.localdate()
    ids = list(Jurisdiction.objects.values_list("id", flat=True))
    statuses = Jurisdiction.PlanStatus.values
    rng.shuffle(ids)
    for n in range(20):  # twenty groups: a few UPDATEs instead of one per county
        status = statuses[n % len(statuses)]
        Jurisdiction.objects.filter(id__in=ids[n::20]).update(
            plan_status=status,
            scheduled_activation=today + datetime.timedelta(days=30 * n - 400),
            actual_activation=today - datetime.timedelta(days=20 * n + 1)
            if status == "activated"
            else None,
        )
    stages = list(Stage)
    cases = []
    for i in range(10_000):
        stage = rng.choice(stages)
        opened = today - datetime.timedelta(days=rng.randint(0, 900))
        cases.append(
            OptOutRequest(
                jurisdiction_id=rng.choice(ids),
                stage=stage,
                requesting_official=f"Sheriff {i}",
                opened_on=opened,
                stage_entered_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 90)),
                outcome=rng.choice(Outcome.values) if stage == Stage.RESOLVED else "",
                outcome_new_activation=today if stage == Stage.RESOLVED else None,
                closed_on=opened + datetime.timedelta(days=30)
                if stage in (Stage.RESOLVED, Stage.WITHDRAWN)
                else None,
            )
        )
    cases = OptOutRequest.objects.bulk_create(cases, batch_size=2000)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(request=c, kind="stage", to_stage=c.stage, summary=f"Moved {c.pk}")
            for c in cases[:1000]
        ],
        batch_size=2000,
    )
    Delivery.objects.bulk_create(
        [
            Delivery(request=c, recipient="sib", recipient_name="SIB", method="fax", sent_on=today)
            for c in cases
            if c.stage == Stage.WITHDRAWN
        ][:500],
        batch_size=2000,
    )
    # Written in bulk, without the signals that count them, as the loaders do.
    tally.rebuild()


def test_home_and_map_keep_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        small = client.get(reverse("home"))
    assert small.status_code == 200
    _big_world()
    with django_assert_max_num_queries(9):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        body.count('<a href="/cases/') >= 20
    )  # the longest waiting and the activated while pending
    with django_assert_max_num_queries(3):
        response = client.get(reverse("public:map"))
    body = response.content.decode()
    assert body.count('<a href="/jurisdictions/') > 3000
    assert 'class="c-pending"' in body and 'class="c-removed"' in body


def test_the_home_page_shows_where_things_stand(client, public_case, draft_case):
    jurisdiction = public_case.jurisdiction
    jurisdiction.actual_activation = timezone.localdate() - datetime.timedelta(days=1)
    jurisdiction.save()
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert 'id="open-total">1<' in body  # the public case only: a draft is not counted
    assert 'id="awp-total">1<' in body
    assert "Marker County, XQ" in body
    assert "Sheriff Draft" not in body
    assert "activity-chart" in body
    assert "{# needs attention #}" not in body


def test_a_signed_in_user_sees_the_filing_button(client, staff_user):
    client.force_login(staff_user)
    assert "File an opt-out notice" in client.get(reverse("home")).content.decode()


def test_the_data_page_links_every_feed_and_export(
    client, public_case, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        body = client.get(reverse("public:data")).content.decode()
    for url in ("/feeds/events.atom", "/cases.csv", "/calendar.ics", "/api/cases/", "/api/schema/"):
        assert url in body
    assert "/feeds/states/XQ.atom" in body
