import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from jurisdictions.services import directory_load_census
from optouts.models import CaseEvent, Delivery, OptOutRequest, Outcome, Stage
from public import topojson

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
    Jurisdiction.objects.filter(pk=public_case.jurisdiction_id).update(
        actual_activation=timezone.localdate() - datetime.timedelta(days=1)
    )
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


def test_the_map_links_each_county_to_its_page(client, public_case):
    body = client.get(reverse("public:map")).content.decode()
    assert f'<a href="/jurisdictions/{public_case.jurisdiction_id}/" class="c-pending"' not in body
    # FIPS 77001 is not a real county: it is in the table, not on the map.
    Jurisdiction.objects.filter(pk=public_case.jurisdiction_id).update(fips="06075")
    body = client.get(reverse("public:map")).content.decode()
    assert (
        f'<a href="/jurisdictions/{public_case.jurisdiction_id}/" class="c-pending" data-fips="06075">'
        in body
    )
    assert "<title>Marker County, XQ: Opt-out pending</title>" in body


def _atlas_or_skip():
    try:
        topojson.county_shapes()
    except topojson.AtlasMissing:
        pytest.skip("us-atlas is not installed (scripts/setup installs it when npm exists)")


def test_the_overview_shows_the_map_as_an_image_leading_to_the_full_map(client, public_case):
    _atlas_or_skip()
    body = client.get(reverse("home")).content.decode()
    assert '<a class="county-map-link" href="/map/"><img class="county-map"' in body
    assert 'src="/map.svg?v=' in body
    assert "data-fips=" not in body  # the clickable counties are on /map/ only
    assert len(body) < 60_000


def test_the_map_image_colours_each_county_by_its_status(client, public_case):
    import gzip

    from public.svg import IMAGE_FILLS

    _atlas_or_skip()
    Jurisdiction.objects.filter(pk=public_case.jurisdiction_id).update(fips="06075")
    plain = client.get(reverse("public:map_svg") + "?v=1")
    assert plain["Content-Type"] == "image/svg+xml"
    assert plain["Cache-Control"] == "public, max-age=86400"
    body = plain.content.decode()
    assert body.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    pending = IMAGE_FILLS["pending"]
    assert body.count(f'fill="{pending}"') == 1
    san_francisco = topojson.county_shapes()["counties"]["06075"]
    pending_path = body.split(f'fill="{pending}" d="')[1].split('"')[0]
    assert pending_path == san_francisco
    packed = client.get(reverse("public:map_svg") + "?v=1", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2


def test_without_the_atlas_the_map_image_is_not_found(client, settings, tmp_path):
    settings.SCOMM_US_ATLAS_DIR = tmp_path
    assert client.get(reverse("public:map_svg")).status_code == 404


def test_without_the_atlas_the_page_says_why_and_shows_the_table(
    client, public_case, settings, tmp_path
):
    settings.SCOMM_US_ATLAS_DIR = tmp_path
    body = client.get(reverse("home")).content.decode()
    assert 'id="map-missing"' in body
    assert "us-atlas" in body
    assert 'id="status-totals"' in body
    assert "county-map" not in body.split('id="map-missing"')[0].split("map-title")[-1]


def test_the_topojson_decoder_joins_arcs_and_reverses_negative_ones():
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [[[0, 0], [10, 0], [0, 10]], [[10, 10], [-10, 0], [0, -10]]],
        "objects": {
            "counties": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "id": "01001"},
                    {"type": "Polygon", "arcs": [[~1, ~0]], "id": "01003"},
                ],
            }
        },
    }
    arcs = topojson.decode_arcs(topology)
    assert arcs[0] == [(0, 0), (10, 0), (10, 10)]
    assert topojson.ring_points([0, 1], arcs) == [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    assert topojson.ring_points([~1, ~0], arcs)[:3] == [(0, 0), (0, 10), (10, 10)]
    paths = topojson.topology_paths(topology, "counties")
    assert paths["01001"] == "M0 0l+10+0+0+10-10+0+0-10z"


def test_the_real_atlas_has_every_county():
    try:
        shapes = topojson.county_shapes()
    except topojson.AtlasMissing:
        pytest.skip("us-atlas is not installed (scripts/setup installs it when npm exists)")
    assert len(shapes["counties"]) > 3100
    assert shapes["counties"]["06075"].startswith("M")


def test_the_data_page_links_every_feed_and_export(
    client, public_case, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        body = client.get(reverse("public:data")).content.decode()
    for url in ("/feeds/events.atom", "/cases.csv", "/calendar.ics", "/api/cases/", "/api/schema/"):
        assert url in body
    assert "/feeds/states/XQ.atom" in body
