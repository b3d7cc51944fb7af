"""Venues and scans: idempotent batch upload, per-scan rejections, alerts to both areas, retention purge."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.codes.keys import current_key
from apps.codes.models import HealthCode
from apps.codes.services import code_for, code_issue_qr
from apps.venues.models import Alert, PurgeLog, Scan, ScanAggregate, ScanKey, Venue
from apps.venues.services import scans_ingest, scans_purge, venue_create, venue_qr_text
from core import signing
from core.coderules import Colour
from tests.factories import COMMUNITY_A, COMMUNITY_B, DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def venue_a(officer_a: Any) -> Venue:
    return venue_create(
        actor=officer_a, data={"name": "东门超市", "category": "supermarket", "area_code": COMMUNITY_A}
    )


@pytest.fixture
def venue_b(officer_b: Any) -> Venue:
    return venue_create(
        actor=officer_b, data={"name": "西站卡口", "category": "rail_checkpoint", "area_code": COMMUNITY_B}
    )


@pytest.fixture
def guard(make_user: Any) -> Any:
    return make_user("checkpoint_operator", DISTRICT_A, username="guard")


def scan(venue: Venue, person: Any, **kw: Any) -> dict[str, Any]:
    return {
        "client_id": kw.pop("client_id", uuid.uuid4().hex),
        "venue": str(venue.ref),
        "person": person.pk,
        "scanned_at": kw.pop("scanned_at", timezone.now().isoformat()),
        "temperature": kw.pop("temperature", "36.5"),
        "colour": kw.pop("colour", "green"),
        **kw,
    }


def test_a_retried_batch_creates_no_duplicates(
    guard: Any, venue_a: Venue, person_factory: Any, officer_a: Any
) -> None:
    p = person_factory(actor=officer_a)
    batch = [scan(venue_a, p) for _ in range(3)]
    first = scans_ingest(actor=guard, scans=batch, device_id="dev-1")
    again = scans_ingest(actor=guard, scans=batch + batch[:1], device_id="dev-1")
    assert (first.accepted, first.duplicates) == (3, 0)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 4, [])
    assert Scan.objects.count() == 3
    assert set(Scan.objects.values_list("operator_id", "device_id")) == {(guard.pk, "dev-1")}


def test_it_rejects_bad_scans_one_by_one_and_keeps_the_rest(
    guard: Any, venue_a: Venue, venue_b: Venue, person_factory: Any, officer_a: Any
) -> None:
    p = person_factory(actor=officer_a)
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    batch = [
        scan(venue_a, p),
        scan(venue_a, p, temperature="45.0"),
        scan(venue_a, p, temperature="33.9"),
        scan(venue_a, p, scanned_at=future),
        {**scan(venue_a, p), "venue": str(uuid.uuid4())},
        {**scan(venue_a, p), "person": 999_999},
        scan(venue_b, p),  # another district's venue
        {**scan(venue_a, p), "scanned_at": "yesterday"},
        {**scan(venue_a, p), "client_id": "x"},
        "not a scan",
        scan(venue_a, p, temperature="43.0"),
    ]
    result = scans_ingest(actor=guard, scans=batch)
    assert result.accepted == 2
    assert [(r["index"], r["code"]) for r in result.rejected] == [
        (1, "temperature_implausible"),
        (2, "temperature_implausible"),
        (3, "time_in_future"),
        (4, "unknown_venue"),
        (6, "forbidden_venue"),
        (7, "malformed"),
        (8, "malformed"),
        (9, "malformed"),
        (5, "unknown_person"),
    ]


def test_it_reads_person_and_colour_from_a_signed_code(
    guard: Any, venue_a: Venue, person_factory: Any, officer_a: Any
) -> None:
    p = person_factory(actor=officer_a)
    qr, _ = code_issue_qr(code=code_for(p))
    item = {
        "client_id": uuid.uuid4().hex,
        "venue": venue_a.pk,
        "code": qr,
        "scanned_at": timezone.now().isoformat(),
    }
    forged = {**item, "client_id": uuid.uuid4().hex, "code": qr[:-3] + "AAA"}
    # Properly signed, but its reference was not made from any person id (the key's owner erred, or a test).
    stray = signing.sign_code(
        current_key(),
        kind=signing.CodeKind.HEALTH,
        ref=p.pk,  # a database id is not a reference
        colour=Colour.GREEN,
        issued_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    result = scans_ingest(
        actor=guard, scans=[item, forged, {**item, "client_id": uuid.uuid4().hex, "code": stray}]
    )
    assert result.accepted == 1
    assert [(r["index"], r["code"]) for r in result.rejected] == [(1, "malformed"), (2, "unknown_person")]
    assert Scan.objects.get().person_id == p.pk and Scan.objects.get().colour == "green"


def test_red_codes_and_fevers_alert_the_officers_of_both_areas(
    guard: Any,
    venue_a: Venue,
    person_factory: Any,
    officer_a: Any,
    officer_b: Any,
    api_of: Any,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    resident_of_b = person_factory(actor=officer_b, area_code=COMMUNITY_B)
    local = person_factory(actor=officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        result = scans_ingest(
            actor=guard,
            scans=[
                scan(venue_a, resident_of_b, colour="red"),
                scan(venue_a, local, temperature="37.3"),
                scan(venue_a, local, temperature="37.2"),
            ],
        )
    assert result.alerts == 2
    assert set(Alert.objects.values_list("kind", flat=True)) == {"red_code", "fever"}
    with django_assert_max_num_queries(6):
        seen_by_a = api_of(officer_a).get("/api/venues/alerts").json()["items"]
    seen_by_b = api_of(officer_b).get("/api/venues/alerts").json()["items"]
    assert {a["kind"] for a in seen_by_a} == {"red_code", "fever"}
    assert [a["kind"] for a in seen_by_b] == ["red_code"]  # the resident of B, at a venue of A
    # A checkpoint fever changes the person's own code after commit.
    assert HealthCode.objects.get(pk=local.pk).colour == "yellow"


def test_a_reuploaded_alerting_scan_raises_no_second_alert(
    guard: Any, venue_a: Venue, person_factory: Any, officer_a: Any
) -> None:
    p = person_factory(actor=officer_a)
    batch = [scan(venue_a, p, colour="yellow")]
    scans_ingest(actor=guard, scans=batch)
    assert scans_ingest(actor=guard, scans=batch).alerts == 0
    assert Alert.objects.count() == 1


def test_the_batch_api_reports_rejections_and_refuses_non_operators(
    guard: Any, venue_a: Venue, person_factory: Any, officer_a: Any, api_of: Any
) -> None:
    p = person_factory(actor=officer_a)
    body = {"device_id": "dev-9", "scans": [scan(venue_a, p), scan(venue_a, p, temperature="50")]}
    r = api_of(guard).post("/api/venues/scans/batch", body, content_type="application/json")
    assert r.status_code == 200
    assert (r.json()["accepted"], r.json()["rejected"][0]["code"]) == (1, "temperature_implausible")
    econ = api_of(officer_a)  # an officer may see scans but holds no scan.upload right
    assert econ.post("/api/venues/scans/batch", body, content_type="application/json").status_code == 403


def test_scan_logs_are_scoped_to_the_jurisdiction(
    guard: Any,
    venue_a: Venue,
    person_factory: Any,
    officer_a: Any,
    officer_b: Any,
    api_of: Any,
    django_assert_max_num_queries: Any,
) -> None:
    p = person_factory(actor=officer_a)
    scans_ingest(actor=guard, scans=[scan(venue_a, p) for _ in range(4)])
    with django_assert_max_num_queries(6):
        mine = api_of(officer_a).get(f"/api/venues/scans?venue={venue_a.pk}").json()["items"]
    assert len(mine) == 4
    assert api_of(officer_b).get(f"/api/venues/scans?person={p.pk}").json()["items"] == []
    assert api_of(officer_b).get(f"/api/venues/{venue_a.pk}").status_code == 404


def test_venues_are_created_only_in_the_jurisdiction(officer_a: Any) -> None:
    from apps.common.errors import Forbidden

    with pytest.raises(Forbidden):
        venue_create(actor=officer_a, data={"name": "x", "category": "bus", "area_code": DISTRICT_B})


def test_a_citizen_checks_in_with_a_signed_venue_code(
    venue_a: Venue, person_factory: Any, officer_a: Any, make_user: Any, api_of: Any
) -> None:
    p = person_factory(actor=officer_a)
    citizen = make_user("citizen", DISTRICT_A, person=p)
    body = {"venue_code": venue_qr_text(venue=venue_a), "client_id": uuid.uuid4().hex}
    r = api_of(citizen).post("/api/venues/checkin", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert Scan.objects.get().person_id == p.pk
    bad = api_of(citizen).post(
        "/api/venues/checkin", {**body, "venue_code": "TV1:00"}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_the_purge_deletes_old_scans_keeps_counts_and_is_logged(
    guard: Any, venue_a: Venue, person_factory: Any, officer_a: Any
) -> None:
    p = person_factory(actor=officer_a)
    now = timezone.now()
    old = now - dt.timedelta(days=30)
    scans_ingest(
        actor=guard,
        scans=[
            scan(venue_a, p, scanned_at=old.isoformat()),
            scan(venue_a, p, scanned_at=old.isoformat(), temperature="38.0", colour="yellow"),
            scan(venue_a, p, scanned_at=(now - dt.timedelta(days=27)).isoformat()),
        ],
    )
    log = scans_purge(now=now)
    assert (log.deleted, log.retention_days) == (2, 28)
    assert Scan.objects.count() == 1
    assert ScanKey.objects.count() == 3  # keys stay the retention period after their upload: a late retry is known
    aggregates = {(a.colour, a.scans, a.fevers) for a in ScanAggregate.objects.all()}
    assert aggregates == {("green", 1, 0), ("yellow", 1, 1)}
    assert Alert.objects.filter(scan__isnull=True).count() == 2  # alerts outlive their scans
    assert AuditLog.objects.filter(action="scan_purge").count() == 1
    assert scans_purge(now=now).deleted == 0
    assert PurgeLog.objects.count() == 2
    scans_purge(now=now + dt.timedelta(days=29))
    assert not ScanKey.objects.exists()


def test_the_venue_page_shows_checkpoint_throughput(
    guard: Any, officer_a: Any, person_factory: Any, client_of: Any
) -> None:
    gate = venue_create(
        actor=officer_a, data={"name": "北环卡口", "category": "road_checkpoint", "area_code": COMMUNITY_A}
    )
    p = person_factory(actor=officer_a)
    scans_ingest(actor=guard, scans=[scan(gate, p), scan(gate, p, colour="red"), scan(gate, p)])
    rows = client_of(officer_a).get("/venues/").context["throughput"]
    assert [(r["name"], r["n"], r["flagged"]) for r in rows] == [("北环卡口", 3, 1)]


def test_the_venue_map_draws_each_listed_venue_of_the_jurisdiction_as_a_dot(
    officer_a: Any, officer_b: Any, client_of: Any
) -> None:
    from apps.geo.models import Area

    def inside(code: str) -> tuple[float, float]:
        ring = Area.objects.get(code=code).boundary["coordinates"][0]
        return sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)

    (lat_a, lon_a), (lat_b, lon_b) = inside(COMMUNITY_A), inside(COMMUNITY_B)
    mine = venue_create(
        actor=officer_a,
        data={
            "name": "东门超市",
            "category": "supermarket",
            "area_code": COMMUNITY_A,
            "lat": lat_a,
            "lon": lon_a,
        },
    )
    Venue.objects.filter(pk=mine.pk).update(status="closed")
    venue_create(
        actor=officer_b,
        data={
            "name": "西门饭店",
            "category": "restaurant",
            "area_code": COMMUNITY_B,
            "lat": lat_b,
            "lon": lon_b,
        },
    )
    venue_create(actor=officer_a, data={"name": "无坐标", "category": "bus", "area_code": COMMUNITY_A})
    html = client_of(officer_a).get("/venues/").content.decode()
    assert html.count('class="marker"') == 1
    assert f'href="/venues/{mine.pk}/"' in html and 'fill="#777777"' in html and "东门超市" in html
    assert "西门饭店" not in html
    assert client_of(officer_a).get("/venues/?category=bus").content.decode().count('class="marker"') == 0


def test_a_checkpoint_names_the_person_by_the_codes_opaque_reference(
    guard: Any, venue_a: Venue, person_factory: Any, officer_a: Any
) -> None:
    from apps.people.pii import person_refs

    p = person_factory(actor=officer_a)
    ref = person_refs().encode(p.pk)
    made_up = next(r for r in range(1, 10**6) if person_refs().decode(r) is None)
    items = [
        {**scan(venue_a, p), "person": None, "person_ref": ref},
        {**scan(venue_a, p), "person": None, "person_ref": str(ref), "scanned_at": "2020-03-01T08:00:00Z"},
        {**scan(venue_a, p), "person": None, "person_ref": made_up},
        {**scan(venue_a, p), "person": None, "person_ref": "not a number"},
        {**scan(venue_a, p), "scanned_at": "yesterday"},
    ]
    result = scans_ingest(actor=guard, scans=items)
    assert result.accepted == 2
    assert [(r["index"], r["code"]) for r in result.rejected] == [
        (2, "unknown_person"),
        (3, "unknown_person"),
        (4, "malformed"),
    ]
    assert set(Scan.objects.values_list("person_id", flat=True)) == {p.pk}
    assert Scan.objects.filter(scanned_at=dt.datetime(2020, 3, 1, 8, tzinfo=dt.UTC)).count() == 1


def test_a_fever_at_a_checkpoint_turns_the_code_yellow_after_the_upload_commits(
    guard: Any, venue_a: Venue, person_factory: Any, officer_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    p, q = person_factory(actor=officer_a), person_factory(actor=officer_a)
    code_for(p), code_for(q)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        scans_ingest(actor=guard, scans=[scan(venue_a, p, temperature="38.1"), scan(venue_a, q)])
    assert HealthCode.objects.get(pk=p.pk).colour == "green"  # nothing before the commit
    for callback in callbacks:
        callback()  # the commit: the recompute is queued (run at once by the tests' task backend)
    assert dict(HealthCode.objects.values_list("person_id", "colour")) == {p.pk: "yellow", q.pk: "green"}
    assert [r["code"] for r in HealthCode.objects.get(pk=p.pk).reasons] == ["checkpoint_fever"]


def test_a_retry_with_a_changed_payload_stores_nothing_and_alerts_for_nobody(
    guard: Any, venue_a: Venue, person_factory: Any, officer_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first, other = person_factory(actor=officer_a), person_factory(actor=officer_a)
    original = scan(venue_a, first, colour="green")
    scans_ingest(actor=guard, scans=[original], device_id="dev-1")
    tampered = {**original, "person": other.pk, "temperature": "38.5", "colour": "red",
                "scanned_at": (timezone.now() - dt.timedelta(hours=3)).isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        result = scans_ingest(actor=guard, scans=[tampered], device_id="dev-1")
    assert (result.accepted, result.duplicates, result.alerts) == (0, 1, 0)
    assert not Alert.objects.exists()
    assert list(Scan.objects.values_list("person_id", "colour")) == [(first.pk, "green")]
    assert not HealthCode.objects.filter(pk=other.pk, colour__in=["yellow", "red"]).exists()


def test_a_client_id_is_unique_per_device_not_across_devices(
    guard: Any, venue_a: Venue, person_factory: Any, officer_a: Any
) -> None:
    p, q = person_factory(actor=officer_a), person_factory(actor=officer_a)
    item = scan(venue_a, p, colour="yellow")
    assert scans_ingest(actor=guard, scans=[item], device_id="dev-1").accepted == 1
    # Another device that happens to use the same id stores its own scan and gets its own alert.
    other = scans_ingest(actor=guard, scans=[{**item, "person": q.pk}], device_id="dev-2")
    assert (other.accepted, other.alerts) == (1, 1)
    assert sorted(Alert.objects.values_list("person_id", flat=True)) == sorted([p.pk, q.pk])
    assert {a.scan.person_id for a in Alert.objects.all()} == {p.pk, q.pk}  # each alert links its own scan
