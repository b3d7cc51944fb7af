"""The map pages carry their boundaries, names and figures as a JSON block for the ECharts script, beside the
server-drawn SVG and a table; hostile names stay text."""

from __future__ import annotations

import json
import re

import pytest

from apps.geo.maps import area_map
from apps.geo.models import Area
from tests.factories import DISTRICT_A

pytestmark = pytest.mark.django_db


def map_data(html: str) -> dict:
    figure = re.search(r'<figure class="area-map" data-area-map="([\w-]+)"', html)
    assert figure, "no map on the page"
    block = re.search(rf'<script id="{figure.group(1)}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_the_area_tree_map_has_every_street_with_its_name_value_and_link(officer_a, client_of):
    html = client_of(officer_a).get(f"/areas/{DISTRICT_A}/").content.decode()
    data = map_data(html)
    streets = dict(Area.objects.filter(parent_id=DISTRICT_A).values_list("code", "name_zh"))
    assert {f["properties"]["name"] for f in data["geojson"]["features"]} == set(streets)
    assert {(a["code"], a["name"], a["value"], a["href"]) for a in data["areas"]} == {
        (code, name, 10, f"/areas/{code}/") for code, name in streets.items()
    }
    assert '<svg class="map"' in html  # the no-script drawing
    assert "<table" in html.split('class="area-map-table"', 1)[1]  # the text alternative
    assert 'src="/static/js/area-map.js"' in html


def test_the_battle_map_page_draws_the_users_districts(make_user, client_of):
    econ = make_user("economic_officer", "990100", username="econ")
    data = map_data(client_of(econ).get("/projects/map/").content.decode())
    assert len(data["geojson"]["features"]) == 6 and data["markers"] == []


def test_names_stay_text_and_areas_without_a_drawable_boundary_are_left_out():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    m = area_map(
        [("1", "</script><script>alert(1)</script>", square), ("2", "no shape", None), ("3", "point", {"type": "Point"})],
        values={"1": 5},
        value_label="cases",
    )
    html = m.__html__()
    assert [a["code"] for a in m.data()["areas"]] == ["1"]
    assert "<script>alert(1)" not in html and "\\u003C/script\\u003E" in html


def test_an_english_page_labels_the_areas_in_english(officer_a, client_of):
    from django.utils import translation

    with translation.override("en"):
        m = area_map(Area.objects.filter(parent_id=DISTRICT_A).values_list("code", "name_zh", "boundary"))
        assert {a["name"] for a in m.data()["areas"]} == set(
            Area.objects.filter(parent_id=DISTRICT_A).values_list("name_en", flat=True)
        )
