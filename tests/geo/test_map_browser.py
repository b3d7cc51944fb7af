"""In Debian's chromium: the area maps are drawn by ECharts from the stored boundaries, with names and figures,
and a click on an area opens it (drill-down)."""

from __future__ import annotations

import pytest

from apps.codes.services import codes_recompute
from apps.geo.models import Area
from tests.factories import COMMUNITY_B, DISTRICT_A
from tests.maps import click_at, inside, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_area_tree_draws_its_streets_and_a_click_drills_down(officer_a, browser_login):
    streets = list(Area.objects.filter(parent_id=DISTRICT_A).order_by("code"))
    page = browser_login(officer_a)
    page.goto(f"/areas/{DISTRICT_A}/")
    drawn = wait_for_map(page)
    assert [a["name"] for a in drawn["areas"]] == [s.code for s in streets]
    assert all(a["value"] == 10 for a in drawn["areas"])  # communities per street, shown on hover
    assert drawn["painted"] > 1000 and drawn["svgHidden"]
    target = streets[2]
    with page.expect_navigation():
        click_at(page, *inside(target.boundary))
    assert page.url.endswith(f"/areas/{target.code}/")
    drawn = wait_for_map(page)
    assert {a["name"] for a in drawn["areas"]} == set(
        Area.objects.filter(parent_id=target.code).values_list("code", flat=True)
    )


def test_the_code_colour_map_drills_from_districts_to_streets(
    make_user, officer_a, officer_b, person_factory, browser_login
):
    for _ in range(2):
        person_factory(actor=officer_a)
    person_factory(actor=officer_b, area_code=COMMUNITY_B)
    codes_recompute()
    commander = make_user("commander", "990100", username="commander")
    page = browser_login(commander)
    page.goto("/codes/counts/")
    drawn = wait_for_map(page)
    district = Area.objects.get(code=DISTRICT_A)
    assert {"name": DISTRICT_A, "value": "2 / 0 / 0"} in drawn["areas"]  # green / yellow / red on hover
    with page.expect_navigation():
        click_at(page, *inside(district.boundary))
    assert page.url.endswith(f"/codes/counts/?area={DISTRICT_A}")
