"""
The county map: the shapes shipped in public/data/, the clickable map, the
image on the overview, and the page without the shapes.
"""

import pytest
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from public import selectors, topojson

pytestmark = pytest.mark.django_db


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


def test_the_overview_shows_the_map_as_an_image_leading_to_the_full_map(client, public_case):
    body = client.get(reverse("home")).content.decode()
    assert '<a class="county-map-link" href="/map/"><img class="county-map"' in body
    assert 'src="/map.svg?v=' in body
    assert "data-fips=" not in body  # the clickable counties are on /map/ only
    assert len(body) < 60_000


def test_the_map_image_colours_each_county_by_its_status(client, public_case):
    import gzip

    from public.svg import IMAGE_FILLS

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
    settings.SCOMM_COUNTY_SHAPES = tmp_path / "counties.json.gz"
    assert client.get(reverse("public:map_svg")).status_code == 404


def test_without_the_atlas_the_page_says_why_and_shows_the_table(
    client, public_case, settings, tmp_path
):
    settings.SCOMM_COUNTY_SHAPES = tmp_path / "counties.json.gz"
    body = client.get(reverse("home")).content.decode()
    assert 'id="map-missing"' in body
    assert "counties.json.gz" in body
    assert "scripts/map-shapes" in body
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


def test_the_shipped_shapes_have_every_county():
    shapes = topojson.county_shapes()
    assert len(shapes["counties"]) > 3100
    assert shapes["counties"]["06075"].startswith("M")
    assert shapes["names"]["06075"] == "San Francisco"
    assert shapes["states"].startswith("M")


def test_the_shapes_ship_with_the_project_compressed():
    path = topojson.COUNTIES_FILE
    assert path.parent.name == "data" and path.parent.parent.name == "public"
    assert path.suffix == ".gz"
    assert 100_000 < path.stat().st_size < 400_000
    assert (path.parent / "SOURCE.md").read_text().count("ISC") >= 1


def test_a_plain_json_file_is_read_too(settings, tmp_path):
    import gzip

    plain = tmp_path / "counties.json"
    plain.write_bytes(gzip.decompress(topojson.COUNTIES_FILE.read_bytes()))
    settings.SCOMM_COUNTY_SHAPES = plain
    assert len(topojson.county_shapes()["counties"]) > 3100


def test_a_broken_shapes_file_leaves_the_figures_alone(client, settings, tmp_path):
    broken = tmp_path / "counties.json.gz"
    broken.write_bytes(b"not gzip")
    settings.SCOMM_COUNTY_SHAPES = broken
    with pytest.raises(topojson.AtlasMissing, match="could not be read"):
        topojson.county_shapes()
    body = client.get(reverse("public:map")).content.decode()
    assert 'id="map-missing"' in body


def test_the_overview_links_the_map_without_reading_the_shapes(client, public_case):
    """Reading them costs a quarter of a second and 16 MB per process: the image does it."""
    topojson._load.cache_clear()
    body = client.get(reverse("home")).content.decode()
    assert 'id="map-missing"' not in body and "/map.svg?v=" in body
    assert topojson._load.cache_info().currsize == 0
    client.get(reverse("public:map_svg"))
    assert topojson._load.cache_info().currsize == 1


def test_the_overview_says_when_the_map_cannot_be_drawn(client, settings, tmp_path):
    settings.SCOMM_COUNTY_SHAPES = tmp_path / "counties.json.gz"
    body = client.get(reverse("home")).content.decode()
    assert 'id="map-missing"' in body and "scripts/map-shapes" in body
    # A file found broken once is said to be so too.
    settings.SCOMM_COUNTY_SHAPES.write_bytes(b"not gzip")
    assert 'id="map-missing"' not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("public:map_svg")).status_code == 404
    body = client.get(reverse("home")).content.decode()
    assert 'id="map-missing"' in body and "could not be read" in body


def test_the_overviews_totals_are_the_maps_figures_added_up(client, public_case):
    """The overview counts by status in SQL; the map counts county by county: one answer."""
    import datetime
    import re

    from tests.factories import JurisdictionFactory

    state = public_case.jurisdiction.state
    kinds = [
        {
            "plan_status": Jurisdiction.PlanStatus.ACTIVATED,
            "actual_activation": datetime.date(2010, 6, 8),
        },
        {"plan_status": Jurisdiction.PlanStatus.REMOVED},
        {"plan_status": Jurisdiction.PlanStatus.POSTPONED},
        {"plan_status": Jurisdiction.PlanStatus.NOT_SCHEDULED, "scheduled_activation": None},
        {"plan_status": Jurisdiction.PlanStatus.SCHEDULED},
        {"plan_status": Jurisdiction.PlanStatus.SCHEDULED},
    ]
    for n, kind in enumerate(kinds):
        JurisdictionFactory(state=state, fips=f"770{n + 11}", **kind)
    # No FIPS: on neither table, but its activation is in the chart.
    JurisdictionFactory(
        state=state,
        fips="",
        plan_status=Jurisdiction.PlanStatus.ACTIVATED,
        actual_activation=datetime.date(2010, 6, 8),
    )

    def totals(path):
        body = client.get(path).content.decode()
        row = body.split('id="status-totals"')[1].split("<tbody>")[1].split("</tbody>")[0]
        return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]

    overview, on_map = totals(reverse("home")), totals(reverse("public:map"))
    assert overview == on_map
    # Pending (the case), activated, removed, postponed, not scheduled, scheduled ×2.
    assert sum(overview) == 7 and sorted(overview, reverse=True)[:2] == [2, 1]
    # The same pass over the jurisdictions gives the chart's activations.
    activated = Jurisdiction.objects.filter(actual_activation__isnull=False).count()
    assert activated >= 2
    assert sum(row["activations"] for row in selectors.activity_by_month()) == activated
