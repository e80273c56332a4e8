"""
The map and the chart, drawn on the server as inline SVG: no script, no
third-party code in the page, colours from static/css/public.css by class.
"""

import re

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from optouts.status import JurisdictionStatus

from . import topojson

# Counties renamed since the 2010 census list of the directory: the shapes
# carry the new code, the directory the old one.
FIPS_SINCE_2010 = {
    "46102": "46113",  # Oglala Lakota County, SD, was Shannon County (2015)
    "02158": "02270",  # Kusilvak Census Area, AK, was Wade Hampton (2015)
}


def _row_for(fips: str, by_fips: dict) -> dict | None:
    return by_fips.get(fips) or by_fips.get(FIPS_SINCE_2010.get(fips, ""))


_NUMBER = re.compile(r"[+-]?[0-9.]+")


def _bounds(paths: list[str]) -> tuple[float, float, float, float] | None:
    """The box around paths of public/topojson.py (an absolute M, then relative l steps)."""
    xs, ys = [], []
    for path in paths:
        for ring in path.split("M")[1:]:
            start, _, steps = ring.partition("l")
            x, y = (float(n) for n in start.split())
            xs.append(x)
            ys.append(y)
            numbers = _NUMBER.findall(steps.rstrip("z"))
            for dx, dy in zip(numbers[::2], numbers[1::2], strict=False):
                x += float(dx)
                y += float(dy)
                xs.append(x)
                ys.append(y)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def county_map(
    rows: list[dict], *, title_id: str = "map-title", state_fips: str = ""
) -> SafeString:
    """
    Every county of the atlas, coloured by its jurisdiction's status and
    linking to its page; with `state_fips`, only that state's counties,
    framed to fill the width (counties a finger can tap on a phone). Raises
    topojson.AtlasMissing without the shapes.
    """
    shapes = topojson.county_shapes()
    counties = shapes["counties"]
    if state_fips:
        counties = {f: p for f, p in counties.items() if f.startswith(state_fips)}
    box = _bounds(list(counties.values())) if state_fips else None
    if box:
        pad = max(box[2] - box[0], box[3] - box[1]) * 0.02
        view = (
            f"{box[0] - pad:.1f} {box[1] - pad:.1f} "
            f"{box[2] - box[0] + 2 * pad:.1f} {box[3] - box[1] + 2 * pad:.1f}"
        )
    else:
        view = f"0 0 {topojson.WIDTH} {topojson.HEIGHT}"
    by_fips = {row["fips"]: row for row in rows}
    detail = reverse("jurisdictions:detail", args=[0])[: -len("0/")]
    css_class = "county-map state-map" if box else "county-map"
    parts = [
        f'<svg class="{css_class}" viewBox="{view}" aria-labelledby="{title_id}" focusable="false">'
    ]
    unlinked = []
    for fips, path in counties.items():
        row = _row_for(fips, by_fips)
        if row is None:
            unlinked.append(f'<path class="c-none" d="{path}"/>')
            continue
        label = escape(
            f"{row['name']}, {row['postal_code']}: {JurisdictionStatus(row['status']).label}"
        )
        parts.append(
            f'<a href="{detail}{row["id"]}/" class="c-{row["status"]}" data-fips="{fips}">'
            f'<title>{label}</title><path d="{path}"/></a>'
        )
    parts.append('<g aria-hidden="true">' + "".join(unlinked) + "</g>")
    if shapes["states"]:
        parts.append(f'<path class="state-lines" aria-hidden="true" d="{shapes["states"]}"/>')
    parts.append("</svg>")
    # Every name is escaped above; the rest are numbers and fixed class names.
    return mark_safe("".join(parts))  # nosec B308 B703


# The colours of static/css/public.css, for the map drawn as an image (an
# image cannot read the page's stylesheet).
IMAGE_FILLS = {
    JurisdictionStatus.NOT_SCHEDULED: "#e3e6ea",
    JurisdictionStatus.SCHEDULED: "#8fb9e0",
    JurisdictionStatus.POSTPONED: "#c9b3e6",
    JurisdictionStatus.ACTIVATED: "#e8a33d",
    JurisdictionStatus.PENDING: "#b3261e",
    JurisdictionStatus.REMOVED: "#2e7d4f",
    None: "#f6f7f8",
}


def county_map_image(rows: list[dict]) -> str:
    """
    The county map as a standalone SVG document for an <img>: one path per
    status (no links, no names), a fraction of the inline map's weight and
    kept by the browser. Raises topojson.AtlasMissing without the shapes.
    """
    shapes = topojson.county_shapes()
    by_fips = {row["fips"]: row for row in rows}
    by_status: dict = {status: [] for status in IMAGE_FILLS}
    for fips, path in shapes["counties"].items():
        row = _row_for(fips, by_fips)
        by_status[row["status"] if row else None].append(path)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {topojson.WIDTH} {topojson.HEIGHT}" '
        f'width="{topojson.WIDTH}" height="{topojson.HEIGHT}">'
        '<g stroke="#ffffff" stroke-width=".25" stroke-linejoin="round">'
    ]
    for status, paths in by_status.items():
        if paths:
            parts.append(f'<path fill="{IMAGE_FILLS[status]}" d="{"".join(paths)}"/>')
    parts.append("</g>")
    if shapes["states"]:
        parts.append(
            f'<path fill="none" stroke="#4a5360" stroke-width=".6" d="{shapes["states"]}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _period_label(row: dict) -> str:
    """How a bar's period reads in its tooltip: a month, a quarter, a half-year or years."""
    start, months = row["month"], row.get("months", 1)
    if months == 1:
        return f"{start:%B %Y}"
    if months == 3:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if months == 6:
        return f"{'First' if start.month == 1 else 'Second'} half of {start.year}"
    if months == 12:
        return str(start.year)
    return f"{start.year}–{start.year + months // 12 - 1}"


def activity_chart(rows: list[dict]) -> SafeString:
    """
    Two bar rows on one time axis: jurisdictions activated per period above,
    opt-out requests filed per period below, each with its own scale (they
    differ by orders of magnitude), labelled with its peak. The axis names
    the years, as many as fit without overlapping.
    """
    if not rows:
        return mark_safe("")  # nosec B308 B703
    width, left, right = 720, 8, 8
    band, gap, axis = 90, 34, 22
    height = 20 + band + gap + band + axis
    step = (width - left - right) / len(rows)
    bar = max(step * 0.75, 1)
    months = rows[0].get("months", 1)
    per = {1: "month", 3: "quarter", 6: "half-year", 12: "year"}.get(months, "period")
    parts = [
        f'<svg class="activity-chart" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="chart-title chart-desc">'
    ]
    series = [
        ("activations", "Jurisdictions activated", 20),
        ("requests", "Opt-out requests filed", 20 + band + gap),
    ]
    for key, label, top in series:
        peak = max(r[key] for r in rows) or 1
        parts.append(
            f'<text class="chart-label" x="{left}" y="{top - 6}">{label} per {per} '
            f"(highest: {max(r[key] for r in rows)})</text>"
        )
        parts.append(
            f'<line class="chart-base" x1="{left}" x2="{width - right}" '
            f'y1="{top + band}" y2="{top + band}"/>'
        )
        for i, r in enumerate(rows):
            if not r[key]:
                continue
            h = max(band * r[key] / peak, 1.5)
            x = left + i * step + (step - bar) / 2
            parts.append(
                f'<rect class="bar-{key}" x="{x:.1f}" y="{top + band - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}"><title>{_period_label(r)}: '
                f"{r[key]} {label.lower()}</title></rect>"
            )
    baseline = 20 + band + gap + band + 16
    # A year label is about 34 units wide: label every year, or every 2nd, 5th, 10th.
    years = {r["month"].year for r in rows}
    per_year = step * 12 / months
    every = next((n for n in (1, 2, 5, 10, 20) if per_year * n >= 40), 50)
    for i, r in enumerate(rows):
        month = r["month"]
        starts_year = month.month == 1 or i == 0
        if not starts_year or month.year % every and len(years) > 1:
            continue
        if i == 0 and month.month > 9 and len(rows) > 1:
            continue  # too late in its year: the next January is labelled instead
        x = left + i * step
        if x > width - right - 34:
            continue  # would run off the right edge
        parts.append(f'<text class="chart-axis" x="{x:.1f}" y="{baseline}">{month.year}</text>')
    parts.append("</svg>")
    # Numbers and fixed labels only.
    return mark_safe("".join(parts))  # nosec B308 B703
