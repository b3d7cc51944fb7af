"""Demo step: venues per community, street and district, road and rail checkpoints, and days of scans.

Daily pattern: people leave and return through their community gate, some go to work, to shops, to a
restaurant or take a bus; a few pass road or rail checkpoints. Times follow the day (morning and evening
peaks), temperatures are mostly normal with a rare fever, and the colour seen is the person's code.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.codes.models import HealthCode
from apps.codes.services import codes_recompute
from apps.demo.generator import DemoContext
from apps.geo.models import Area
from apps.people.models import Person
from apps.venues.alerting import fever_threshold
from apps.venues.choices import VenueCategory, VenueStatus
from apps.venues.models import Scan, Venue
from apps.venues.services import _raise_alerts, scans_store

NAME = "venues"
DAYS = 3
NAMESPACE = uuid.UUID("6f1d7c55-6a43-4d0b-9d0e-6a1a3c1e2f01")


def _spot(boundary: Any, i: int, n: int) -> tuple[float | None, float | None]:
    """(lat, lon) of the i-th of n venues of an area: around its centre, apart, so a map shows each one."""
    try:
        ring = boundary["coordinates"][0]
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        lat, lon = sum(lats) / len(ring), sum(lons) / len(ring)
    except (KeyError, IndexError, TypeError, ZeroDivisionError):
        return None, None
    if n > 1:
        radius = min(max(lats) - min(lats), max(lons) - min(lons)) / 4
        angle = 2 * math.pi * i / n
        lat, lon = lat + radius * math.sin(angle), lon + radius * math.cos(angle)
    return round(lat, 6), round(lon, 6)


def _venues(ctx: DemoContext) -> dict[str, list[Venue]]:
    """Venues are keyed by a deterministic ref, so re-running finds them instead of duplicating."""
    rng = ctx.rng(NAME + ":venues")
    wanted: list[Venue] = []
    areas = list(Area.objects.filter(code__startswith="9901").values_list("code", "name_zh", "boundary"))
    for code, name, boundary in areas:
        kinds: list[tuple[str, str, int]] = []
        if len(code) == 12:
            kinds = [
                (VenueCategory.COMMUNITY_GATE, "小区东门", 0),
                (VenueCategory.SUPERMARKET, "便民超市", 300),
            ]
        elif len(code) == 9:
            kinds = [
                (VenueCategory.SCHOOL, "小学", 800),
                (VenueCategory.RESTAURANT, "饭店", 120),
                (VenueCategory.BUS, "公交线路", 60),
            ]
        elif len(code) == 6 and code != "990100":
            kinds = [
                (VenueCategory.WORKPLACE, "工业园", 2000),
                (VenueCategory.WORKPLACE, "商务楼", 1500),
                (VenueCategory.ROAD_CHECKPOINT, "道路卡口", 0),
            ]
            if code in ("990101", "990104"):
                kinds.append((VenueCategory.RAIL_CHECKPOINT, "火车站出口", 0))
        for i, (category, label, capacity) in enumerate(kinds):
            lat, lon = _spot(boundary, i, len(kinds))
            status = VenueStatus.OPEN
            limit = None
            if category in (VenueCategory.RESTAURANT, VenueCategory.SCHOOL) and rng.random() < 0.4:
                status, limit = (
                    (VenueStatus.LIMITED, 50)
                    if category == VenueCategory.RESTAURANT
                    else (VenueStatus.CLOSED, None)
                )
            wanted.append(
                Venue(
                    ref=uuid.uuid5(NAMESPACE, f"{code}:{i}"),
                    name=f"{name}{label}",
                    category=category,
                    area_id=code,
                    address=f"{name}{label}",
                    capacity=capacity or None,
                    status=status,
                    limit_percent=limit,
                    lat=lat,
                    lon=lon,
                )
            )
    Venue.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=2000)
    by_area: dict[str, list[Venue]] = {}
    for v in Venue.objects.filter(ref__in=[w.ref for w in wanted]):
        by_area.setdefault(v.area_id, []).append(v)
    return by_area


def _at(day: dt.date, hour: float) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour)
    return timezone.make_aware(local)


def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    by_area = _venues(ctx)
    colours = dict(HealthCode.objects.values_list("person_id", "colour"))
    people = list(Person.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", "area_id"))
    now = timezone.now()

    def pick(area: str, category: str) -> Venue | None:
        options = [v for v in by_area.get(area, []) if v.category == category]
        return options[0] if options else None

    rows: list[tuple[Any, ...]] = []
    residence = dict(people)
    for d in range(DAYS, 0, -1):
        day = ctx.today - dt.timedelta(days=d)
        for pid, area in people:
            if rng.random() > 0.55:  # stays home (居家) today
                continue
            street, district = area[:9], area[:6]
            colour = colours.get(pid, "green")
            visits: list[tuple[Venue | None, float]] = []
            gate = pick(area, VenueCategory.COMMUNITY_GATE)
            visits.append((gate, rng.gauss(8.0, 1.0)))
            if rng.random() < 0.45:
                visits.append(
                    (rng.choice([pick(district, VenueCategory.WORKPLACE)] * 2), rng.gauss(8.8, 0.6))
                )
            if rng.random() < 0.35:
                visits.append((pick(area, VenueCategory.SUPERMARKET), rng.uniform(10, 19)))
            if rng.random() < 0.1:
                visits.append((pick(street, VenueCategory.RESTAURANT), rng.gauss(12.2, 0.6)))
            if rng.random() < 0.15:
                visits.append((pick(street, VenueCategory.BUS), rng.gauss(7.8, 0.8)))
            if rng.random() < 0.01:
                visits.append((pick(district, VenueCategory.ROAD_CHECKPOINT), rng.uniform(6, 22)))
            if rng.random() < 0.004:
                visits.append((pick("990101", VenueCategory.RAIL_CHECKPOINT), rng.uniform(6, 22)))
            visits.append((gate, rng.gauss(18.5, 1.2)))
            for n, (venue, hour) in enumerate(visits):
                if venue is None or venue.status == VenueStatus.CLOSED:
                    continue
                at = _at(day, min(max(hour, 5.0), 23.5))
                temp = Decimal(str(round(rng.gauss(36.5, 0.25) + (1.3 if rng.random() < 0.002 else 0), 1)))
                client_id = f"demo-{day:%Y%m%d}-{pid}-{n}"
                rows.append((pid, venue.pk, at, temp, colour, "demo", None, client_id, now))
    with transaction.atomic():
        inserted = 0
        for start in range(0, len(rows), 20_000):
            inserted += len(scans_store(rows[start : start + 20_000]))
        # Alerts from what is stored (a re-run finds its scans and their alerts already there).
        area_of = {v.pk: v.area_id for venues in by_area.values() for v in venues}
        fever = fever_threshold()
        flagged = [
            {
                "person_id": pid,
                "venue_id": vid,
                "venue_area": area_of[vid],
                "scanned_at": at,
                "temperature": temp,
                "colour": colour,
                "client_id": cid,
                "scan_id": scan_id,
            }
            for pid, vid, at, temp, colour, cid, scan_id in Scan.objects.filter(device_id="demo")
            .filter(Q(colour__in=["red", "yellow"]) | Q(temperature__gte=fever))
            .values_list("person_id", "venue_id", "scanned_at", "temperature", "colour", "client_id", "pk")
        ]
        alerts = 0
        for start in range(0, len(flagged), 2000):
            alerts += _raise_alerts(flagged[start : start + 2000], residence, fever)
    fevers = {f["person_id"] for f in flagged if f["temperature"] is not None and f["temperature"] >= fever}
    codes_recompute(person_ids=fevers)
    return {"venues": sum(len(v) for v in by_area.values()), "scans": inserted, "alerts": alerts}
