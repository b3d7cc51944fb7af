"""Browser helpers for the ECharts area maps (static/js/area-map.js): read what a map drew and click on it."""

from __future__ import annotations

import time
from typing import Any

_CHART = "echarts.getInstanceByDom(document.querySelector('figure[data-area-map] .area-map-canvas'))"


def wait_for_map(page: Any) -> dict[str, Any]:
    """Wait until the first map on the page is drawn; return its series data and whether the canvas has pixels."""
    # A polling loop through page.evaluate: page.wait_for_function uses eval(), which our CSP refuses.
    deadline = time.monotonic() + 15
    while not page.evaluate(f"() => !!(window.echarts && {_CHART} && {_CHART}.getOption().series.length > 0)"):
        assert time.monotonic() < deadline, "the map was not drawn within 15 s"
        page.wait_for_timeout(100)
    return page.evaluate(
        f"""() => {{
            const chart = {_CHART};
            const option = chart.getOption();
            const canvas = document.querySelector('figure[data-area-map] canvas');
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) {{ if (pixels[i] > 0) painted++; }}
            return {{
                areas: option.series[0].data.map(d => ({{name: d.name, value: d.value}})),
                markers: option.series[1].data.length,
                painted: painted,
                svgHidden: document.querySelector('figure[data-area-map] .area-map-fallback').hidden,
            }};
        }}"""
    )


def click_at(page: Any, lon: float, lat: float) -> None:
    """Click the map at a longitude/latitude (an area's inside, or a marker)."""
    box = page.locator("figure[data-area-map] .area-map-canvas").bounding_box()
    x, y = page.evaluate(f"([lon, lat]) => {_CHART}.convertToPixel({{geoIndex: 0}}, [lon, lat])", [lon, lat])
    page.mouse.click(box["x"] + x, box["y"] + y)


def inside(boundary: dict[str, Any]) -> tuple[float, float]:
    """A point inside a (convex, as the demo city's) polygon: the mean of its outer ring."""
    ring = boundary["coordinates"][0] if boundary["type"] == "Polygon" else boundary["coordinates"][0][0]
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
