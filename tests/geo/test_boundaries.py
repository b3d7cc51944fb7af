"""A boundary is checked on import, and one broken stored boundary never breaks a map page for everyone."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.geo.models import Area
from apps.geo.svg import boundaries_svg
from core.geometry import GeometryError, boundary_rings

pytestmark = pytest.mark.django_db

SQUARE = [[116.0, 39.0], [116.1, 39.0], [116.1, 39.1], [116.0, 39.0]]
BROKEN = [
    {"type": "Polygon", "coordinates": [[["a", "b"], [1, 0], [1, 1], ["a", "b"]]]},
    {"type": "Polygon", "coordinates": [[[0, 1000], [1, 0], [1, 1], [0, 1000]]]},
    {"type": "Polygon", "coordinates": [[[-5000, 0], [1, 0], [1, 1], [-5000, 0]]]},
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]},
    {"type": "Polygon", "coordinates": "nope"},
    {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, None], [1, 1], [0, 0]]]]},
    {"type": "Polygon"},
    ["not", "an", "object"],
]


@pytest.mark.parametrize("geometry", BROKEN)
def test_a_broken_boundary_is_refused(geometry):
    with pytest.raises(GeometryError):
        boundary_rings(geometry)


def test_a_good_boundary_gives_its_rings():
    assert boundary_rings({"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]}) == [
        [tuple(p) for p in SQUARE]] * 2


def test_the_area_import_reports_bad_coordinates_by_line(make_user, api_of):
    commander = make_user("commander", "990100")
    rows = ["code,name_zh,boundary"]
    for i, geometry in enumerate([{"type": "Polygon", "coordinates": [SQUARE]}, *BROKEN[:3]]):
        code = "990107" if i == 0 else f"99010700{i}"
        rows.append(f'{code},区{i},"{json.dumps(geometry).replace(chr(34), chr(34) * 2)}"')
    rows.append('990107004,区4,"{""type"": ""Polygon"", ""coordinates"": [[[NaN, 0], [1, 0], [1, 1], [NaN, 0]]]}"')
    csv = "\n".join(rows).encode()
    report = api_of(commander).post("/api/areas/import", {"file": SimpleUploadedFile("a.csv", csv)}).json()
    assert report["saved_rows"] == 1
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "boundary"), (4, "boundary"),
                                                                   (5, "boundary"), (6, "boundary")]
    assert not Area.objects.filter(code__startswith="9901070").exists()


def test_the_svg_skips_a_broken_stored_boundary():
    good = ("990101", "一区", {"type": "Polygon", "coordinates": [SQUARE]})
    svg = boundaries_svg([good, *[("990102", "二区", g) for g in BROKEN]])
    assert svg.count("<path") == 1


def test_every_map_page_survives_a_broken_stored_boundary(make_user, client_of, api_of):
    commander = make_user("commander", "990100")
    for role in ("economic_officer", "district_officer"):
        commander.grants.create(role=role, area_id="990100")
    Area.objects.filter(code="990101").update(boundary=BROKEN[0])
    Area.objects.filter(code="990102").update(boundary=BROKEN[1])
    client = client_of(commander)
    for url in ("/areas/", "/epi/", "/projects/map/", "/codes/counts/", "/enterprises/dashboard/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert api_of(commander).get("/api/projects/map.svg").status_code == 200
