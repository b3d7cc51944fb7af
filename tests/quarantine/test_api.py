"""The /api/quarantine/ surface: jurisdiction with managers of two districts, the order-to-release flow, the
capacity with a bounded query count, the room import with every bad row reported, the citizen's own stay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.accounts.models import User
from apps.quarantine.models import Room, Site, Stay

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_managers_see_only_their_districts_sites_and_stays(
    api_of: Callable[[User], Any],
    manager_a: User,
    manager_b: User,
    hotel: Site,
    person_a: Any,
    make_stay: Callable[..., Stay],
) -> None:
    stay = make_stay(person_a)
    a, b = api_of(manager_a), api_of(manager_b)
    assert [s["id"] for s in a.get("/api/quarantine/sites").json()["items"]] == [hotel.pk]
    assert b.get("/api/quarantine/sites").json()["items"] == []
    assert a.get(f"/api/quarantine/stays/{stay.pk}").status_code == 200
    assert b.get(f"/api/quarantine/stays/{stay.pk}").status_code == 404
    room = hotel.rooms.first()
    r = b.post(f"/api/quarantine/stays/{stay.pk}/allocate", {"room_id": room.pk}, content_type=JSON)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_order_to_room_through_the_api(
    api_of: Callable[[User], Any], officer_a: User, manager_a: User, hotel: Site, person_a: Any
) -> None:
    officer = api_of(officer_a)
    body = {
        "person_id": person_a.pk,
        "source": "manual",
        "source_ref": "decision:1",
        "note": "同住人确诊",
        "last_exposure": (timezone.now() - dt.timedelta(days=2)).isoformat(),
        "policy_code": "c14-2020",
    }
    r = officer.post("/api/quarantine/orders", body, content_type=JSON)
    assert r.status_code == 201, r.content
    assert officer.post("/api/quarantine/orders", body, content_type=JSON).json()["code"] == "duplicate_order"
    stay = officer.post(f"/api/quarantine/orders/{r.json()['id']}/accept", {}, content_type=JSON).json()
    assert stay["status"] == "waiting"
    room = hotel.rooms.get(number="101")
    manager = api_of(manager_a)
    r = manager.post(f"/api/quarantine/stays/{stay['id']}/allocate", {"room_id": room.pk}, content_type=JSON)
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert manager.get(f"/api/quarantine/sites/{hotel.pk}/rooms").json()[0]["status"] == "occupied"
    r = manager.post(f"/api/quarantine/stays/{stay['id']}/release", content_type=JSON)
    assert r.status_code == 409 and r.json()["code"] == "release_rule"
    r = manager.post(f"/api/quarantine/stays/{stay['id']}/checkins", {"temperature": 38.2}, content_type=JSON)
    assert r.status_code == 201
    alerts = manager.get("/api/quarantine/alerts").json()["items"]
    assert [a["kind"] for a in alerts] == ["fever"]


def test_capacity_is_a_fixed_number_of_queries(
    api_of: Callable[[User], Any],
    make_user: Callable[..., User],
    hotel: Site,
    django_assert_max_num_queries: Any,
) -> None:
    hq = make_user("commander", "990100", username="hq")
    client = api_of(hq)
    client.get("/api/quarantine/capacity")  # warm the token and grants
    for n in range(5):
        site = Site.objects.create(name=f"酒店{n}", area_id="990102")
        Room.objects.bulk_create(
            [
                Room(site=site, number=str(i), floor=1, status="occupied" if i % 2 else "free")
                for i in range(8)
            ]
        )
    with django_assert_max_num_queries(8):
        body = client.get("/api/quarantine/capacity").json()
    assert body["total"]["rooms"] == 5 + 5 * 8
    assert body["total"]["occupied"] == 5 * 4
    assert {d["key"]: d["rooms"] for d in body["districts"]} == {"990101": 5, "990102": 40}
    drilled = client.get("/api/quarantine/capacity?area=990101").json()
    assert [s["name"] for s in drilled["sites"]] == [hotel.name]


def test_room_import_keeps_good_rows_and_reports_every_bad_one(
    api_of: Callable[[User], Any], manager_a: User
) -> None:
    csv = (
        "隔离点,区划代码,房间号,楼层,床位,房型\n"
        "东湖酒店,990101,101,1,1,单人间\n"
        "东湖酒店,990101,102,x,1,单人间\n"
        "东湖酒店,990102,103,1,1,单人间\n"
        "东湖酒店,990101,301,3,20,家庭房\n"
        "东湖酒店,990101,302,3,3,家庭房\n"
    ).encode()
    client = api_of(manager_a)
    r = client.post("/api/quarantine/sites/import", {"file": SimpleUploadedFile("rooms.csv", csv)})
    body = r.json()
    assert r.status_code == 200, body
    assert (body["sites_created"], body["rooms_created"]) == (1, 2)
    assert [(e["line"], e["problems"][0]["field"]) for e in body["errors"]] == [
        (3, "floor"),
        (4, "area_code"),
        (5, "beds"),
    ]
    again = client.post("/api/quarantine/sites/import", {"file": SimpleUploadedFile("rooms.csv", csv)}).json()
    assert (again["rooms_created"], again["rooms_existing"]) == (0, 2)
    assert Room.objects.count() == 2


def test_a_broken_file_is_a_json_error(api_of: Callable[[User], Any], manager_a: User) -> None:
    r = api_of(manager_a).post(
        "/api/quarantine/sites/import", {"file": SimpleUploadedFile("rooms.csv", b"a,b\n1,2\n")}
    )
    assert r.status_code == 422 and r.json()["code"] == "missing_columns"


def test_the_citizen_sees_and_checks_in_their_own_stay(
    api_of: Callable[[User], Any],
    person_a: Any,
    make_stay: Callable[..., Stay],
    make_user: Callable[..., User],
) -> None:
    citizen = make_user("citizen", "990101", username="citizen")
    client = api_of(citizen)
    assert client.get("/api/quarantine/me").json()["stay"] is None
    citizen.person = person_a
    citizen.save(update_fields=["person"])
    stay = make_stay(person_a, kind="home", policy_code="h14-2020")
    me = client.get("/api/quarantine/me").json()
    assert (
        me["stay"]["id"] == stay.pk and me["days_left"] == (stay.quarantine_end - timezone.localdate()).days
    )
    r = client.post("/api/quarantine/me/checkins", {"temperature": 36.4}, content_type=JSON)
    assert r.status_code == 201
    r = client.post("/api/quarantine/me/requests", {"kind": "medicine", "text": "降压药"}, content_type=JSON)
    assert r.status_code == 201
    # Another person's stay is not theirs to read.
    assert client.get("/api/quarantine/stays").json()["items"] == [
        client.get(f"/api/quarantine/stays/{stay.pk}").json()
    ]
