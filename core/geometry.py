"""Area boundaries as GeoJSON Polygon/MultiPolygon: checked on the way in, read defensively on the way out."""

from __future__ import annotations

import math
from typing import Any

Ring = list[tuple[float, float]]


class GeometryError(ValueError):
    pass


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise GeometryError("a position must be [longitude, latitude]")
    lon, lat = value[0], value[1]
    for v in (lon, lat):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise GeometryError("coordinates must be finite numbers")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeometryError("a longitude lies in [-180, 180] and a latitude in [-90, 90]")
    return float(lon), float(lat)


def _polygon(value: Any) -> list[Ring]:
    if not isinstance(value, list) or not value:
        raise GeometryError("a polygon is a list of rings")
    rings = []
    for ring in value:
        if not isinstance(ring, list) or len(ring) < 4:
            raise GeometryError("a ring has at least four positions")
        rings.append([_position(p) for p in ring])
    return rings


def boundary_rings(geometry: Any) -> list[Ring]:
    """Every ring of a Polygon or MultiPolygon; GeometryError for anything else or any bad coordinate."""
    if not isinstance(geometry, dict):
        raise GeometryError("a boundary is a GeoJSON object")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return _polygon(coordinates)
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise GeometryError("a MultiPolygon is a list of polygons")
        return [ring for polygon in coordinates for ring in _polygon(polygon)]
    raise GeometryError("a boundary must be a GeoJSON Polygon or MultiPolygon")


def drawable_rings(geometry: Any) -> list[Ring]:
    """The rings of a stored boundary, or none if it is broken: one bad row must not break a map for everyone."""
    try:
        return boundary_rings(geometry)
    except GeometryError:
        return []
