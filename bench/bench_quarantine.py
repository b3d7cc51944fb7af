"""Quarantine benchmarks: allocation under contention, the capacity page, the missed-check-in sweep.

    python bench/bench_quarantine.py            # 20 sites / 2,000 rooms / 10,000 stays; 50 allocators
    python bench/bench_quarantine.py --full     # the issue's 200 sites / 20,000 rooms / 100,000 stays
    BENCH_DATABASE_URL=postgres://... python bench/bench_quarantine.py   # contention needs PostgreSQL

Each part runs in its own process on a throw-away database (bench_persons.throwaway_database). Figures:
- allocate: 50 threads allocating rooms of 20 sites at once through the service, as a ratio of their
  throughput to the same number of plain single-row inserts by 50 threads; double bookings are counted after.
- capacity: the capacity selector (three grouped queries) against the naive per-site loop, and its query count.
- sweep: the one-statement missed-check-in sweep against a per-stay loop over the same stays.
Each prints `RATIO <name> = <x.xx> (target >= <t>)`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_persons import child_env, say, throwaway_database  # noqa: E402 - the shared throw-away database


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongchou.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _city(sites: int, rooms_per_site: int, stays: int, *, active_share: float = 0.2) -> list[int]:
    """Areas, persons, sites, rooms and stays (most of them history) by bulk insert; the active stays' ids."""
    from django.utils import timezone

    from apps.geo.services import areas_upsert
    from apps.people.models import Person
    from apps.quarantine.models import QuarantinePolicy, Room, Site, Stay
    from apps.quarantine.services import policies_install_defaults
    from core import synthetic

    areas_upsert(
        {"code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "boundary": a.boundary}
        for a in synthetic.city_areas()
    )
    policies_install_defaults()
    policy = QuarantinePolicy.objects.get(code="c14-2020")
    districts = [f"99010{d}" for d in range(1, 7)]
    Person.objects.bulk_create(
        [
            Person(
                dedup_key=f"b{i}",
                name_enc=b"x",
                name_masked="测*",
                name_hash=f"h{i}",
                area_id=districts[i % 6] + "001001",
            )
            for i in range(stays)
        ],
        batch_size=5000,
    )
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    made = Site.objects.bulk_create([Site(name=f"酒店{i}", area_id=districts[i % 6]) for i in range(sites)])
    Room.objects.bulk_create(
        [
            Room(site=s, number=str(n), floor=1 + n // 20, status="occupied" if n % 3 == 0 else "free")
            for s in made
            for n in range(rooms_per_site)
        ],
        batch_size=5000,
    )
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    for i, pid in enumerate(people):
        active = i < stays * active_share
        start = today - dt.timedelta(days=3 if active else 20 + i % 60)
        rows.append(
            Stay(
                person_id=pid,
                area_id=districts[i % 6] + "001001",
                kind="centralised",
                status="active" if active else "released",
                site=made[i % sites],
                policy=policy,
                reason="bench",
                last_exposure=now - dt.timedelta(days=(today - start).days + 1),
                start_day=start,
                quarantine_end=start + dt.timedelta(days=13),
                planned_end=start + dt.timedelta(days=13),
                released_on=None if active else start + dt.timedelta(days=13),
            )
        )
    Stay.objects.bulk_create(rows, batch_size=5000)
    Stay.objects.update(created_at=now - dt.timedelta(days=5))
    return list(Stay.objects.filter(status="active").values_list("pk", flat=True))


# ---------------------------------------------------------------------------------------------- (a) allocation


def bench_allocate(threads: int, per_thread: int) -> None:
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        say("allocate: skipped (needs PostgreSQL: set BENCH_DATABASE_URL)")
        return
    from apps.common.errors import Conflict
    from apps.quarantine import services
    from apps.quarantine.models import Allocation, Room, Site, Stay

    _city(20, 20, 0)  # 400 rooms for the 400 stays: every allocator finds one, after losing some races
    Room.objects.update(status="free")
    total = threads * per_thread
    # Waiting stays to allocate: one per person.
    from apps.people.models import Person
    from apps.quarantine.models import QuarantinePolicy

    policy = QuarantinePolicy.objects.get(code="c14-2020")
    Person.objects.bulk_create(
        [
            Person(
                dedup_key=f"w{i}", name_enc=b"x", name_masked="测*", name_hash=f"w{i}", area_id="990101001001"
            )
            for i in range(total)
        ]
    )
    from django.utils import timezone

    today, now = timezone.localdate(), timezone.now()
    Stay.objects.bulk_create(
        [
            Stay(
                person_id=p,
                area_id="990101001001",
                kind="centralised",
                status="waiting",
                policy=policy,
                reason="bench",
                last_exposure=now,
                start_day=today,
                quarantine_end=today + dt.timedelta(days=14),
                planned_end=today + dt.timedelta(days=14),
            )
            for p in Person.objects.filter(dedup_key__startswith="w").values_list("pk", flat=True)
        ]
    )
    waiting = list(Stay.objects.filter(status="waiting").values_list("pk", flat=True))
    rooms = list(Room.objects.filter(site__in=Site.objects.all()).values_list("pk", flat=True))
    chunks = [waiting[i::threads] for i in range(threads)]
    conflicts = [0]
    lock = threading.Lock()

    def allocator(mine: list[int], seed: int) -> None:
        rng = random.Random(seed)
        try:
            for pk in mine:
                stay = Stay(pk=pk)
                for _ in range(30):
                    room = Room.objects.get(pk=rng.choice(rooms))
                    try:
                        services.allocate(actor=None, stays=[stay], room=room)
                        break
                    except Conflict:
                        with lock:
                            conflicts[0] += 1
        finally:
            connections.close_all()

    def run(target: object, args_of: object) -> float:
        barrier = threading.Barrier(threads)

        def wrapped(i: int) -> None:
            barrier.wait()
            target(*args_of(i))  # type: ignore[operator]

        ts = [threading.Thread(target=wrapped, args=(i,)) for i in range(threads)]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return time.perf_counter() - t0

    elapsed = run(allocator, lambda i: (chunks[i], i))
    done = Allocation.objects.count()
    open_pairs = list(Allocation.objects.filter(ended_at__isnull=True).values_list("room_id", "bed"))
    double = len(open_pairs) - len(set(open_pairs))
    occupied_rooms = Room.objects.filter(status="occupied").count()

    from django.db import connection as conn

    with conn.cursor() as c:
        c.execute(
            "CREATE TABLE bench_plain (id bigserial primary key, room_id bigint, stay_id bigint, at timestamptz)"
        )
    connections.close_all()

    def inserter(n: int, seed: int) -> None:
        from django.db import connection as own

        try:
            with own.cursor() as c:
                for k in range(n):
                    c.execute(
                        "INSERT INTO bench_plain (room_id, stay_id, at) VALUES (%s, %s, now())", [seed, k]
                    )
        finally:
            connections.close_all()

    plain = run(inserter, lambda i: (len(chunks[i]), i))
    say(
        f"allocate: {done} allocations of {total} asked ({occupied_rooms} rooms occupied, {conflicts[0]} lost races) "
        f"in {elapsed:.2f} s by {threads} threads; {total} plain inserts in {plain:.2f} s"
    )
    say(f"allocate: double bookings after the run = {double}")
    say(f"RATIO allocation_vs_plain_inserts = {(done / elapsed) / (total / plain):.3f} (target >= 0.05)")


# ---------------------------------------------------------------------------------------------- (b) capacity


def bench_capacity(sites: int, rooms: int, stays: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.accounts.services import user_create
    from apps.quarantine import selectors
    from apps.quarantine.models import Room, Site, Stay

    _city(sites, rooms // sites, stays)
    hq = user_create(username="hq", password="bench-password-2020", grants=[("commander", "990100")])

    def naive() -> dict[int, dict[str, int]]:
        today = timezone.localdate()
        out = {}
        for site in Site.objects.all():
            rs = Room.objects.filter(site=site)
            out[site.pk] = {
                "rooms": rs.count(),
                "occupied": rs.filter(status="occupied").count(),
                "free": rs.filter(status="free").count(),
                "cleaning": rs.filter(status="cleaning").count(),
                "released_today": Stay.objects.filter(site=site, released_on=today).count(),
                "releases_soon": Stay.objects.filter(
                    site=site, status="active", quarantine_end__lte=today + dt.timedelta(days=3)
                ).count(),
            }
        return out

    def timed(fn: object, rounds: int = 3) -> float:
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            fn()  # type: ignore[operator]
            best = min(best, time.perf_counter() - t0)
        return best

    ours = timed(lambda: selectors.capacity(user=hq))
    with CaptureQueriesContext(connection) as q:
        data = selectors.capacity(user=hq)
    slow = timed(naive, 1)
    assert data["total"]["rooms"] == Room.objects.count()
    say(
        f"capacity: {sites} sites / {Room.objects.count()} rooms / {Stay.objects.count()} stays: "
        f"{ours * 1000:.1f} ms in {len(q.captured_queries)} queries; naive per-site loop {slow * 1000:.1f} ms"
    )
    say(f"RATIO capacity_vs_naive = {slow / ours:.2f} (target >= 5)")


# ---------------------------------------------------------------------------------------------- (c) sweep


def bench_sweep(stays: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.quarantine import daily
    from apps.quarantine.models import CheckIn, QuarantineAlert, Stay
    from core import quarantine as core

    active = _city(20, 10, stays, active_share=1.0)
    now = timezone.now()
    today = core.local_day(now)
    # Half the stays checked in for everything: the sweep must skip them.
    CheckIn.objects.bulk_create(
        [
            CheckIn(stay_id=pk, day=d, slot=s, at=now, temperature=36.5)
            for pk in active[::2]
            for d in (today - dt.timedelta(days=1), today)
            for s in (1, 2)
        ],
        batch_size=5000,
    )
    with CaptureQueriesContext(connection) as q:
        t0 = time.perf_counter()
        raised = daily.missed_checkins_sweep(now=now)
        ours = time.perf_counter() - t0
    QuarantineAlert.objects.all().delete()

    def per_stay() -> int:
        n = 0
        slots = [
            (d, s)
            for d in (today - dt.timedelta(days=1), today)
            for s, _ in core.CHECKIN_SLOTS
            if core.checkin_deadline(d, s) <= now
        ]
        for stay in Stay.objects.filter(status__in=("active", "monitoring")).select_related("site"):
            for d, s in slots:
                if not CheckIn.objects.filter(stay=stay, day=d, slot=s).exists():
                    QuarantineAlert.objects.get_or_create(
                        key=f"missed:{stay.pk}:{d.isoformat()}:{s}",
                        defaults={
                            "stay": stay,
                            "area_id": stay.site.area_id if stay.site_id else stay.area_id,
                            "kind": "missed_checkin",
                            "raised_at": now,
                        },
                    )
                    n += 1
        return n

    t0 = time.perf_counter()
    slow_raised = per_stay()
    slow = time.perf_counter() - t0
    say(
        f"sweep: {len(active)} active stays, {raised} alerts in {ours:.2f} s and {len(q.captured_queries)} statement(s); "
        f"per-stay loop {slow:.2f} s ({slow_raised} alerts)"
    )
    say(f"RATIO sweep_vs_per_stay_loop = {slow / ours:.1f} (target >= 10)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--part")
    parser.add_argument("--only", nargs="*", default=["allocate", "capacity", "sweep"])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--rooms", type=int, default=2000)
    parser.add_argument("--stays", type=int, default=10_000)
    args = parser.parse_args()
    if args.full:
        args.sites, args.rooms, args.stays = 200, 20_000, 100_000
    if args.part:
        setup_django()
        if args.part == "allocate":
            bench_allocate(50, 8)
        elif args.part == "capacity":
            bench_capacity(args.sites, args.rooms, args.stays)
        elif args.part == "sweep":
            bench_sweep(args.stays)
        return
    for part in args.only:
        with throwaway_database(f"quarantine_{part}") as url:
            cmd = [
                sys.executable,
                __file__,
                "--part",
                part,
                "--sites",
                str(args.sites),
                "--rooms",
                str(args.rooms),
                "--stays",
                str(args.stays),
            ]
            subprocess.run(cmd, env=child_env(url), check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
