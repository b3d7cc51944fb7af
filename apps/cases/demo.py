"""Demo step: a seeded outbreak that spreads along households and venue scans, from imported seeds
through a peak and a decline, with labs, hospital stays, traced contacts, links, clusters and risk levels.

The simulation is a branching process in continuous time: R is 2.6 until the city's measures start
(when a third of the outbreak's planned size is infected), then 0.75; serial interval gamma(4.7, 2.9) as in the dashboard's default; 20 % of infections stay
asymptomatic. The "earlies" improve over time (onset → visit from 4 to 1 day, report → isolation from 2
days to hours), so the delay chart shows early getting earlier. An infection outside the household is
a meeting at a venue near the source's home (one of the city's venues, or demo venues when there are
none): the step records both scans, so tracing finds the real contacts among everyone scanned there.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.cases import services
from apps.cases.choices import CaseStatus, ContactDegree, ContactStatus, LabResultValue, Origin
from apps.cases.models import (
    Case,
    CaseEvent,
    Contact,
    LabBatch,
    LabResult,
    TransmissionLink,
    Trip,
    TripPassenger,
)
from apps.cases.tracing import trace_case
from apps.demo.generator import OUTBREAK_DAYS, DemoContext
from apps.people.models import Person
from apps.venues.models import Scan, Venue

NAME = "outbreak"
TAG = "[demo]"
DAYS = OUTBREAK_DAYS  # the outbreak starts this many days before ctx.today (the demo's one calendar)
R_BEFORE, R_AFTER = 2.6, 0.75
SEEDS = 6


def _gamma_days(rng: random.Random, mean: float, sd: float) -> float:
    shape = (mean / sd) ** 2
    return rng.gammavariate(shape, mean / shape)


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _clear() -> None:
    Case.objects.filter(note__startswith=TAG).delete()
    LabResult.objects.filter(batch__client_batch_id__startswith="demo-outbreak").delete()
    LabBatch.objects.filter(client_batch_id__startswith="demo-outbreak").delete()
    Trip.objects.filter(number__startswith="DM").delete()
    Scan.objects.filter(client_id__startswith="demo-ob-").delete()
    Venue.objects.filter(name__startswith="演示疫情").delete()


def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    _clear()
    people = list(
        Person.objects.filter(merged_into__isnull=True).values_list("pk", "area_id", "household_id")
    )
    if not people:
        return {"cases": 0}
    area_of = {pk: area for pk, area, _ in people}
    members: dict[int, list[int]] = defaultdict(list)
    household_of: dict[int, int] = {}
    by_street: dict[str, list[int]] = defaultdict(list)
    by_district: dict[str, list[int]] = defaultdict(list)
    for pk, area, household in people:
        by_street[area[:9]].append(pk)
        by_district[area[:6]].append(pk)
        if household:
            members[household].append(pk)
            household_of[pk] = household
    tz = timezone.get_current_timezone()
    day0 = dt.datetime.combine(ctx.calendar.outbreak_start, dt.time(0), tzinfo=tz)
    now = min(timezone.now(), dt.datetime.combine(ctx.today, dt.time(20), tzinfo=tz))
    cap = max(40, min(1500, len(people) // 25))

    venues = list(Venue.objects.values_list("pk", "area_id"))
    own_venues = not Scan.objects.exists()
    if own_venues:
        streets = sorted(by_street)
        kinds = [("supermarket", "超市"), ("restaurant", "餐馆"), ("supermarket", "菜市场")]
        created = Venue.objects.bulk_create(
            [
                Venue(
                    name=f"演示疫情{kinds[i % 3][1]}{i + 1}号",
                    category=kinds[i % 3][0],
                    area_id=streets[i % len(streets)] + "001",
                )
                for i in range(min(60, len(streets) * 2))
            ]
        )
        venues = [(v.pk, v.area_id) for v in created]
    venues_by_street: dict[str, list[int]] = defaultdict(list)
    for pk, area in venues:
        venues_by_street[area[:9]].append(pk)

    infected: dict[int, dict[str, Any]] = {}
    scans: list[Scan] = []
    seed_districts = sorted(by_district)[:2]
    seed_pool = [pk for d in seed_districts for pk in by_district[d]]
    # Events in time order (a heap), so the measures start at a known instant: when a third of the
    # outbreak's size is reached; every infection after it happens only with probability R_after/R_before.
    events: list[tuple[dt.datetime, int, int | None]] = []
    for i in range(SEEDS):
        heapq.heappush(events, (day0 + dt.timedelta(days=rng.uniform(0, 6)), i, None))
    # Imported cases keep arriving (境外输入) after the first seeds, one every few days.
    late = [day0 + dt.timedelta(days=d + rng.uniform(0, 2)) for d in range(10, DAYS - 1, 5)]
    for i, at in enumerate(late):
        heapq.heappush(events, (at, SEEDS + i, None))
    counter = SEEDS + len(late)
    measures_at: dt.datetime | None = None
    while events and len(infected) < cap:
        at, _, source = heapq.heappop(events)
        if at >= now - dt.timedelta(days=1):
            continue
        if measures_at is not None and at > measures_at and rng.random() > R_AFTER / R_BEFORE:
            continue
        venue = None
        if source is None:
            # The imported seeds live in two districts, so the city shows high, medium and low areas.
            target = rng.choice(seed_pool)
        else:
            household = [m for m in members.get(household_of.get(source, -1), []) if m not in infected]
            if household and rng.random() < 0.45:
                target = rng.choice(household)
            else:
                street = area_of[source][:9]
                pool = by_street[street] if rng.random() < 0.85 else by_district[street[:6]]
                if rng.random() < 0.02:  # now and then a trip across the city
                    pool = rng.choice(list(by_street.values()))
                target = rng.choice(pool)
                near = venues_by_street.get(street) or [v for v, _ in venues]
                if near and target not in infected:
                    venue = rng.choice(near)
                    met = at.replace(hour=rng.randint(8, 19), minute=rng.randrange(0, 60))
                    scans.append(
                        Scan(
                            person_id=source,
                            venue_id=venue,
                            scanned_at=met,
                            client_id=f"demo-ob-{len(scans)}",
                        )
                    )
                    scans.append(
                        Scan(
                            person_id=target,
                            venue_id=venue,
                            scanned_at=met + dt.timedelta(minutes=rng.randint(0, 20)),
                            client_id=f"demo-ob-{len(scans)}",
                        )
                    )
        if target in infected:
            continue
        infected[target] = {"at": at, "by": source, "imported": source is None, "venue": venue}
        if measures_at is None and len(infected) >= cap // 3:
            measures_at = at  # 封控: the city's measures start
        for _ in range(_poisson(rng, R_BEFORE)):
            counter += 1
            heapq.heappush(
                events, (at + dt.timedelta(days=max(1.0, _gamma_days(rng, 4.7, 2.9))), counter, target)
            )
    # A background of ordinary visits at the demo venues, so tracing also finds people who stayed well
    # (a city with its own scans has that background already).
    everyone = [pk for pk, _, _ in people]
    for _ in range(len(scans) * 3 if own_venues else 0):
        venue = rng.choice(venues)[0] if venues else None
        if venue is None:
            break
        at = day0 + dt.timedelta(days=rng.uniform(0, DAYS), hours=0)
        scans.append(
            Scan(
                person_id=rng.choice(everyone),
                venue_id=venue,
                scanned_at=min(at, now),
                client_id=f"demo-ob-{len(scans)}",
            )
        )
    with transaction.atomic():
        Scan.objects.bulk_create(scans, batch_size=5000)
        summary = _cases(ctx, rng, infected, area_of, day0, now)
    summary.update(_trace_and_decide(rng, now))
    summary["clusters"] = services.clusters_recompute()
    from apps.epi.services import risk_recompute

    levels = risk_recompute(today=timezone.localdate(now))
    summary["risk"] = {code: row.level for code, row in levels.items()}
    from apps.codes.services import codes_recompute

    persons = set(infected) | set(
        Contact.objects.filter(status=ContactStatus.CONFIRMED).values_list("person_id", flat=True)
    )
    codes_recompute(person_ids=persons)
    summary["scans"] = len(scans)
    return summary


def _cases(
    ctx: DemoContext,
    rng: random.Random,
    infected: dict[int, dict[str, Any]],
    area_of: dict[int, str],
    day0: dt.datetime,
    now: dt.datetime,
) -> dict[str, Any]:
    """Turn infections into cases with dates, life-cycle events and lab results (bulk inserts)."""
    cases: list[Case] = []
    timeline: list[list[tuple[str, str, dt.datetime]]] = []
    flights: list[tuple[int, dt.datetime]] = []
    for person, info in sorted(infected.items(), key=lambda kv: kv[1]["at"]):
        progress = min(
            1.0, (info["at"] - day0).days / DAYS
        )  # 0 at the start, 1 at the end: earlier "earlies"
        symptomatic = rng.random() > 0.2
        onset = info["at"] + dt.timedelta(days=max(1.0, _gamma_days(rng, 5.2, 2.5)))
        visit = onset + dt.timedelta(days=max(0.1, _gamma_days(rng, 4.0 - 3.0 * progress, 1.2)))
        if not symptomatic:  # found by screening a contact or a traveller
            visit = info["at"] + dt.timedelta(days=rng.uniform(2, 8))
        report = visit + dt.timedelta(hours=rng.uniform(4, 30 - 20 * progress))
        if report > now:
            continue
        sampled = visit + dt.timedelta(hours=rng.uniform(0.5, 3))
        isolated = report + dt.timedelta(hours=rng.uniform(1, 48 - 40 * progress))
        confirmed = sampled + dt.timedelta(hours=rng.uniform(6, 30))
        steps: list[tuple[str, str, dt.datetime]] = [
            ("", CaseStatus.FEVER if symptomatic else CaseStatus.SUSPECTED, visit)
        ]
        case = Case(
            person_id=person,
            area_id=area_of[person],
            origin=Origin.ABROAD if info["imported"] else Origin.LOCAL,
            onset_date=timezone.localtime(onset).date() if symptomatic else None,
            first_visit_at=visit,
            reported_at=report,
            sampled_at=sampled,
            note=f"{TAG} {'imported seed' if info['imported'] else 'local transmission'}",
        )
        if symptomatic:
            steps.append((CaseStatus.FEVER, CaseStatus.SUSPECTED, report))
        status = CaseStatus.SUSPECTED
        if confirmed <= now:
            case.lab_confirmed_at = confirmed
            status = CaseStatus.CONFIRMED if symptomatic else CaseStatus.ASYMPTOMATIC
            steps.append((CaseStatus.SUSPECTED, status, confirmed))
            if symptomatic:
                case.confirmed_at = confirmed
        case.quarantined_at = isolated if isolated <= now else None  # isolated before admission
        case.isolated_at = case.quarantined_at
        if status == CaseStatus.CONFIRMED:
            admitted = confirmed + dt.timedelta(hours=rng.uniform(1, 20))
            if admitted <= now:
                case.admitted_at, case.hospital = (
                    admitted,
                    rng.choice(["市第一人民医院", "市传染病医院", "市中心医院"]),
                )
                case.isolated_at = min(case.isolated_at or admitted, admitted)
                steps.append((CaseStatus.CONFIRMED, CaseStatus.HOSPITALISED, admitted))
                status = CaseStatus.HOSPITALISED
                out = admitted + dt.timedelta(days=rng.uniform(12, 24))
                if out <= now:
                    final = CaseStatus.DIED if rng.random() < 0.015 else CaseStatus.RECOVERED
                    if final == CaseStatus.RECOVERED:
                        case.discharged_at = out
                    case.closed_at = out
                    steps.append((CaseStatus.HOSPITALISED, final, out))
                    status = final
        elif status == CaseStatus.ASYMPTOMATIC:
            out = confirmed + dt.timedelta(days=14)
            if out <= now:
                case.closed_at = out
                steps.append((CaseStatus.ASYMPTOMATIC, CaseStatus.RECOVERED, out))
                status = CaseStatus.RECOVERED
        case.status = status
        cases.append(case)
        timeline.append(steps)
        if info["imported"]:
            flights.append((person, info["at"]))
    Case.objects.bulk_create(cases, batch_size=2000)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case=case, from_status=frm, to_status=to, at=at, note="demo")
            for case, steps in zip(cases, timeline, strict=True)
            for frm, to, at in steps
        ],
        batch_size=5000,
    )
    batch = LabBatch.objects.create(lab="市疾控中心实验室", client_batch_id="demo-outbreak", filename="demo")
    labs = [
        LabResult(
            key=f"demo:{case.pk}",
            lab=batch.lab,
            sample_id=f"DM{case.pk:07d}",
            person_id=case.person_id,
            sampled_at=case.sampled_at,
            result=LabResultValue.POSITIVE,
            ct_value=round(rng.uniform(18, 35), 1),
            reported_at=case.lab_confirmed_at,
            batch=batch,
            case=case,
            created_at=case.lab_confirmed_at or case.sampled_at,
        )
        for case in cases
        if case.lab_confirmed_at
    ]
    LabResult.objects.bulk_create(labs, batch_size=5000)
    case_of = {c.person_id: c for c in cases}
    links = []
    for person, info in infected.items():
        source = info["by"]
        # Epidemiologists find most chains, not all (some cases stay "unknown source").
        if source in case_of and person in case_of and rng.random() < 0.75:
            evidence = (
                [{"kind": "venue", "venue_id": info["venue"]}] if info["venue"] else [{"kind": "household"}]
            )
            links.append(
                TransmissionLink(
                    infector=case_of[source],
                    infectee=case_of[person],
                    source="manual",
                    venue_id=info["venue"],
                    evidence=evidence,
                    note="demo",
                )
            )
    TransmissionLink.objects.bulk_create(links, batch_size=2000)
    # Imported seeds arrived by flight: a manifest with seats, so seat contacts can be traced.
    everyone = list(area_of)
    for n, (person, at) in enumerate(flights):
        trip = Trip.objects.create(
            mode="flight",
            number=f"DM{800 + n}",
            departs_at=at - dt.timedelta(hours=6),
            origin="境外",
            destination="本市",
        )
        seat_row = rng.randint(5, 30)
        passengers = {person: f"{seat_row}C"}
        while len(passengers) < 40:
            passengers.setdefault(rng.choice(everyone), f"{rng.randint(1, 35)}{rng.choice('ABCDEF')}")
        TripPassenger.objects.bulk_create(
            [TripPassenger(trip=trip, person_id=p, seat=s) for p, s in passengers.items()]
        )
    counts: dict[str, int] = defaultdict(int)
    for case in cases:
        counts[case.status] += 1
    by_status = {str(k): v for k, v in sorted(counts.items())}
    return {"cases": len(cases), "by_status": by_status, "links": len(links), "imported": len(flights)}


def _trace_and_decide(rng: random.Random, now: dt.datetime) -> dict[str, int]:
    """Trace the most recent infections (as the platform does on confirmation) and let the demo
    epidemiologist decide some of the suggestions, leaving the rest for the visitor."""
    recent = list(
        Case.objects.filter(
            note__startswith=TAG,
            status__in=[CaseStatus.CONFIRMED, CaseStatus.HOSPITALISED, CaseStatus.ASYMPTOMATIC],
        ).order_by("-lab_confirmed_at")[:25]
    )
    epi = User.objects.filter(username="epi").first()
    traced = decided = 0
    for i, case in enumerate(recent):
        trace_case(case, now=now)
        traced += 1
        if epi is None or i < 5:
            continue  # the newest cases keep all their suggestions open for the demo
        with transaction.atomic():
            for contact in Contact.objects.filter(
                case=case, status=ContactStatus.SUGGESTED, degree=ContactDegree.CLOSE
            )[:15]:
                services.contact_decide(actor=epi, contact=contact, confirm=rng.random() < 0.8, note="demo")
                decided += 1
    return {"traced": traced, "decided": decided}
