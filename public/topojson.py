"""
County shapes for the map, from the TopoJSON shipped in public/data/
(us-atlas' counties-albers-10m.json, gzip-compressed: already projected to a
975 × 610 frame; see public/data/SOURCE.md, and scripts/map-shapes to make it
again).

TopoJSON stores each border once, as an "arc": a list of quantized points,
each a delta from the one before. A county is a list of rings, each ring a
list of arc indices (a negative index ~i is arc i reversed). Decoding is:
add up the deltas, apply the transform, and join a ring's arcs, dropping the
first point of every arc after the first (it repeats the last one).

The result (an SVG path per FIPS code) is computed once per file and kept
in memory: the geometry never changes between requests, only the colours.
"""

import functools
import gzip
import json
from pathlib import Path

from django.conf import settings

WIDTH = 975
HEIGHT = 610
COUNTIES_FILE = Path(__file__).resolve().parent / "data" / "counties-albers-10m.json.gz"


class AtlasMissing(Exception):
    """The county shapes cannot be read; the page shows the table alone."""


def counties_file() -> Path:
    """The shipped shapes; the setting SCOMM_COUNTY_SHAPES points elsewhere (tests)."""
    return Path(getattr(settings, "SCOMM_COUNTY_SHAPES", COUNTIES_FILE))


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as a list of (x, y) points in the frame's coordinates."""
    transform = topology.get("transform")
    arcs = []
    if transform:
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        for arc in topology["arcs"]:
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
            arcs.append(points)
    else:
        for arc in topology["arcs"]:
            arcs.append([(p[0], p[1]) for p in arc])
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list:
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def _path(rings: list[list[tuple[float, float]]], *, closed: bool = True) -> str:
    """
    An SVG path in tenths of a pixel: an absolute first point, then relative
    steps (about a third shorter than absolute ones), points that round to
    the same spot dropped.
    """
    parts = []
    for points in rings:
        tenths = []
        for x, y in points:
            here = (round(x * 10), round(y * 10))
            if not tenths or here != tenths[-1]:
                tenths.append(here)
        if len(tenths) < (4 if closed else 2):
            continue  # a ring that rounds to a point or a line draws nothing
        (x0, y0), steps = tenths[0], []
        for (ax, ay), (bx, by) in zip(tenths, tenths[1:], strict=False):
            steps.append(f"{(bx - ax) / 10:+g}{(by - ay) / 10:+g}")
        parts.append(f"M{x0 / 10:g} {y0 / 10:g}l" + "".join(steps) + ("z" if closed else ""))
    return "".join(parts)


def topology_paths(topology: dict, object_name: str) -> dict[str, str]:
    """The SVG path of every feature of one object, keyed by its id."""
    arcs = decode_arcs(topology)
    result = {}
    for geometry in topology["objects"][object_name]["geometries"]:
        rings = [ring_points(ring, arcs) for polygon in _polygons(geometry) for ring in polygon]
        path = _path(rings)
        if path and geometry.get("id") is not None:
            result[str(geometry["id"])] = path
    return result


def topology_mesh(topology: dict, object_name: str) -> str:
    """Every border of an object drawn once (for state lines over the counties)."""
    arcs = decode_arcs(topology)
    used = set()
    for geometry in topology["objects"][object_name]["geometries"]:
        for polygon in _polygons(geometry):
            for ring in polygon:
                used.update(i if i >= 0 else ~i for i in ring)
    return _path([arcs[i] for i in sorted(used)], closed=False)


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime: float) -> dict:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        topology = json.load(fh)
    return {
        "counties": topology_paths(topology, "counties"),
        "states": topology_mesh(topology, "states") if "states" in topology["objects"] else "",
        "names": {
            str(g["id"]): g.get("properties", {}).get("name", "")
            for g in topology["objects"]["counties"]["geometries"]
            if g.get("id") is not None
        },
    }


# Files found broken in this process: (path, mtime) -> why.
_broken: dict[tuple[str, float], str] = {}


def _missing(path) -> AtlasMissing:
    return AtlasMissing(
        f"The county shapes ({path.name}) are missing. scripts/map-shapes makes them again."
    )


def county_shapes() -> dict:
    """
    {"counties": {fips: path}, "states": path, "names": {fips: name}}, read
    once per file version. Raises AtlasMissing when the file is missing or broken.
    """
    path = counties_file()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise _missing(path) from None
    try:
        return _load(str(path), mtime)
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        _broken[(str(path), mtime)] = f"The county shapes could not be read: {exc}."
        raise AtlasMissing(_broken[(str(path), mtime)]) from None


def shapes_problem() -> str:
    """
    Why the map cannot be drawn, without reading the shapes (a quarter of a
    second and 16 MB per process): "" while their file is there and was not
    found broken by this process.
    """
    path = counties_file()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return str(_missing(path))
    return _broken.get((str(path), mtime), "")
