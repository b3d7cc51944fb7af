"""No 500 on any venue or scan input: out-of-range numbers, absurd times and unknown areas are named 4xx answers."""

from __future__ import annotations

from typing import Any

import pytest

from apps.venues.models import Alert, Scan, Venue
from apps.venues.services import venue_create
from tests.factories import COMMUNITY_A, DISTRICT_A
from tests.venues.test_scans import scan

pytestmark = pytest.mark.django_db

HUGE = 2**63


@pytest.fixture
def venue_a(officer_a: Any) -> Venue:
    return venue_create(actor=officer_a, data={"name": "东门超市", "category": "supermarket", "area_code": COMMUNITY_A})


@pytest.mark.parametrize(
    ("field", "value"),
    [("capacity", -1), ("capacity", HUGE), ("limit_percent", -5), ("limit_percent", 1000),
     ("lat", 1000), ("lon", -5000), ("lat", "NaN"), ("lon", "Infinity")],
)
def test_a_venue_with_an_impossible_number_is_a_422_naming_it(officer_a, api_of, field, value):
    body = {"name": "卡口", "category": "bus", "area_code": COMMUNITY_A, field: value}
    r = api_of(officer_a).post("/api/venues/", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert [d["field"].split(".")[-1] for d in r.json()["details"]] == [field]
    assert not Venue.objects.exists()


def test_a_venue_in_an_area_code_that_does_not_exist_is_a_422(officer_a, api_of):
    body = {"name": "卡口", "category": "bus", "area_code": DISTRICT_A + "999"}  # under the officer, but no such area
    r = api_of(officer_a).post("/api/venues/", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert r.json()["details"] == [{"field": "area_code", "message": "no such area"}]
    assert not Venue.objects.exists()


def test_a_batch_with_huge_ids_nan_or_year_one_rejects_those_scans_and_keeps_the_rest(
    make_user: Any, venue_a: Venue, person_factory: Any, officer_a: Any, api_of: Any
) -> None:
    guard = make_user("checkpoint_operator", DISTRICT_A, username="guard")
    p = person_factory(actor=officer_a)
    body = {"scans": [
        scan(venue_a, p),
        {**scan(venue_a, p), "person": HUGE},
        {**scan(venue_a, p), "venue": HUGE},
        {**scan(venue_a, p), "venue": str(HUGE)},
        scan(venue_a, p, temperature="NaN"),
        scan(venue_a, p, temperature="-Infinity"),
        scan(venue_a, p, scanned_at="0001-01-01T00:00:00"),
        scan(venue_a, p, scanned_at="0001-01-01T00:00:00+08:00"),
    ]}
    r = api_of(guard).post("/api/venues/scans/batch", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["accepted"] == 1
    assert sorted((x["index"], x["code"]) for x in r.json()["rejected"]) == [
        (1, "unknown_person"), (2, "unknown_venue"), (3, "unknown_venue"),
        (4, "temperature_implausible"), (5, "temperature_implausible"), (6, "malformed"), (7, "malformed"),
    ]
    assert Scan.objects.count() == 1
    assert not Alert.objects.exists()


@pytest.mark.parametrize("query", [f"person={HUGE}", f"venue={HUGE}", f"page={HUGE}", "page=0", "venue=-1"])
def test_scan_log_filters_out_of_range_are_a_422(officer_a, api_of, query):
    r = api_of(officer_a).get(f"/api/venues/scans?{query}")
    assert r.status_code == 422, r.content
    assert r.json()["details"][0]["field"].split(".")[-1] == query.split("=")[0]


def test_a_citizen_check_in_with_a_naive_or_year_one_time_is_a_422(make_user, api_of):
    citizen = make_user("citizen", COMMUNITY_A)
    for at in ("2026-01-01T10:00:00", "0001-01-01T00:00:00Z"):
        body = {"venue_code": "x", "client_id": "c1", "scanned_at": at}
        r = api_of(citizen).post("/api/venues/checkin", body, content_type="application/json")
        assert r.status_code == 422, (at, r.content)
        assert r.json()["details"][0]["field"].split(".")[-1] == "scanned_at"


def test_the_alert_list_matches_its_published_schema(
    make_user: Any, venue_a: Venue, person_factory: Any, officer_a: Any, api_of: Any
) -> None:
    # Another app's `AlertOut` once took this endpoint's component name, so its answers broke their own schema.
    guard = make_user("checkpoint_operator", DISTRICT_A, username="guard")
    p = person_factory(actor=officer_a)
    api_of(guard).post("/api/venues/scans/batch", {"scans": [scan(venue_a, p, colour="red")]},
                       content_type="application/json")
    items = api_of(officer_a).get("/api/venues/alerts").json()["items"]
    assert items
    schema = api_of(officer_a).get("/api/openapi.json").json()
    page = schema["paths"]["/api/venues/alerts"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    components = schema["components"]["schemas"]
    page = components[page["$ref"].split("/")[-1]]
    item = components[page["properties"]["items"]["items"]["$ref"].split("/")[-1]]
    assert set(item["required"]) <= set(items[0]) <= set(item["properties"])
