"""
The map and the chart, drawn on the server as inline SVG: no script, no
third-party code in the page, colours from static/css/public.css by class.
"""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import topojson
from .selectors import MapStatus


def county_map(rows: list[dict], *, title_id: str = "map-title") -> SafeString:
    """
    Every county of the atlas, coloured by its jurisdiction's status and
    linking to its page. Raises topojson.AtlasMissing without the shapes.
    """
    shapes = topojson.county_shapes()
    by_fips = {row["fips"]: row for row in rows}
    detail = reverse("jurisdictions:detail", args=[0])[: -len("0/")]
    parts = [
        f'<svg class="county-map" viewBox="0 0 {topojson.WIDTH} {topojson.HEIGHT}" '
        f'aria-labelledby="{title_id}" focusable="false">'
    ]
    unlinked = []
    for fips, path in shapes["counties"].items():
        row = by_fips.get(fips)
        if row is None:
            unlinked.append(f'<path class="c-none" d="{path}"/>')
            continue
        label = escape(f"{row['name']}, {row['postal_code']}: {MapStatus.LABELS[row['status']]}")
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
    MapStatus.NOT_SCHEDULED: "#e3e6ea",
    MapStatus.SCHEDULED: "#8fb9e0",
    MapStatus.ACTIVATED: "#e8a33d",
    MapStatus.PENDING: "#b3261e",
    MapStatus.REMOVED: "#2e7d4f",
    None: "#f6f7f8",
}


def county_map_image(rows: list[dict]) -> str:
    """
    The county map as a standalone SVG document for an <img>: one path per
    status (no links, no names), a fraction of the inline map's weight and
    kept by the browser. Raises topojson.AtlasMissing without the shapes.
    """
    shapes = topojson.county_shapes()
    status_of = {row["fips"]: row["status"] for row in rows}
    by_status: dict = {status: [] for status in IMAGE_FILLS}
    for fips, path in shapes["counties"].items():
        by_status[status_of.get(fips)].append(path)
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


def activity_chart(rows: list[dict]) -> SafeString:
    """
    Two bar rows on one time axis: jurisdictions activated per month above,
    opt-out requests filed per month below, each with its own scale (they
    differ by orders of magnitude), labelled with its peak.
    """
    if not rows:
        return mark_safe("")  # nosec B308 B703
    width, left, right = 720, 8, 8
    band, gap, axis = 90, 34, 22
    height = 20 + band + gap + band + axis
    step = (width - left - right) / len(rows)
    bar = max(step * 0.75, 1)
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
            f'<text class="chart-label" x="{left}" y="{top - 6}">{label} '
            f"(highest month: {max(r[key] for r in rows)})</text>"
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
                f'width="{bar:.1f}" height="{h:.1f}"><title>{r["month"]:%B %Y}: '
                f"{r[key]} {label.lower()}</title></rect>"
            )
    baseline = 20 + band + gap + band + 16
    years_seen = set()
    for i, r in enumerate(rows):
        month = r["month"]
        if month.month == 1 or (i == 0 and month.month <= 9):
            if month.year in years_seen:
                continue
            years_seen.add(month.year)
            x = left + i * step
            parts.append(
                f'<text class="chart-axis" x="{x:.1f}" y="{baseline}">{month:%b %Y}</text>'
            )
    parts.append("</svg>")
    # Numbers and fixed labels only.
    return mark_safe("".join(parts))  # nosec B308 B703
