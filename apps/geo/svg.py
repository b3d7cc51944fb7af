"""Draw area boundaries as an inline SVG: maps without external tiles, safe to embed in a page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _rings(geometry: Mapping[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def boundaries_svg(
    areas: Iterable[tuple[str, str, Mapping[str, Any] | None]],
    *,
    fills: Mapping[str, str] | None = None,
    link: str = "/areas/{code}/",
    width: int = 640,
) -> SafeString:
    """One <path> per area, linked to its page; `fills` colours areas (risk levels, project status)."""
    shapes = [(code, name, _rings(g)) for code, name, g in areas if g]
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
        parts.append(
            format_html(
                '<a href="{}"><path d="{}" fill="{}" stroke="#345" stroke-width="1"><title>{}</title></path></a>',
                link.format(code=code),
                d,
                fill,
                f"{code} {name}",
            )
        )
    svg = (
        f'<svg class="map" viewBox="0 0 {width + 2} {height}" role="img" aria-label="{escape("map")}" '
        f'xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every interpolated value went through format_html
