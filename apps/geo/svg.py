"""Draw area boundaries as an inline SVG: maps without external tiles, safe to embed in a page."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.geometry import Ring, drawable_rings


def _rings(geometry: Any) -> list[Ring]:
    return drawable_rings(geometry)  # a broken stored boundary is skipped, never a 500 on every map page


@dataclass(frozen=True, slots=True)
class Marker:
    """A point drawn over the areas (a venue, a site): longitude, latitude, hover text, link, colour."""

    lon: float
    lat: float
    title: str
    href: str
    fill: str = "#1f5fa8"


def boundaries_svg(
    areas: Iterable[tuple[str, str, Mapping[str, Any] | None]],
    *,
    fills: Mapping[str, str] | None = None,
    link: str = "/areas/{code}/",
    width: int = 640,
    markers: Iterable[Marker] = (),
    notes: Mapping[str, str] | None = None,
) -> SafeString:
    """One <path> per area, linked to its page; `fills` colours areas (risk levels, project status);
    `markers` are dots on top, drawn only inside the areas' bounding box; `notes` add a text to an area's name
    (its figure or level: the fill colour is never the only carrier of it)."""
    shapes = [(code, name, rings) for code, name, g in areas if g and (rings := _rings(g))]
    points = [pt for _, _, rings in shapes for ring in rings for pt in ring]
    if not points:
        return mark_safe("")  # noqa: S308 - a constant empty string
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    span = max(maxx - minx, maxy - miny) or 1.0
    scale = width / span
    height = int((maxy - miny) * scale) + 2
    parts = []
    for code, name, rings in shapes:
        d = " ".join(
            "M" + " L".join(f"{(x - minx) * scale:.1f},{(maxy - y) * scale:.1f}" for x, y in ring) + " Z"
            for ring in rings
        )
        fill = (fills or {}).get(code, "#dbe7f3")
        said = f"{code} {name}" + (f" · {note}" if (note := (notes or {}).get(code)) else "")
        parts.append(
            format_html(
                '<a href="{}" aria-label="{}"><path d="{}" fill="{}" stroke="#345" stroke-width="1"><title>{}</title>'
                "</path></a>",
                link.format(code=code),
                said,
                d,
                fill,
                said,
            )
        )
    for m in markers:
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in (m.lon, m.lat)):
            continue
        if not (minx <= m.lon <= maxx and miny <= m.lat <= maxy):
            continue
        parts.append(
            format_html(
                '<a href="{}" aria-label="{}"><circle class="marker" cx="{}" cy="{}" r="3.5" fill="{}" stroke="#fff" '
                'stroke-width="1"><title>{}</title></circle></a>',
                m.href,
                m.title,
                f"{(m.lon - minx) * scale:.1f}",
                f"{(maxy - m.lat) * scale:.1f}",
                m.fill,
                m.title,
            )
        )
    svg = (
        # A group, not an image: an image's children are presentational, and these hold links (nested-interactive).
        f'<svg class="map" viewBox="0 0 {width + 2} {height}" role="group" aria-label="{escape(_("Map of the areas"))}" '
        f'xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every interpolated value went through format_html
