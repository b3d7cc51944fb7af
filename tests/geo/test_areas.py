"""The area tree: codes by level, import with a per-row report, pages and API."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.geo.models import Area

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_the_expected_tree(city):
    assert Area.objects.filter(level=3).count() == 6
    assert Area.objects.filter(level=4).count() == 40
    assert Area.objects.filter(level=5).count() == 400
    community = Area.objects.get(code="990101001001")
    assert (community.parent_id, community.parent.parent_id) == ("990101001", "990101")
    assert community.boundary["type"] == "Polygon"


def test_children_and_detail_by_api(officer_a, api_of):
    api = api_of(officer_a)
    districts = api.get("/api/areas/", {"parent": "990100"}).json()
    assert [d["code"] for d in districts] == [f"99010{i}" for i in range(1, 7)]
    detail = api.get("/api/areas/990101001001").json()
    assert [a["code"] for a in detail["ancestors"]][-2:] == ["990101", "990101001"]
    assert api.get("/api/areas/123").json()["code"] == "area_not_found"


def test_import_reports_bad_rows_and_keeps_good_ones(make_user, api_of):
    commander = make_user("commander", "990100")
    polygon = json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
    rows = [
        ["区划代码", "名称", "英文名称", "边界"],
        ["990107", "新区", "New District", polygon],          # 2 ok
        ["990107001", "新街道", "New Street", ""],            # 3 ok (parent on line 2)
        ["990107001001", "新社区", "New Community", ""],      # 4 ok
        ["99010", "坏代码", "", ""],                          # 5 bad code
        ["990108001", "孤儿街道", "", ""],                    # 6 parent unknown
        ["990107002", "", "", ""],                            # 7 no name
        ["990107003", "坏边界", "", '{"type": "Point"}'],     # 8 bad boundary
    ]
    csv = "\n".join(",".join(f'"{c}"' if "," in c or '"' in c else c for c in (x.replace('"', '""') for x in r))
                    for r in rows).encode()
    report = api_of(commander).post("/api/areas/import", {"file": SimpleUploadedFile("a.csv", csv)}).json()
    assert report["saved_rows"] == 3
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (5, "code"), (6, "code"), (7, "name_zh"), (8, "boundary")]
    assert Area.objects.get(code="990107").boundary["type"] == "Polygon"
    again = api_of(commander).post("/api/areas/import", {"file": SimpleUploadedFile("a.csv", csv)}).json()
    assert again["saved_rows"] == 3
    assert Area.objects.filter(code__startswith="990107").count() == 3


def test_a_district_officer_cannot_import_areas(officer_a, api_of):
    response = api_of(officer_a).post("/api/areas/import", {"file": SimpleUploadedFile("a.csv", b"code,name\n")})
    assert response.status_code == 403


def test_the_area_tree_page_renders_a_map_without_tiles(officer_a, client_of):
    html = client_of(officer_a).get("/areas/990101/").content.decode()
    assert "<svg" in html and "990101001" in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_the_import_command_reports_rejected_rows(city, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "areas.csv"
    path.write_text("区划代码,名称\n990107,新区\n12,坏\n", encoding="utf-8")
    call_command("import_areas", str(path))
    captured = capsys.readouterr()
    assert "1 of 2 rows saved" in captured.out
    assert "line 3: code" in captured.err
    assert Area.objects.filter(code="990107").exists()
