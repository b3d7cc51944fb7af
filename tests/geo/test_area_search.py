"""The area pickers' search: by name or code, only inside the caller's jurisdiction."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [a["code"] for a in response.json()]


def test_each_district_officer_finds_only_their_own_areas(officer_a, officer_b, api_of):
    found_a = codes(api_of(officer_a).get("/api/areas/search", {"q": "社区", "limit": 50}))
    found_b = codes(api_of(officer_b).get("/api/areas/search", {"q": "社区", "limit": 50}))
    assert len(found_a) == 50 and all(c.startswith(DISTRICT_A) for c in found_a)
    assert len(found_b) == 50 and all(c.startswith(DISTRICT_B) for c in found_b)
    # 望江街道 is a street of district B (and of a third district): officer A is never told it exists.
    assert codes(api_of(officer_a).get("/api/areas/search", {"q": "望江"})) == []
    assert codes(api_of(officer_b).get("/api/areas/search", {"q": "望江街道"})) == [DISTRICT_B + "001"]


def test_a_city_wide_user_finds_a_name_in_every_district_with_its_path(make_user, api_of):
    commander = make_user("commander", "990100", username="commander")
    found = api_of(commander).get("/api/areas/search", {"q": "青石街道"}).json()
    assert [a["code"] for a in found] == [DISTRICT_A + "001", "990103007"]
    assert found[0]["path"].endswith("东湖区") and found[0]["name"] == "青石街道"


def test_a_code_prefix_finds_the_area_and_english_names_match_too(officer_a, api_of):
    assert codes(api_of(officer_a).get("/api/areas/search", {"q": DISTRICT_A + "001"}))[0] == DISTRICT_A + "001"
    assert codes(api_of(officer_a).get("/api/areas/search", {"q": "qingshi street"})) == [DISTRICT_A + "001"]


def test_strangers_get_no_areas_and_long_queries_are_refused(officer_a, api_of):
    assert Client().get("/api/areas/search", {"q": "社区"}).status_code == 401
    assert api_of(officer_a).get("/api/areas/search", {"q": "x" * 101}).status_code == 422
