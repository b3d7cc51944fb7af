"""Interactive area maps: the stored boundaries as GeoJSON for ECharts, with the SVG and a table as fallbacks.

A page builds an `AreaMap` and writes `{{ map }}`: the include `geo/_area_map.html` puts the data in a
`<script type="application/json">` block that `static/js/area-map.js` reads (no inline script, no tiles
from outside), keeps the server-drawn SVG for readers without JavaScript, and a table of the same figures.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from apps.geo.models import Area
from apps.geo.svg import Marker, _rings, boundaries_svg

_ids = itertools.count(1)


@dataclass
class AreaMap:
    """What one map page shows: areas with names, an optional value and colour each, and dots on top."""

    areas: list[tuple[str, str, Mapping[str, Any]]]
    values: Mapping[str, Any] = field(default_factory=dict)
    fills: Mapping[str, str] = field(default_factory=dict)
    value_label: str = ""
    link: str = "?area={code}"
    markers: list[Marker] = field(default_factory=list)
    table: bool = True
    svg: SafeString | None = None  # the fallback drawing; boundaries_svg() of the same areas by default
    element_id: str = field(default_factory=lambda: f"area-map-{next(_ids)}")

    def __bool__(self) -> bool:
        return bool(self.areas)

    def data(self) -> dict[str, Any]:
        """The JSON the script reads: a FeatureCollection keyed by area code, plus values, colours and links."""
        features = [
            {"type": "Feature", "properties": {"name": code, "label": name}, "geometry": geometry}
            for code, name, geometry in self.areas
        ]
        return {
            "geojson": {"type": "FeatureCollection", "features": features},
            "areas": [
                {
                    "code": code,
                    "name": name,
                    "value": _plain(self.values.get(code)),
                    "fill": self.fills.get(code),
                    "href": self.link.format(code=code) if self.link else "",
                }
                for code, name, _ in self.areas
            ],
            "valueLabel": str(self.value_label),
            "markers": [
                {"lon": m.lon, "lat": m.lat, "title": m.title, "href": m.href, "fill": m.fill}
                for m in self.markers
            ],
        }

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"code": code, "name": name, "value": self.values.get(code), "href": self.link.format(code=code)}
            for code, name, _ in self.areas
        ]

    def __html__(self) -> str:
        if not self.areas:
            return ""
        if self.svg is None:
            notes = {c: f"{self.value_label}: {v}" for c, v in self.values.items() if v is not None}
            self.svg = boundaries_svg(
                self.areas, fills=self.fills, link=self.link, markers=self.markers, notes=notes
            )
        return render_to_string("geo/_area_map.html", {"m": self})

    def __str__(self) -> str:
        return self.__html__()


def _plain(value: Any) -> Any:
    """Numbers stay numbers for the chart; anything else (lazy translations) becomes text."""
    return value if value is None or isinstance(value, int | float) else str(value)


def area_map(
    areas: Iterable[tuple[str, str, Mapping[str, Any] | None]],
    *,
    values: Mapping[str, Any] | None = None,
    fills: Mapping[str, str] | None = None,
    value_label: str = "",
    link: str = "?area={code}",
    markers: Iterable[Marker] = (),
    table: bool = True,
    svg: SafeString | None = None,
) -> AreaMap:
    """Areas without a drawable boundary are left out (they would break the projection)."""
    drawable = [(str(code), str(name), g) for code, name, g in areas if g and _rings(g)]
    drawable.sort(key=lambda a: a[0])
    if drawable and translation.get_language() == "en":
        # Callers pass the Chinese names; an English page labels its areas in English where one is stored.
        english = dict(
            Area.objects.filter(code__in=[a[0] for a in drawable])
            .exclude(name_en="")
            .values_list("code", "name_en")
        )
        drawable = [(code, english.get(code, name), g) for code, name, g in drawable]
    return AreaMap(
        areas=drawable,
        values=dict(values or {}),
        fills=dict(fills or {}),
        value_label=value_label,
        link=link,
        markers=list(markers),
        table=table,
        svg=svg,
    )
